#include "http_server.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "cert_authority.hpp"
#include "curl_client.hpp"
#include "test_dir.hpp"

namespace crmsync::sim {
namespace {

using test::CurlClient;
using test::CurlRequest;
using test::CurlResult;
using test::TestDir;

// Designated initializers with omitted members trip -Wmissing-field-initializers.
CurlRequest Req(std::string method, std::string url, std::string ca_file = {}) {
  CurlRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.ca_file = std::move(ca_file);
  return r;
}

CurlRequest WithBody(CurlRequest r, std::string body) {
  r.body = std::move(body);
  return r;
}

CurlRequest Synthetic(CurlRequest r, long long bytes, bool chunked) {
  r.synthetic_body_bytes = bytes;
  r.chunked = chunked;
  return r;
}

// Records what the server handed to the handler; answers 201 with an echo.
class Recorder {
 public:
  Handler AsHandler() {
    return [this](const HttpRequest& request) {
      {
        std::lock_guard lock(mutex_);
        last_ = request;
        ++calls_;
      }
      HttpResponse response;
      response.status = 201;
      response.headers.emplace("X-Reply", "yes");
      response.body = R"({"ok":true})";
      return response;
    };
  }
  std::optional<HttpRequest> last() {
    std::lock_guard lock(mutex_);
    return last_;
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::optional<HttpRequest> last_;
  int calls_ = 0;
};

struct TlsFixture {
  TestDir dir{"server"};
  CertificateAuthority ca = CertificateAuthority::LoadOrCreate(dir.str());

