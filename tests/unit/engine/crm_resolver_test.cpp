#include <catch2/catch.hpp>

#include <future>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "capture.hpp"
#include "crmsync/engine/crm_resolver.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"

using namespace crmsync;
using namespace crmsync::engine;
using namespace crmsync::testing;

namespace {

// Salesforce's people: email -> (sobject, id).
const std::multimap<std::string, std::pair<std::string, std::string>> kPeople = {
    {"a@x.example", {"Contact", "003000000000001AAA"}},
    {"b@y.example", {"Lead", "00Q000000000001AAA"}},
    {"c@z.example", {"Contact", "003000000000003AAA"}},
    {"c@z.example", {"Lead", "00Q000000000003AAA"}},
    {"d@w.example", {"Contact", "003000000000009AAA"}},
    {"d@w.example", {"Contact", "003000000000004AAA"}},  // two Contacts: the smallest id wins
};

struct Query {
  std::string sobject;
  std::vector<std::string> emails;
};

Query Decode(const http::Request& request) {
  const std::string soql = UrlDecode(request.url.substr(request.url.find("q=") + 2));
  Query q;
  q.sobject = soql.find("FROM Lead") != std::string::npos ? "Lead" : "Contact";
  const std::regex quoted("'([^']*)'");
  for (auto it = std::sregex_iterator(soql.begin(), soql.end(), quoted); it != std::sregex_iterator(); ++it) {
    q.emails.push_back((*it)[1]);
  }
  return q;
}

http::Response Answer(const http::Request& request) {
  const Query q = Decode(request);
  std::string records;
  for (const auto& email : q.emails) {
    auto [begin, end] = kPeople.equal_range(email);
    for (auto it = begin; it != end; ++it) {
      if (it->second.first != q.sobject) continue;
      if (!records.empty()) records += ",";
      records += "{\"attributes\":{\"type\":\"" + q.sobject + "\"},\"Id\":\"" + it->second.second +
                 "\",\"Email\":\"" + email + "\"}";
    }
  }
  return Reply(200, "{\"totalSize\":1,\"done\":true,\"records\":[" + records + "]}");
}

struct Fixture {
  explicit Fixture(ScriptedTransport::Responder responder)
      : transport(std::move(responder)),
        client(transport, tokens, salesforce::SalesforceClientOptions{}),
        resolver("acme", client) {}
  FakeTokenProvider tokens{"https://acme.my.salesforce.com"};
  ScriptedTransport transport;
  salesforce::SalesforceClient client;
  CrmResolver resolver;
};

std::future<Status> Ask(CrmResolver& resolver, std::vector<std::string> addresses) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  resolver.Resolve(addresses, [promise](Status s) { promise->set_value(std::move(s)); });
  return future;
}

}  // namespace

TEST_CASE("addresses resolve to Contact and Lead ids, smallest id first, then from memory", "[resolve]") {
  Fixture f(Answer);
  auto done = Ask(f.resolver, {"a@x.example", "b@y.example", "c@z.example", "d@w.example", "e@v.example"});
  REQUIRE(done.wait_for(kWaitLimit) == std::future_status::ready);
  REQUIRE(done.get().ok());
  CHECK(f.transport.requests().size() == 2);  // one Contact and one Lead query for all five
  CHECK(f.resolver.Find("a@x.example")->contact_id == "003000000000001AAA");
  CHECK(f.resolver.Find("b@y.example")->lead_id == "00Q000000000001AAA");
  CHECK(f.resolver.Find("b@y.example")->contact_id.empty());
  CHECK(f.resolver.Find("c@z.example")->contact_id == "003000000000003AAA");
  CHECK(f.resolver.Find("c@z.example")->lead_id == "00Q000000000003AAA");
  CHECK(f.resolver.Find("d@w.example")->contact_id == "003000000000004AAA");
  CHECK(f.resolver.Find("e@v.example")->contact_id.empty());  // known to be nobody
  CHECK(f.resolver.TakeNewRows().size() == 10);
  CHECK(f.resolver.TakeNewRows().empty());

  auto again = Ask(f.resolver, {"a@x.example", "e@v.example"});
  REQUIRE(again.wait_for(std::chrono::seconds(0)) == std::future_status::ready);  // synchronous
  CHECK(again.get().ok());
  CHECK(f.transport.requests().size() == 2);
}

