#include <catch2/catch.hpp>

#include "crmsync/graph/client.hpp"
#include "capture.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"

using namespace std::chrono_literals;
using namespace crmsync::testing;  // test doubles of tests/support
using crmsync::Result;
using crmsync::Status;
using crmsync::StatusCode;
using crmsync::graph::GraphClient;
using crmsync::graph::GraphClientOptions;
using crmsync::graph::GraphUser;
using crmsync::http::Request;
using crmsync::http::Response;
using crmsync::http::TransportError;

namespace {

constexpr const char* kPageUrl = "https://graph.test/v1.0/users/u/mailFolders/inbox/messages/delta";

GraphClientOptions Options(int max_attempts = 6) {
  GraphClientOptions options;
  options.graph_url = "https://graph.test";
  options.ca_file = "/tmp/sim-ca.pem";
  options.page_size = 50;
  options.max_attempts = max_attempts;
  return options;
}

Result<std::string> Fetch(GraphClient& client, const std::string& url = kPageUrl) {
  auto [done, future] = Capture<Result<std::string>>();
  client.FetchPage(url, "graph.delta", done);
  REQUIRE(future.wait_for(kWaitLimit) == std::future_status::ready);
  return future.get();
}

}  // namespace

TEST_CASE("FetchPage sends the bearer token and Graph headers", "[graph][client]") {
  ScriptedTransport transport(Script({Reply(200, R"({"value":[]})")}));
  FakeTokenProvider tokens;
  GraphClient client(transport, tokens, Options());

  auto body = Fetch(client);
  REQUIRE(body.ok());
  CHECK(body.value() == R"({"value":[]})");

  const auto requests = transport.requests();
  REQUIRE(requests.size() == 1);
  const Request& request = requests[0];
  CHECK(request.method == "GET");
  CHECK(request.url == kPageUrl);
  CHECK(request.kind == "graph.delta");
  CHECK(request.ca_file == "/tmp/sim-ca.pem");
  CHECK(request.delay == 0ms);
  CHECK(HeaderOf(request, "Authorization") == "Bearer token-1");
  CHECK(HeaderOf(request, "Accept") == "application/json");
  CHECK(HeaderOf(request, "Prefer") ==
        "odata.maxpagesize=50, outlook.body-content-type=\"text\", IdType=\"ImmutableId\"");
  CHECK(HeaderOf(request, "client-request-id").size() == 36);
  CHECK(client.stats().pages == 1);
}

TEST_CASE("401 invalidates the token and retries once with a fresh one", "[graph][client]") {
  ScriptedTransport transport(Script(
      {Reply(401, R"({"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired."}})"),
       Reply(200, "{}")}));
  FakeTokenProvider tokens;
  GraphClient client(transport, tokens, Options());

  auto body = Fetch(client);
  REQUIRE(body.ok());
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 2);
  CHECK(HeaderOf(requests[0], "Authorization") == "Bearer token-1");
  CHECK(HeaderOf(requests[1], "Authorization") == "Bearer token-2");
  CHECK(tokens.invalidations() == 1);
  CHECK(client.stats().retries == 0);
}

TEST_CASE("a second 401 is kUnauthorized with Graph's error", "[graph][client]") {
  ScriptedTransport transport(Script({Reply(
      401, R"({"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure."}})")}));
  FakeTokenProvider tokens;
  GraphClient client(transport, tokens, Options());

  auto body = Fetch(client);
  REQUIRE_FALSE(body.ok());
  CHECK(body.status().code() == StatusCode::kUnauthorized);
  CHECK(body.status().message() ==
        "Graph 401 InvalidAuthenticationToken: Access token validation failure.");
  CHECK(transport.requests().size() == 2);
  CHECK(body.status().message().find("token-") == std::string::npos);
}

TEST_CASE("429 honours a fractional Retry-After on the retry", "[graph][client]") {
  ScriptedTransport transport(Script(
      {Reply(429, R"({"error":{"code":"TooManyRequests","message":"Please retry again later."}})",
             {{"retry-after", "2.5"}}),
       Reply(200, "{}")}));
  FakeTokenProvider tokens;
  GraphClient client(transport, tokens, Options());

  REQUIRE(Fetch(client).ok());
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].delay == 0ms);
  CHECK(requests[1].delay == 2500ms);
  CHECK(client.stats().throttled == 1);
  CHECK(client.stats().retries == 1);
}

TEST_CASE("throttling past max_attempts is kThrottled", "[graph][client]") {
  ScriptedTransport transport(Script({Reply(
      429, R"({"error":{"code":"ApplicationThrottled","message":"Application is over its MailboxConcurrency limit."}})")}));
  FakeTokenProvider tokens;
  GraphClient client(transport, tokens, Options(3));

  auto body = Fetch(client);
  REQUIRE_FALSE(body.ok());
  CHECK(body.status().code() == StatusCode::kThrottled);
  CHECK_THAT(body.status().message(), Catch::Contains("ApplicationThrottled"));
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 3);
  // No Retry-After: full-jitter backoff under 500 ms, then 1 s.
  CHECK(requests[1].delay <= 500ms);
  CHECK(requests[2].delay <= 1000ms);
  CHECK(client.stats().retries == 2);
}

TEST_CASE("5xx and transport failures are retried, then kTransient", "[graph][client]") {
  ScriptedTransport transport(Script({TransportFailure(TransportError::kReset, "connection reset by graph.test"),
                                      Reply(504, "<html>Gateway Timeout</html>", {{"retry-after", "1"}}),
                                      Reply(502, "")}));
  FakeTokenProvider tokens;
  GraphClient client(transport, tokens, Options(3));

  auto body = Fetch(client);
  REQUIRE_FALSE(body.ok());
  CHECK(body.status().code() == StatusCode::kTransient);
  CHECK(body.status().retryable());
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[2].delay == 1000ms);
}

