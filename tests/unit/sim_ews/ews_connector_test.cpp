// The EWS connector against the simulated EWS, in-process: the real token
// provider (EWS scope), EwsMailSource paging and GetItem, and resumption
// after new mail arrives.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/ews/mail_source.hpp"
#include "crmsync/http/transport.hpp"
#include "ews_test_support.hpp"
#include "text_util.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

// Answers each request with the simulator, on the caller's thread.
class SimTransport final : public crmsync::http::Transport {
 public:
  explicit SimTransport(Simulator& sim) : sim_(sim) {}
  void Submit(crmsync::http::Request request, crmsync::http::Completion done) override {
    REQUIRE(request.url.rfind(kOrigin, 0) == 0);
    HttpRequest in;
    in.method = request.method;
    in.path = request.url.substr(std::string(kOrigin).size());
    if (auto q = in.path.find('?'); q != std::string::npos) in.path.erase(q);
    for (const auto& [name, value] : request.headers) in.headers[AsciiLower(name)] = value;
    in.body = request.body;
    HttpResponse out = sim_.Handle(in);
    crmsync::http::Response response;
    response.status = out.status;
    for (const auto& [name, value] : out.headers) response.headers.emplace_back(AsciiLower(name), value);
    response.body = std::move(out.body);
    done(std::move(response));
  }

 private:
  Simulator& sim_;
};

std::size_t ViewSize(Simulator& sim, int user, Folder folder, int from_epoch) {
  const Epochs epochs = sim.corpus().epochs();
  ViewCursor cursor{from_epoch, 0, 0};
  std::size_t n = 0;
  while (sim.corpus().NextInView(0, user, folder, static_cast<int>(epochs.size()), epochs, cursor)) ++n;
  return n;
}

struct Drained {
  std::vector<crmsync::Message> messages;
  std::string cursor;
  int pages = 0;
};

Drained Drain(crmsync::ews::EwsMailSource& source, const crmsync::MailUser& user, const std::string& stream,
              std::string cursor) {
  Drained out;
  for (int guard = 0; guard < 1000; ++guard) {
    std::optional<crmsync::Result<crmsync::RawPage>> raw;
    source.FetchPage(user, stream, cursor, [&](crmsync::Result<crmsync::RawPage> r) { raw.emplace(std::move(r)); });
    REQUIRE(raw.has_value());
    INFO(raw->status().ToString());
    REQUIRE(raw->ok());
    auto page = source.ParsePage(std::move(raw->value()));
    REQUIRE(page.ok());
    ++out.pages;
    for (auto& m : page->messages) out.messages.push_back(std::move(m));
    cursor = page->next_cursor;
    if (page->last) break;
  }
  out.cursor = cursor;
  return out;
}

}  // namespace

TEST_CASE("EwsMailSource reads a simulated mailbox completely, then only new mail", "[sim][ews]") {
  FakeClock clock;
  Simulator sim(Options(1, 5, 11, clock));
  SimTransport transport(sim);
  const Tenant& tenant = sim.corpus().tenants()[0];
  crmsync::auth::ClientCredentialsConfig credentials;
  credentials.token_url = std::string(kOrigin) + "/" + tenant.ms_tenant_id + "/oauth2/v2.0/token";
  credentials.client_id = tenant.ms_client_id;
  credentials.client_secret = tenant.ms_client_secret;
  credentials.scope = "https://outlook.office365.com/.default";
  auto tokens = crmsync::auth::MakeClientCredentialsProvider(transport, credentials);
  crmsync::ews::EwsMailSourceOptions options;
  options.client.ews_url = std::string(kOrigin) + "/EWS/Exchange.asmx";
  options.page_size = 4;
  crmsync::ews::EwsMailSource source(transport, *tokens, options);

  crmsync::MailUser user;
  user.id = tenant.users[2].graph_id;
  user.primary = tenant.users[2].primary;
  for (const auto& [stream, folder] : {std::pair{"mail/inbox", Folder::kInbox}, std::pair{"mail/sentitems", Folder::kSentItems}}) {
    INFO(stream);
    Drained first = Drain(source, user, stream, source.InitialCursor(user, stream));
    const std::size_t expected = ViewSize(sim, 2, folder, 0);
    REQUIRE(first.messages.size() == expected);
    CHECK(first.pages >= static_cast<int>((expected + 3) / 4));
    std::set<std::string> message_ids;
    for (const auto& m : first.messages) {
      CHECK_FALSE(m.removed);
      CHECK(m.internet_message_id.front() == '<');
      CHECK_FALSE(m.from.address.empty());
      CHECK_FALSE(m.to.empty());
      CHECK(m.sent_at.size() == 20);
      message_ids.insert(m.internet_message_id);
    }
    CHECK(message_ids.size() == expected);

    Drained idle = Drain(source, user, stream, first.cursor);
    CHECK(idle.messages.empty());
    sim.corpus().Advance(3);
    Drained next = Drain(source, user, stream, idle.cursor);
    CHECK(next.messages.size() == ViewSize(sim, 2, folder, static_cast<int>(sim.corpus().epochs().size()) - 1));
    for (const auto& m : next.messages) CHECK(message_ids.count(m.internet_message_id) == 0);
  }
  CHECK(tokens->grants() == 1);
}

