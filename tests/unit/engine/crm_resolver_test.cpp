#include <catch2/catch.hpp>

#include <future>
#include <map>
#include <regex>

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
  auto second = Ask(f.resolver, {"b@y.example", "c@z.example"});   // lookup 2: c (b is in lookup 1)
  auto third = Ask(f.resolver, {"c@z.example", "d@w.example"});    // d waits: two lookups in flight
  auto fourth = Ask(f.resolver, {"d@w.example", "e@v.example"});   // e joins d
  gate.set_value();
  for (auto* done : {&first, &second, &third, &fourth}) {
    REQUIRE(done->wait_for(kWaitLimit) == std::future_status::ready);
    CHECK(done->get().ok());
  }
  const auto requests = f.transport.requests();
  CHECK(requests.size() == 6);  // three lookups, each Contact + Lead
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