TEST_CASE("410 is kGone, 403 is kUnauthorized (access revoked), TLS is not retried", "[graph][client]") {
  FakeTokenProvider tokens;
  SECTION("410 SyncStateNotFound") {
    ScriptedTransport transport(Script({Reply(
        410, R"({"error":{"code":"SyncStateNotFound","message":"The sync state generation is not found; generation=3"}})")}));
    GraphClient client(transport, tokens, Options());
    auto body = Fetch(client);
    REQUIRE_FALSE(body.ok());
    CHECK(body.status().code() == StatusCode::kGone);
    CHECK_THAT(body.status().message(), Catch::Contains("SyncStateNotFound"));
    CHECK(transport.requests().size() == 1);
  }
  SECTION("403 access policy") {
    ScriptedTransport transport(Script({Reply(
        403, R"({"error":{"code":"ErrorAccessDenied","message":"Access to OData is disabled."}})")}));
    GraphClient client(transport, tokens, Options());
    auto body = Fetch(client);
    REQUIRE_FALSE(body.ok());
    CHECK(body.status().code() == StatusCode::kUnauthorized);
    CHECK(body.status().message() == "Graph 403 ErrorAccessDenied: Access to OData is disabled.");
    CHECK(transport.requests().size() == 1);   // no retry, no token refresh
  }
  SECTION("404 with a non-JSON body") {
    ScriptedTransport transport(Script({Reply(404, "Not Found")}));
    GraphClient client(transport, tokens, Options());
    auto body = Fetch(client);
    CHECK(body.status().code() == StatusCode::kPermanent);
    CHECK_THAT(body.status().message(), Catch::Contains("Graph 404") && Catch::Contains("Not Found"));
  }
  SECTION("certificate failure") {
    ScriptedTransport transport(Script({TransportFailure(
        TransportError::kTls, "SSL certificate problem for graph.test: unable to get local issuer certificate")}));
    GraphClient client(transport, tokens, Options());
    auto body = Fetch(client);
    CHECK(body.status().code() == StatusCode::kTls);
    CHECK_THAT(body.status().message(), Catch::Contains("graph.test") && Catch::Contains("issuer"));
    CHECK(transport.requests().size() == 1);
  }
}

TEST_CASE("a token failure is passed through without a request", "[graph][client]") {
  ScriptedTransport transport(Script({Reply(200, "{}")}));
  FakeTokenProvider tokens;
  tokens.FailWith(Status::Unauthorized("invalid_client: AADSTS7000215"));
  GraphClient client(transport, tokens, Options());
  auto body = Fetch(client);
  CHECK(body.status().code() == StatusCode::kUnauthorized);
  CHECK(transport.requests().empty());
}

TEST_CASE("ListUsers follows @odata.nextLink across pages", "[graph][client]") {
  ScriptedTransport transport([](const Request& request) {
    if (request.url.find("skiptoken=2") != std::string::npos) {
      return Reply(200, R"({"value":[{"id":"u2","userPrincipalName":"b@contoso.com"}]})");
    }
    return Reply(200, R"({"@odata.nextLink":"https://graph.test/v1.0/users?$skiptoken=2",)"
                      R"("value":[{"id":"u1","mail":"a@contoso.com"}]})");
  });
  FakeTokenProvider tokens;
  GraphClient client(transport, tokens, Options());

  auto users = client.ListUsers();
  REQUIRE(users.ok());
  REQUIRE(users->size() == 2);
  CHECK(users.value()[0].aliases == std::vector<std::string>{"a@contoso.com"});
  CHECK(users.value()[1].id == "u2");
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].url ==
        "https://graph.test/v1.0/users?$select=id,userPrincipalName,mail,proxyAddresses,"
        "accountEnabled&$top=999");   // Graph's largest directory page, whatever the mail page size
  CHECK(requests[0].kind == "graph.users");
}

TEST_CASE("ListUsers hands each page's users over before the next page is fetched", "[graph][client]") {
  ScriptedTransport transport([](const Request& request) {
    if (request.url.find("skiptoken=2") != std::string::npos) {
      return Reply(200, R"({"value":[{"id":"u3","mail":"c@contoso.com"}]})");
    }
    return Reply(200, R"({"@odata.nextLink":"https://graph.test/v1.0/users?$skiptoken=2",)"
                      R"("value":[{"id":"u1","mail":"a@contoso.com"},{"id":"u2","mail":"b@contoso.com"}]})");
  });
  FakeTokenProvider tokens;
  GraphClient client(transport, tokens, Options());
  std::vector<std::pair<std::string, std::size_t>> taken;   // user id, pages requested when it was handed over
  Status listed = client.ListUsers([&](GraphUser&& user) { taken.emplace_back(user.id, transport.requests().size()); });
  REQUIRE(listed.ok());
  CHECK(taken == std::vector<std::pair<std::string, std::size_t>>{{"u1", 1}, {"u2", 1}, {"u3", 2}});
}

TEST_CASE("ListUsers reports a malformed page", "[graph][client]") {
  ScriptedTransport transport(Script({Reply(200, R"({"value":[{"id":1}]})")}));
  FakeTokenProvider tokens;
  GraphClient client(transport, tokens, Options());
  auto users = client.ListUsers();
  REQUIRE_FALSE(users.ok());
  CHECK(users.status().code() == StatusCode::kCorruption);
  CHECK_THAT(users.status().message(), Catch::Contains("value[0].id"));
}