  ServerOptions Options(TlsIdentity identity) {
    ServerOptions options;
    options.identity = std::move(identity);
    return options;
  }
  ServerOptions Options() { return Options(ca.IssueLeaf({"127.0.0.1", "localhost"})); }
};

TEST_CASE("sim_server: HTTPS request reaches the handler intact", "[sim_server][http]") {
  TlsFixture f;
  Recorder recorder;
  HttpServer server(f.Options(), recorder.AsHandler());
  REQUIRE(server.port() != 0);
  REQUIRE(server.origin() == "https://127.0.0.1:" + std::to_string(server.port()));

  CurlClient client;
  CurlRequest request;
  request.method = "PATCH";
  request.url = server.origin() + "/v1.0/users/a%20b/messages?$select=a,b&name=x%20y&plus=a+b&flag";
  request.body = R"({"subject":"h\u00e9llo"})";
  request.headers = {"X-Custom-Header: Value 1", "Content-Type: application/json"};
  request.ca_file = f.ca.ca_cert_path();
  CurlResult result = client.Perform(request);

  REQUIRE(result.code == CURLE_OK);
  CHECK(result.status == 201);
  CHECK(result.body == R"({"ok":true})");
  CHECK(result.headers["x-reply"] == "yes");
  CHECK(result.headers["content-type"] == "application/json");

  auto seen = recorder.last();
  REQUIRE(seen);
  CHECK(seen->method == "PATCH");
  CHECK(seen->path == "/v1.0/users/a b/messages");
  CHECK(seen->raw_query == "$select=a,b&name=x%20y&plus=a+b&flag");
  auto select = seen->query.find("$select");
  REQUIRE(select != seen->query.end());
  CHECK(select->second == "a,b");
  REQUIRE(seen->query.count("name") == 1);
  CHECK(seen->query.find("name")->second == "x y");
  // SOQL clients send q=SELECT+Id+FROM+Contact: '+' is a space in a query.
  REQUIRE(seen->query.count("plus") == 1);
  CHECK(seen->query.find("plus")->second == "a b");
  REQUIRE(seen->query.count("flag") == 1);
  CHECK(seen->query.find("flag")->second.empty());
  CHECK(seen->header("x-custom-header") == "Value 1");
  CHECK(seen->header("content-type") == "application/json");
  CHECK(seen->header("host") == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(seen->body == request.body);
}

TEST_CASE("sim_server: a multi-megabyte body arrives whole and handler headers are kept", "[sim_server][http]") {
  TlsFixture f;
  std::string received;
  HttpServer server(f.Options(), [&](const HttpRequest& r) {
    received = r.body;
    HttpResponse response;
    response.headers.emplace("Content-Type", "text/plain; charset=utf-8");
    response.body = "done";
    return response;
  });
  std::string body(3 << 20, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);

  CurlClient client;
  CurlResult result = client.Perform(WithBody(Req("POST", server.origin() + "/upload", f.ca.ca_cert_path()), body));
  REQUIRE(result.code == CURLE_OK);
  CHECK(result.status == 200);
  CHECK(result.headers["content-type"] == "text/plain; charset=utf-8");
  CHECK(received == body);
}

TEST_CASE("sim_server: keep-alive: a second request reuses the connection", "[sim_server][http]") {
  TlsFixture f;
  Recorder recorder;
  HttpServer server(f.Options(), recorder.AsHandler());
  CurlClient client;
  CurlRequest request = Req("GET", server.origin() + "/one", f.ca.ca_cert_path());
  CurlResult first = client.Perform(request);
  REQUIRE(first.code == CURLE_OK);
  CHECK(first.num_connects == 1);
  request.url = server.origin() + "/two";
  CurlResult second = client.Perform(request);
  REQUIRE(second.code == CURLE_OK);
  CHECK(second.num_connects == 0);
  CHECK(recorder.calls() == 2);
  CHECK(recorder.last()->path == "/two");
}

TEST_CASE("sim_server: clients refuse the server without the CA, with an expired or misnamed leaf", "[sim_server][tls]") {
  TlsFixture f;
  Recorder recorder;
  CurlClient client;

  SECTION("system trust store only") {
    HttpServer server(f.Options(), recorder.AsHandler());
    CurlResult r = client.Perform(Req("GET", server.origin() + "/"));
    CHECK(r.code == CURLE_PEER_FAILED_VERIFICATION);
  }
  SECTION("expired leaf") {
    HttpServer server(f.Options(f.ca.IssueLeaf({"127.0.0.1"}, /*expired=*/true)), recorder.AsHandler());
    CurlResult r = client.Perform(Req("GET", server.origin() + "/", f.ca.ca_cert_path()));
    CHECK(r.code == CURLE_PEER_FAILED_VERIFICATION);
    CHECK_THAT(r.error, Catch::Contains("expired"));
  }
  SECTION("leaf for another host") {
    HttpServer server(f.Options(f.ca.IssueLeaf({"other.example"})), recorder.AsHandler());
    CurlResult r = client.Perform(Req("GET", server.origin() + "/", f.ca.ca_cert_path()));
    CHECK(r.code == CURLE_PEER_FAILED_VERIFICATION);
  }
  SECTION("leaf from a reloaded CA verifies") {
    CertificateAuthority reloaded = CertificateAuthority::LoadOrCreate(f.dir.str());
    HttpServer server(f.Options(reloaded.IssueLeaf({"127.0.0.1"})), recorder.AsHandler());
    CurlResult r = client.Perform(Req("GET", server.origin() + "/", f.ca.ca_cert_path()));
    CHECK(r.code == CURLE_OK);
    CHECK(recorder.calls() == 1);
    return;
  }
  CHECK(recorder.calls() == 0);
}

TEST_CASE("sim_server: plain HTTP mode serves without TLS", "[sim_server][http]") {
  Recorder recorder;
  ServerOptions options;
  options.tls = false;
  HttpServer server(options, recorder.AsHandler());
  REQUIRE(server.origin() == "http://127.0.0.1:" + std::to_string(server.port()));
  CurlClient client;
  CurlResult r = client.Perform(WithBody(Req("POST", server.origin() + "/token?x=1"), "a=b"));
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.status == 201);
  CHECK(recorder.last()->body == "a=b");
  CHECK(recorder.last()->raw_query == "x=1");
}

TEST_CASE("sim_server: a throwing handler yields 500 and the server keeps serving", "[sim_server][http]") {
  ServerOptions options;
  options.tls = false;
  HttpServer server(options, [](const HttpRequest& r) -> HttpResponse {
    if (r.path == "/boom") throw std::logic_error("kaboom \"quoted\"");
    if (r.path == "/int") throw 42;
    return HttpResponse{.status = 200, .headers = {}, .body = "{}"};
  });
  CurlClient client;
  CurlResult boom = client.Perform(Req("GET", server.origin() + "/boom"));
  REQUIRE(boom.code == CURLE_OK);
  CHECK(boom.status == 500);
  CHECK(boom.headers["content-type"] == "application/json");
  CHECK(boom.body == R"({"error":{"code":"simInternalError","message":"kaboom \"quoted\""}})");
  CurlResult other = client.Perform(Req("GET", server.origin() + "/int"));
  CHECK(other.status == 500);
  CurlResult fine = client.Perform(Req("GET", server.origin() + "/fine"));
  REQUIRE(fine.code == CURLE_OK);
  CHECK(fine.status == 200);
  CHECK(fine.num_connects == 0);   // the failure did not cost the connection
}

TEST_CASE("sim_server: bodies over 64 MiB are refused with 413", "[sim_server][http]") {
  ServerOptions options;
  options.tls = false;
  Recorder recorder;
  HttpServer server(options, recorder.AsHandler());
  const long long over = (64LL << 20) + 1;
  CurlClient client;

  SECTION("declared by Content-Length: refused before the upload") {
    CurlResult r = client.Perform(Synthetic(Req("POST", server.origin() + "/big"), over, false));
    REQUIRE(r.code == CURLE_OK);
    CHECK(r.status == 413);
    CHECK_THAT(r.body, Catch::Contains("requestEntityTooLarge"));
  }
  SECTION("chunked: discarded as it streams, refused at the end") {
    CurlResult r = client.Perform(Synthetic(Req("POST", server.origin() + "/big"), over, true));
    REQUIRE(r.code == CURLE_OK);
    CHECK(r.status == 413);
  }
  SECTION("exactly 64 MiB is accepted") {
    CurlResult r = client.Perform(Synthetic(Req("POST", server.origin() + "/big"), over - 1, true));
    REQUIRE(r.code == CURLE_OK);
    CHECK(r.status == 201);
    CHECK(recorder.last()->body.size() == static_cast<std::size_t>(over - 1));
    return;
  }
  CHECK(recorder.calls() == 0);
}

TEST_CASE("sim_server: a slow handler does not hold up other connections", "[sim_server][http]") {
  ServerOptions options;
  options.tls = false;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  HttpServer server(options, [&](const HttpRequest& r) {
    if (r.path == "/slow") released.wait_for(std::chrono::seconds(10));
    return HttpResponse{.status = 200, .headers = {}, .body = r.path};
  });
  auto slow = std::async(std::launch::async, [&] {
    CurlClient client;
    return client.Perform(Req("GET", server.origin() + "/slow"));
  });
  CurlClient client;
  CurlResult fast = client.Perform(Req("GET", server.origin() + "/fast"));
  CHECK(fast.body == "/fast");
  CHECK(slow.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready);
  release.set_value();
  REQUIRE(slow.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(slow.get().body == "/slow");
}

TEST_CASE("sim_server: the server stops with a kept-alive connection still open", "[sim_server][http]") {
  TlsFixture f;
  Recorder recorder;
  CurlClient client;   // outlives the server, holding its connection
  auto server = std::make_unique<HttpServer>(f.Options(), recorder.AsHandler());
  CurlResult r = client.Perform(Req("GET", server->origin() + "/", f.ca.ca_cert_path()));
  REQUIRE(r.code == CURLE_OK);
  auto stopped = std::async(std::launch::async, [&] { server.reset(); });
  REQUIRE(stopped.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
}

TEST_CASE("sim_server: start failures are reported clearly", "[sim_server][http]") {
  TlsFixture f;
  Recorder recorder;
  SECTION("port in use") {
    HttpServer first(f.Options(), recorder.AsHandler());
    ServerOptions options = f.Options();
    options.port = first.port();
    try {
      HttpServer second(options, recorder.AsHandler());
      FAIL("expected a runtime_error");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Catch::StartsWith("crmsync-sim: cannot listen on 127.0.0.1:" + std::to_string(first.port())));
    }
  }
  SECTION("TLS identity rejected") {
    TlsIdentity bogus{"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not a key"};
    CHECK_THROWS_WITH(HttpServer(f.Options(bogus), recorder.AsHandler()),
                      Catch::StartsWith("crmsync-sim: cannot listen on 127.0.0.1:0: ") && Catch::Contains("TLS"));
  }
  SECTION("TLS without identity") {
    CHECK_THROWS_WITH(HttpServer(f.Options(TlsIdentity{}), recorder.AsHandler()),
                      Catch::Contains("without a certificate"));
  }
}

}  // namespace
}  // namespace crmsync::sim