TEST_CASE("concurrent pages share lookups: no address is queried twice, misses gather", "[resolve]") {
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  Fixture f([opened](const http::Request& request) {
    opened.wait();
    return Answer(request);
  });
  auto first = Ask(f.resolver, {"a@x.example", "b@y.example"});    // lookup 1: a, b
  auto second = Ask(f.resolver, {"b@y.example", "c@z.example"});   // c waits: too few for a second lookup
  auto third = Ask(f.resolver, {"c@z.example", "d@w.example"});    // d joins c
  auto fourth = Ask(f.resolver, {"d@w.example", "e@v.example"});   // e joins too: lookup 2 is c, d, e
  gate.set_value();
  for (auto* done : {&first, &second, &third, &fourth}) {
    REQUIRE(done->wait_for(kWaitLimit) == std::future_status::ready);
    CHECK(done->get().ok());
  }
  const auto requests = f.transport.requests();
  CHECK(requests.size() == 4);  // two lookups, each Contact + Lead
  std::map<std::string, int> asked;
  for (const auto& r : requests) {
    for (const auto& email : Decode(r).emails) ++asked[email];
  }
  for (const auto& [email, times] : asked) {
    INFO(email);
    CHECK(times == 2);
  }
  CHECK(asked.size() == 5);
  CHECK(f.resolver.Find("d@w.example")->contact_id == "003000000000004AAA");
}

TEST_CASE("a large queue gets a second lookup beside the running one", "[resolve]") {
  FakeTokenProvider tokens{"https://acme.my.salesforce.com"};
  ScriptedTransport transport;   // answers queued, held until Release()
  for (int i = 0; i < 4; ++i) transport.Reply(200, R"({"totalSize":0,"done":true,"records":[]})");
  transport.Hold();
  salesforce::SalesforceClient client(transport, tokens, salesforce::SalesforceClientOptions{});
  CrmResolver resolver("acme", client);
  auto first = Ask(resolver, {"a@x.example"});
  std::vector<std::string> many;
  for (std::size_t i = 0; i < CrmResolver::kMinAddressesForConcurrentLookup; ++i) {
    many.push_back("n" + std::to_string(i) + "@q.example");
  }
  auto second = Ask(resolver, many);
  // Both lookups were sent while the first is still unanswered.
  CHECK(transport.requests().size() == 4);
  transport.Release();
  for (auto* done : {&first, &second}) {
    REQUIRE(done->wait_for(kWaitLimit) == std::future_status::ready);
    CHECK(done->get().ok());
  }
  CHECK(transport.requests().size() == 4);
  CHECK(resolver.Find("n7@q.example")->contact_id.empty());
}

TEST_CASE("a failed lookup fails its waiters and is retried by the next page", "[resolve]") {
  std::atomic<int> calls{0};
  Fixture f([&calls](const http::Request& request) {
    if (calls++ < 2) return Reply(400, R"([{"message":"bad","errorCode":"MALFORMED_QUERY"}])");
    return Answer(request);
  });
  auto failed = Ask(f.resolver, {"a@x.example"});
  REQUIRE(failed.wait_for(kWaitLimit) == std::future_status::ready);
  const Status status = failed.get();
  CHECK_FALSE(status.ok());
  CHECK_THAT(status.message(), Catch::Contains("MALFORMED_QUERY"));
  CHECK_FALSE(f.resolver.Find("a@x.example").has_value());

  auto retried = Ask(f.resolver, {"a@x.example"});
  REQUIRE(retried.wait_for(kWaitLimit) == std::future_status::ready);
  CHECK(retried.get().ok());
  CHECK(f.resolver.Find("a@x.example")->contact_id == "003000000000001AAA");
}