TEST_CASE("EwsMailSource reads a backfill window with FindItem: exactly the mail received in it", "[sim][ews][backfill]") {
  FakeClock clock;
  Simulator sim(Options(1, 5, 11, clock));
  SimTransport transport(sim);
  const Tenant& tenant = sim.corpus().tenants()[0];
  crmsync::auth::ClientCredentialsConfig credentials;
  credentials.token_url = std::string(kOrigin) + "/" + tenant.ms_tenant_id + "/oauth2/v2.0/token";
  credentials.client_id = tenant.ms_client_id;
  credentials.client_secret = tenant.ms_client_secret;
  credentials.scope = "https://outlook.office365.com/.default";
  auto tokens = crmsync::auth::MakeClientCredentialsProvider(transport, credentials);
  crmsync::ews::EwsMailSourceOptions options;
  options.client.ews_url = std::string(kOrigin) + "/EWS/Exchange.asmx";
  options.page_size = 3;
  crmsync::ews::EwsMailSource source(transport, *tokens, options);
  crmsync::MailUser user;
  user.id = tenant.users[1].graph_id;
  user.primary = tenant.users[1].primary;

  for (const auto& [stream, folder] : {std::pair{"mail/inbox", Folder::kInbox}, std::pair{"mail/sentitems", Folder::kSentItems}}) {
    INFO(stream);
    // The window: the middle half of the folder's received times.
    const Epochs epochs = sim.corpus().epochs();
    std::vector<MessageHeader> all;
    ViewCursor cursor{0, 0, 0};
    while (auto h = sim.corpus().NextInView(0, 1, folder, static_cast<int>(epochs.size()), epochs, cursor)) {
      all.push_back(*h);
    }
    REQUIRE(all.size() >= 4);
    std::vector<std::int64_t> times;
    for (const auto& h : all) times.push_back(h.received);
    std::sort(times.begin(), times.end());
    const std::int64_t since = times[times.size() / 4], until = times[3 * times.size() / 4];
    REQUIRE(since < until);
    std::set<std::string> expected;
    for (const auto& h : all) {
      if (h.received >= since && h.received < until) expected.insert(h.internet_message_id);
    }

    const std::string window = source.WindowCursor(user, stream, since, until);
    REQUIRE(window.rfind("ews1w:", 0) == 0);
    Drained drained = Drain(source, user, stream, window);
    std::set<std::string> got;
    for (const auto& m : drained.messages) got.insert(m.internet_message_id);
    CHECK(got == expected);
    CHECK(drained.messages.size() == expected.size());
    CHECK(drained.cursor.empty());   // a window has no increments
    CHECK(drained.pages >= static_cast<int>((expected.size() + 2) / 3));
  }
  CHECK(source.WindowCursor(user, "mail/inbox", 100, 100).empty());
}
