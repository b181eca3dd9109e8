// GraphClient keeps at most Outlook's 4 requests in flight per mailbox, and
// fewer after 429s (http::KeyedAimdLimiter); directory requests are not limited.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "crmsync/graph/client.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"

using namespace crmsync::testing;
using crmsync::Result;
using crmsync::graph::GraphClient;
using crmsync::graph::GraphClientOptions;

namespace {

GraphClientOptions Options() {
  GraphClientOptions options;
  options.graph_url = "https://graph.example";
  options.max_attempts = 6;
  return options;
}

std::string PageUrl(const std::string& user, int n) {
  return "https://graph.example/v1.0/users/" + user + "/mailFolders/f" + std::to_string(n) + "/messages/delta";
}

}  // namespace

TEST_CASE("at most 4 requests per mailbox are in flight, other mailboxes and /users are not held back",
          "[graph][limiter]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  GraphClient client(transport, tokens, Options());
  transport.Hold();
  int done_ok = 0;
  auto count = [&done_ok](Result<std::string> r) { done_ok += r.ok() ? 1 : 0; };
  for (int i = 0; i < 6; ++i) client.FetchPage(PageUrl("u1", i), "graph.delta", count);
  CHECK(transport.requests().size() == 4);
  client.FetchPage(PageUrl("u2", 0), "graph.delta", count);
  client.FetchPage("https://graph.example/v1.0/users?$top=100", "graph.users", count);
  CHECK(transport.requests().size() == 6);

  for (int i = 0; i < 8; ++i) transport.Reply(200, R"({"value":[]})");
  transport.Release();   // answers the 6 held; the 2 waiting for u1 then go (answered at once)
  CHECK(transport.requests().size() == 8);
  CHECK(done_ok == 8);
}

TEST_CASE("after 429s a mailbox's requests go one at a time, and every page still arrives", "[graph][limiter]") {
  ScriptedTransport transport;
  FakeTokenProvider tokens;
  GraphClient client(transport, tokens, Options());
  transport.Hold();
  int done_ok = 0;
  auto count = [&done_ok](Result<std::string> r) { done_ok += r.ok() ? 1 : 0; };
  for (int i = 0; i < 4; ++i) client.FetchPage(PageUrl("u1", i), "graph.delta", count);
  REQUIRE(transport.requests().size() == 4);
  // Two throttled answers halve the limit twice (4 -> 2 -> 1); their retries wait for a free slot.
  transport.Reply(429, R"({"error":{"code":"ApplicationThrottled"}})", {{"retry-after", "0"}});
  transport.Reply(429, R"({"error":{"code":"ApplicationThrottled"}})", {{"retry-after", "0"}});
  for (int i = 0; i < 4; ++i) transport.Reply(200, R"({"value":[]})");
  transport.Release();
  CHECK(done_ok == 4);
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 6);   // 4 first attempts + 2 retries
  // The retries waited for the other requests to free a slot: f0's retry did not go out
  // (and take the second 429) before f1 was answered.
  CHECK(requests[4].url == PageUrl("u1", 0));
  CHECK(requests[5].url == PageUrl("u1", 1));
}