TEST_CASE("a page waiting on two lookups is answered once: failed by the first, not again by the second",
          "[resolve]") {
  FakeTokenProvider tokens{"https://acme.my.salesforce.com"};
  ScriptedTransport transport;   // answers in request order, held until Release()
  for (int i = 0; i < 2; ++i) transport.Reply(400, R"([{"message":"bad","errorCode":"MALFORMED_QUERY"}])");
  for (int i = 0; i < 2; ++i) transport.Reply(200, R"({"totalSize":0,"done":true,"records":[]})");
  transport.Hold();
  salesforce::SalesforceClient client(transport, tokens, salesforce::SalesforceClientOptions{});
  CrmResolver resolver("acme", client);
  std::vector<std::string> many;
  for (std::size_t i = 0; i < CrmResolver::kMinAddressesForConcurrentLookup; ++i) {
    many.push_back("n" + std::to_string(i) + "@q.example");
  }
  std::vector<std::string> both = many;
  both.push_back("a@x.example");
  std::mutex mutex;
  std::map<std::string, std::vector<bool>> answers;   // page -> ok of each answer
  auto ask = [&](const std::string& page, const std::vector<std::string>& addresses) {
    resolver.Resolve(addresses, [&, page](Status s) {
      std::lock_guard lock(mutex);
      answers[page].push_back(s.ok());
    });
  };
  ask("first", {"a@x.example"});   // lookup 1: a
  ask("both", both);               // a is in lookup 1; the many go out as lookup 2
  ask("second", {many.front()});
  CHECK(transport.requests().size() == 4);
  transport.Release();
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  for (;;) {
    {
      std::lock_guard lock(mutex);
      if (answers.size() == 3 || std::chrono::steady_clock::now() > deadline) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));   // a second answer would come now
  std::lock_guard lock(mutex);
  CHECK(answers["first"] == std::vector<bool>{false});
  CHECK(answers["both"] == std::vector<bool>{false});
  CHECK(answers["second"] == std::vector<bool>{true});
}

namespace {

constexpr std::int64_t kHour = 3600LL * 1000;

// A resolver with an injected clock and the given options.
struct ClockFixture {
  ClockFixture(ScriptedTransport::Responder responder, CrmResolverOptions options)
      : transport(std::move(responder)), client(transport, tokens, salesforce::SalesforceClientOptions{}) {
    options.now_unix_ms = [this] { return now.load(); };
    resolver = std::make_unique<CrmResolver>("acme", client, std::move(options));
  }
  std::atomic<std::int64_t> now{1'000'000'000'000};
  FakeTokenProvider tokens{"https://acme.my.salesforce.com"};
  ScriptedTransport transport;
  salesforce::SalesforceClient client;
  std::unique_ptr<CrmResolver> resolver;
};

Status AskAndWait(CrmResolver& resolver, std::vector<std::string> addresses) {
  auto done = Ask(resolver, std::move(addresses));
  if (done.wait_for(kWaitLimit) != std::future_status::ready) return Status::Io("lookup did not finish");
  return done.get();
}

// Addresses asked for by the requests from index `from` on.
std::vector<std::string> AskedSince(const ScriptedTransport& transport, std::size_t from) {
  std::vector<std::string> asked;
  const auto requests = transport.requests();
  for (std::size_t i = from; i < requests.size(); ++i) {
    for (auto& email : Decode(requests[i]).emails) asked.push_back(email);
  }
  std::sort(asked.begin(), asked.end());
  return asked;
}

// Serves the priming queries (SELECT Id, Email FROM X WHERE Email != null)
// from kPeople, Contacts in two pages of at most two records.
http::Response AnswerPriming(const http::Request& request) {
  const bool more = request.url.find("/query/01gC-2") != std::string::npos;
  std::string soql;
  if (!more) {
    soql = UrlDecode(request.url.substr(request.url.find("q=") + 2));
    if (soql.find("WHERE Email != null") == std::string::npos) return Answer(request);
  }
  const std::string sobject = more || soql.find("FROM Contact") != std::string::npos ? "Contact" : "Lead";
  std::vector<std::string> records;
  for (const auto& [email, who] : kPeople) {
    if (who.first != sobject) continue;
    records.push_back("{\"attributes\":{\"type\":\"" + sobject + "\"},\"Id\":\"" + who.second +
                      "\",\"Email\":\"" + email + "\"}");
  }
  std::size_t begin = 0, end = records.size();
  std::string next;
  if (sobject == "Contact") {
    begin = more ? 2 : 0;
    end = more ? records.size() : 2;
    if (!more) next = ",\"nextRecordsUrl\":\"/services/data/v60.0/query/01gC-2\"";
  }
  std::string body;
  for (std::size_t i = begin; i < end; ++i) body += (body.empty() ? "" : ",") + records[i];
  return Reply(200, "{\"totalSize\":" + std::to_string(records.size()) + ",\"done\":" +
                        (next.empty() ? "true" : "false") + next + ",\"records\":[" + body + "]}");
}

std::optional<state::DirectoryEntry> Row(std::string sobject, std::string id, std::int64_t fetched) {
  return state::DirectoryEntry{std::move(sobject), std::move(id), fetched};
}

}  // namespace

TEST_CASE("matches expire after match_ttl, misses after miss_ttl", "[resolve][ttl]") {
  CrmResolverOptions options;
  options.match_ttl_ms = 24 * kHour;
  options.miss_ttl_ms = 6 * kHour;
  ClockFixture f(Answer, options);
  CrmResolver& r = *f.resolver;
  // c@z is both a Contact and a Lead: a match for every queried object.
  REQUIRE(AskAndWait(r, {"c@z.example", "e@v.example"}).ok());
  REQUIRE(f.transport.requests().size() == 2);

  f.now += 6 * kHour - 1;   // both still fresh: nothing is asked
  CHECK(r.Uncached({"c@z.example", "e@v.example"}).empty());
  REQUIRE(AskAndWait(r, {"c@z.example", "e@v.example"}).ok());
  CHECK(f.transport.requests().size() == 2);

  f.now += 2;               // the miss expired, the match did not
  CHECK(r.Uncached({"c@z.example", "e@v.example"}) == std::vector<std::string>{"e@v.example"});
  REQUIRE(AskAndWait(r, {"c@z.example", "e@v.example"}).ok());
  CHECK(f.transport.requests().size() == 4);
  CHECK(AskedSince(f.transport, 2) == std::vector<std::string>{"e@v.example", "e@v.example"});

  f.now += 18 * kHour;      // 24 h after the first lookup: the match expired too
  REQUIRE(AskAndWait(r, {"c@z.example"}).ok());
  CHECK(AskedSince(f.transport, 4) == std::vector<std::string>{"c@z.example", "c@z.example"});
  CHECK(r.Find("c@z.example")->contact_id == "003000000000003AAA");
}

TEST_CASE("a miss is written to the directory as a negative entry and honoured by the next run", "[resolve][ttl]") {
  ClockFixture first(Answer, CrmResolverOptions{});
  REQUIRE(AskAndWait(*first.resolver, {"a@x.example", "e@v.example"}).ok());
  const auto rows = first.resolver->TakeNewRows();
  std::map<std::string, state::DirectoryEntry> by_key;
  for (const auto& [tenant, key, entry] : rows) {
    CHECK(tenant == "acme");
    by_key[key] = entry;
  }
  REQUIRE(by_key.size() == 4);
  CHECK(by_key["Contact/a@x.example"].sobject == "Contact");
  CHECK(by_key["Contact/a@x.example"].salesforce_id == "003000000000001AAA");
  CHECK(by_key["Lead/a@x.example"].sobject.empty());          // no Lead has a@x
  CHECK(by_key["Contact/e@v.example"].sobject.empty());
  CHECK(by_key["Contact/e@v.example"].salesforce_id.empty());
  CHECK(by_key["Lead/e@v.example"].fetched_unix_ms == first.now.load());

  // The next run, 5 h later, reads the rows back: nobody is queried.
  ClockFixture next(Answer, CrmResolverOptions{});
  next.now = first.now + 5 * kHour;
  const std::vector<std::string> addresses{"a@x.example", "e@v.example"};
  const auto keys = next.resolver->DirectoryKeys(addresses);
  REQUIRE(keys == std::vector<std::string>{"Contact/a@x.example", "Lead/a@x.example", "Contact/e@v.example",
                                           "Lead/e@v.example"});
  std::vector<std::optional<state::DirectoryEntry>> stored;
  for (const auto& key : keys) stored.push_back(by_key.at(key));
  CHECK(next.resolver->SeedFromDirectory(addresses, stored) == 2);
  REQUIRE(AskAndWait(*next.resolver, addresses).ok());
  CHECK(next.transport.requests().empty());
  CHECK(next.resolver->Find("e@v.example")->contact_id.empty());
  CHECK(next.resolver->Find("a@x.example")->contact_id == "003000000000001AAA");

  // 7 h after: the miss (and the "no Lead" next to a's Contact) expired.
  ClockFixture later(Answer, CrmResolverOptions{});
  later.now = first.now + 7 * kHour;
  CHECK(later.resolver->SeedFromDirectory(addresses, stored) == 0);
  REQUIRE(AskAndWait(*later.resolver, addresses).ok());
  CHECK(later.transport.requests().size() == 2);
}

TEST_CASE("directory rows are seeded only when every queried object has a fresh row", "[resolve][ttl]") {
  ClockFixture f(Answer, CrmResolverOptions{});
  const std::int64_t now = f.now;
  const std::vector<std::string> one{"a@x.example"};
  // A Contact row alone is not enough while Leads are queried too.
  CHECK(f.resolver->SeedFromDirectory(one, {Row("Contact", "003X", now), std::nullopt}) == 0);
  // Both positive and 20 h old: fresh under the 24 h match TTL.
  CHECK(f.resolver->SeedFromDirectory(one, {Row("Contact", "003X", now - 20 * kHour),
                                            Row("Lead", "00QX", now - 20 * kHour)}) == 1);
  CHECK(f.resolver->Find("a@x.example")->lead_id == "00QX");
  CHECK(f.resolver->SeedFromDirectory({"b@y.example"}, {Row("Contact", "003Y", now - 25 * kHour),
                                                        Row("Lead", "00QY", now - 25 * kHour)}) == 0);
  CHECK_FALSE(f.resolver->Find("b@y.example").has_value());
  // A malformed row count seeds nothing rather than misreading rows.
  CHECK(f.resolver->SeedFromDirectory({"c@z.example"}, {Row("Contact", "003Z", now)}) == 0);
}

TEST_CASE("match_objects: only the listed sobjects are queried and stored", "[resolve][match_objects]") {
  auto only = GENERATE(std::string("Contact"), std::string("Lead"));
  INFO(only);
  CaptureConfig capture;
  capture.match_objects = {only};
  ClockFixture f(Answer, ResolverOptionsFrom(capture));
  REQUIRE(AskAndWait(*f.resolver, {"a@x.example", "b@y.example", "c@z.example"}).ok());
  const auto requests = f.transport.requests();
  REQUIRE(requests.size() == 1);
  CHECK(Decode(requests[0]).sobject == only);
  for (const auto& [tenant, key, entry] : f.resolver->TakeNewRows()) {
    CHECK(key.rfind(only + "/", 0) == 0);
  }
  CHECK(f.resolver->DirectoryKeys({"a@x.example"}) == std::vector<std::string>{only + "/a@x.example"});
  const CrmMatch c = *f.resolver->Find("c@z.example");
  CHECK(c.contact_id == (only == "Contact" ? "003000000000003AAA" : ""));
  CHECK(c.lead_id == (only == "Lead" ? "00Q000000000003AAA" : ""));
}

TEST_CASE("the capture configuration sets the resolver's TTLs and priming", "[resolve][config]") {
  CaptureConfig capture;
  capture.match_ttl_hours = 48;
  capture.miss_ttl_hours = 2;
  capture.prime_crm_cache = true;
  const CrmResolverOptions options = ResolverOptionsFrom(capture);
  CHECK(options.match_ttl_ms == 48 * kHour);
  CHECK(options.miss_ttl_ms == 2 * kHour);
  CHECK(options.prime);
  CHECK(options.query_contacts);
  CHECK(options.query_leads);
}

TEST_CASE("priming loads every Contact and Lead email with paged queries, unknown addresses are misses", "[resolve][prime]") {
  CrmResolverOptions options;
  options.prime = true;
  ClockFixture f(AnswerPriming, options);
  CrmResolver& r = *f.resolver;
  REQUIRE(AskAndWait(r, {"a@x.example", "b@y.example", "e@v.example"}).ok());
  const auto requests = f.transport.requests();
  CHECK(requests.size() == 3);   // Contact page 1 and 2, Lead page 1
  for (const auto& request : requests) {
    INFO(request.url);
    const auto q = request.url.find("q=");
    if (q == std::string::npos) {
      CHECK(request.url.find("/query/01gC-2") != std::string::npos);   // the next page
    } else {
      CHECK(UrlDecode(request.url.substr(q + 2)).find("WHERE Email != null") != std::string::npos);
    }
  }
  CHECK(r.Find("a@x.example")->contact_id == "003000000000001AAA");
  CHECK(r.Find("b@y.example")->lead_id == "00Q000000000001AAA");
  CHECK(r.Find("e@v.example")->contact_id.empty());

  // After priming, every address resolves without a query, known or not.
  REQUIRE(AskAndWait(r, {"d@w.example", "z@nowhere.example"}).ok());
  CHECK(f.transport.requests().size() == 3);
  CHECK(r.Find("d@w.example")->contact_id == "003000000000004AAA");   // from the second page
  REQUIRE(r.Find("z@nowhere.example").has_value());
  CHECK(r.Find("z@nowhere.example")->lead_id.empty());
  CHECK(r.distinct_addresses() == 5);

  // Rows only for the addresses asked for, not for every primed email.
  std::set<std::string> keys;
  for (const auto& [tenant, key, entry] : r.TakeNewRows()) keys.insert(key);
  CHECK(keys.size() == 10);
  CHECK(keys.count("Contact/c@z.example") == 0);
  CHECK(keys.count("Lead/z@nowhere.example") == 1);
}

TEST_CASE("pages asking while priming runs wait for it, a failed priming falls back to batched lookups", "[resolve][prime]") {
  std::atomic<int> priming_calls{0};
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  CrmResolverOptions options;
  options.prime = true;
  ClockFixture f([&priming_calls, opened](const http::Request& request) {
    if (request.url.find("null") != std::string::npos) {
      opened.wait();
      ++priming_calls;
      return Reply(400, R"([{"message":"no","errorCode":"MALFORMED_QUERY"}])");
    }
    return Answer(request);
  }, options);
  auto first = Ask(*f.resolver, {"a@x.example"});
  auto second = Ask(*f.resolver, {"a@x.example", "b@y.example"});
  gate.set_value();
  for (auto* done : {&first, &second}) {
    REQUIRE(done->wait_for(kWaitLimit) == std::future_status::ready);
    CHECK(done->get().ok());
  }
  CHECK(priming_calls == 2);   // Contact and Lead, once: priming is not retried per page
  CHECK(AskedSince(f.transport, 0) ==
        std::vector<std::string>{"a@x.example", "a@x.example", "b@y.example", "b@y.example"});
  CHECK(f.resolver->Find("b@y.example")->lead_id == "00Q000000000001AAA");
}

TEST_CASE("distinct_addresses counts each address once, cached or not", "[resolve]") {
  Fixture f(Answer);
  REQUIRE(Ask(f.resolver, {"a@x.example", "b@y.example"}).wait_for(kWaitLimit) == std::future_status::ready);
  REQUIRE(Ask(f.resolver, {"a@x.example", "c@z.example"}).wait_for(kWaitLimit) == std::future_status::ready);
  CHECK(f.resolver.distinct_addresses() == 3);
}

TEST_CASE("with a linger, the misses of pages asking close together share one lookup", "[resolve]") {
  CrmResolverOptions options;
  options.linger = std::chrono::milliseconds(200);
  ClockFixture f(Answer, options);
  auto first = Ask(*f.resolver, {"a@x.example"});
  auto second = Ask(*f.resolver, {"b@y.example"});
  auto third = Ask(*f.resolver, {"c@z.example", "a@x.example"});
  for (auto* done : {&first, &second, &third}) {
    REQUIRE(done->wait_for(kWaitLimit) == std::future_status::ready);
    CHECK(done->get().ok());
  }
  CHECK(f.transport.requests().size() == 2);   // one lookup: Contact and Lead
  CHECK(AskedSince(f.transport, 0) == std::vector<std::string>{"a@x.example", "a@x.example", "b@y.example",
                                                               "b@y.example", "c@z.example", "c@z.example"});
  CHECK(f.resolver->Find("c@z.example")->lead_id == "00Q000000000003AAA");
}

TEST_CASE("a created Lead replaces the miss in memory and in the directory rows", "[resolve][create_lead]") {
  Fixture f(Answer);
  auto done = Ask(f.resolver, {"a@x.example", "e@v.example"});
  REQUIRE(done.wait_for(kWaitLimit) == std::future_status::ready);
  REQUIRE(done.get().ok());
  REQUIRE(f.resolver.Find("e@v.example")->lead_id.empty());
  f.resolver.TakeNewRows();

  f.resolver.LearnCreatedLead("e@v.example", "00Q000000000042AAA");
  f.resolver.LearnCreatedLead("a@x.example", "00Q000000000043AAA");
  CHECK(f.resolver.Find("e@v.example")->lead_id == "00Q000000000042AAA");
  CHECK(f.resolver.Find("e@v.example")->contact_id.empty());
  // A Contact already known stays next to the new Lead.
  CHECK(f.resolver.Find("a@x.example")->contact_id == "003000000000001AAA");
  std::map<std::string, state::DirectoryEntry> rows;
  for (const auto& [tenant, key, entry] : f.resolver.TakeNewRows()) rows[key] = entry;
  CHECK(rows["Lead/e@v.example"].sobject == "Lead");
  CHECK(rows["Lead/e@v.example"].salesforce_id == "00Q000000000042AAA");
  CHECK(rows["Contact/e@v.example"].salesforce_id.empty());
  CHECK(rows["Contact/a@x.example"].salesforce_id == "003000000000001AAA");
  // Cached: asking again sends nothing.
  const std::size_t before = f.transport.requests().size();
  auto again = Ask(f.resolver, {"e@v.example"});
  REQUIRE(again.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
  CHECK(f.transport.requests().size() == before);
}

TEST_CASE("distinct_addresses stays exact when asked addresses are learnt, relearnt and asked again", "[resolve]") {
  Fixture f(Answer);
  // Asked uncached, then learnt (a fresh cache entry), then asked cached, twice.
  REQUIRE(Ask(f.resolver, {"a@x.example", "b@y.example"}).wait_for(kWaitLimit) == std::future_status::ready);
  REQUIRE(Ask(f.resolver, {"a@x.example", "b@y.example"}).wait_for(kWaitLimit) == std::future_status::ready);
  CHECK(f.resolver.distinct_addresses() == 2);
  // Relearning a match (a Lead created for it) keeps it counted once.
  f.resolver.LearnCreatedLead("b@y.example", "00QNEW");
  REQUIRE(Ask(f.resolver, {"b@y.example", "c@z.example"}).wait_for(kWaitLimit) == std::future_status::ready);
  // Cached without ever being asked: counted when first asked.
  f.resolver.LearnCreatedLead("n@new.example", "00QNEW2");
  CHECK(f.resolver.distinct_addresses() == 3);
  REQUIRE(Ask(f.resolver, {"n@new.example"}).wait_for(kWaitLimit) == std::future_status::ready);
  REQUIRE(Ask(f.resolver, {"n@new.example", "a@x.example"}).wait_for(kWaitLimit) == std::future_status::ready);
  CHECK(f.resolver.distinct_addresses() == 4);
}

TEST_CASE("FirstMatches picks the first Contact and the first Lead in address order", "[resolve]") {
  Fixture f(Answer);
  REQUIRE(Ask(f.resolver, {"a@x.example", "b@y.example", "c@z.example", "e@v.example"}).wait_for(kWaitLimit) ==
          std::future_status::ready);
  std::string contact, lead;
  f.resolver.FirstMatches({"e@v.example", "b@y.example", "c@z.example", "a@x.example"}, contact, lead);
  CHECK(contact == "003000000000003AAA");   // c: b has no Contact, e is nobody
  CHECK(lead == "00Q000000000001AAA");      // b comes before c
  contact.clear();
  lead.clear();
  f.resolver.FirstMatches({"unknown@q.example", "e@v.example"}, contact, lead);
  CHECK(contact.empty());
  CHECK(lead.empty());
  f.resolver.FirstMatches({"a@x.example", "c@z.example"}, contact, lead);
  CHECK(contact == "003000000000001AAA");
  CHECK(lead == "00Q000000000003AAA");
}
