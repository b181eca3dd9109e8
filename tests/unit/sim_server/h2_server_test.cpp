// H2Server (crmsync-sim --http2) against libcurl on loopback: HTTP/2 only,
// many requests multiplexed over one connection, the same request mapping,
// errors and faults as the HTTP/1.1 server.
#include "h2_server.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "cert_authority.hpp"
#include "curl_client.hpp"
#include "test_dir.hpp"

namespace crmsync::sim {
namespace {

using test::CurlClient;
using test::CurlRequest;
using test::CurlResult;
using test::TestDir;

struct H2Fixture {
  TestDir dir{"h2server"};
  CertificateAuthority ca = CertificateAuthority::LoadOrCreate(dir.str());

  ServerOptions Options() {
    ServerOptions options;
    options.identity = ca.IssueLeaf({"127.0.0.1", "localhost"});
    options.http2 = true;
    return options;
  }
  CurlRequest Get(const Server& server, const std::string& target) {
    CurlRequest r;
    r.url = server.origin() + target;
    r.ca_file = ca.ca_cert_path();
    return r;
  }
};

HttpResponse Body(std::string body) {
  HttpResponse r;
  r.body = std::move(body);
  return r;
}

// Counts the handler calls running at once, and the most seen.
class Overlap {
 public:
  void Enter() {
    const int now = ++running_;
    int seen = most_.load();
    while (now > seen && !most_.compare_exchange_weak(seen, now)) {
    }
  }
  void Leave() { --running_; }
  int most() const { return most_.load(); }

 private:
  std::atomic<int> running_{0};
  std::atomic<int> most_{0};
};

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

TEST_CASE("h2_server: negotiates HTTP/2 and maps the request like the HTTP/1.1 server", "[sim_server][h2]") {
  H2Fixture f;
  std::mutex mutex;
  std::optional<HttpRequest> seen;
  H2Server server(f.Options(), [&](const HttpRequest& request) {
    std::lock_guard lock(mutex);
    seen = request;
    HttpResponse response;
    response.status = 201;
    response.headers.emplace("X-Reply", "yes");
    response.headers.emplace("Connection", "keep-alive");   // hop-by-hop: dropped
    response.body = request.body;
    return response;
  });
  REQUIRE(server.origin() == "https://127.0.0.1:" + std::to_string(server.port()));

  std::string body(3 << 20, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  CurlRequest request = f.Get(server, "/v1.0/users/a%20b/messages?$select=a,b&%24top=5&name=x%20y&plus=a+b&flag");
  request.method = "POST";
  request.body = body;
  request.headers = {"X-Custom-Header: Value 1", "Content-Type: application/json"};
  CurlClient client;
  CurlResult result = client.Perform(request);

  REQUIRE(result.code == CURLE_OK);
  CHECK(result.http_version == CURL_HTTP_VERSION_2_0);
  CHECK(result.status == 201);
  CHECK(result.headers["x-reply"] == "yes");
  CHECK(result.headers.count("connection") == 0);
  CHECK(result.headers["content-type"] == "application/json");
  CHECK(result.headers["content-length"] == std::to_string(body.size()));
  CHECK(result.body == body);

  std::lock_guard lock(mutex);
  REQUIRE(seen);
  CHECK(seen->method == "POST");
  CHECK(seen->path == "/v1.0/users/a b/messages");
  CHECK(seen->raw_query == "$select=a,b&%24top=5&name=x%20y&plus=a+b&flag");
  REQUIRE(seen->query.count("$select") == 1);
  CHECK(seen->query.find("$select")->second == "a,b");
  REQUIRE(seen->query.count("$top") == 1);
  CHECK(seen->query.find("$top")->second == "5");
  CHECK(seen->query.find("name")->second == "x y");
  CHECK(seen->query.find("plus")->second == "a b");
  REQUIRE(seen->query.count("flag") == 1);
  CHECK(seen->query.find("flag")->second.empty());
  CHECK(seen->header("x-custom-header") == "Value 1");
  CHECK(seen->header("content-type") == "application/json");
  CHECK(seen->header("host") == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(seen->body == body);
}

TEST_CASE("h2_server: 50 slow requests share one connection and overlap", "[sim_server][h2]") {
  H2Fixture f;
  Overlap overlap;
  H2Server server(f.Options(), [&](const HttpRequest& request) {
    overlap.Enter();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    overlap.Leave();
    return Body(request.path);
  });

  constexpr int kRequests = 50;
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  std::vector<CURL*> easies;
  const std::string ca_file = f.ca.ca_cert_path();
  for (int i = 0; i < kRequests; ++i) {
    CURL* easy = curl_easy_init();
    const std::string url = server.origin() + "/r" + std::to_string(i);
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);   // wait for the h2 connection rather than open another
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Discard);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 20000L);
    curl_multi_add_handle(multi, easy);
    easies.push_back(easy);
  }
  int running = 1;
  while (running > 0) {
    REQUIRE(curl_multi_perform(multi, &running) == CURLM_OK);
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  long connects = 0;
  int ok = 0;
  while (CURLMsg* message = curl_multi_info_read(multi, &running)) {
    if (message->msg != CURLMSG_DONE) continue;
    if (message->data.result == CURLE_OK) ++ok;
    long n = 0;
    curl_easy_getinfo(message->easy_handle, CURLINFO_NUM_CONNECTS, &n);
    connects += n;
  }
  for (CURL* easy : easies) {
    curl_multi_remove_handle(multi, easy);
    curl_easy_cleanup(easy);
  }
  curl_multi_cleanup(multi);

  CHECK(ok == kRequests);
  CHECK(connects == 1);
  CHECK(server.connections_accepted() == 1);
  CHECK(server.requests_served() == kRequests);
  CHECK(overlap.most() >= 2);
}

TEST_CASE("h2_server: a body announced over 64 MiB is refused with 413", "[sim_server][h2]") {
  H2Fixture f;
  std::atomic<int> calls{0};
  H2Server server(f.Options(), [&](const HttpRequest&) {
    ++calls;
    return Body("{}");
  });
  CurlRequest request = f.Get(server, "/big");
  request.method = "POST";
  request.synthetic_body_bytes = (64LL << 20) + 1;
  CurlClient client;
  CurlResult r = client.Perform(request);
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.status == 413);
  CHECK_THAT(r.body, Catch::Contains("requestEntityTooLarge"));
  CHECK(calls == 0);
}

TEST_CASE("h2_server: a throwing handler yields 500 and the connection keeps serving", "[sim_server][h2]") {
  H2Fixture f;
  H2Server server(f.Options(), [](const HttpRequest& r) -> HttpResponse {
    if (r.path == "/boom") throw std::logic_error("kaboom \"quoted\"");
    return Body("{}");
  });
  CurlClient client;
  CurlResult boom = client.Perform(f.Get(server, "/boom"));
  REQUIRE(boom.code == CURLE_OK);
  CHECK(boom.status == 500);
  CHECK(boom.headers["content-type"] == "application/json");
  CHECK(boom.body == R"({"error":{"code":"simInternalError","message":"kaboom \"quoted\""}})");
  CurlResult fine = client.Perform(f.Get(server, "/fine"));
  REQUIRE(fine.code == CURLE_OK);
  CHECK(fine.status == 200);
  CHECK(fine.num_connects == 0);
}

TEST_CASE("h2_server: faults reach the client as the errors they stand for", "[sim_server][h2][faults]") {
  H2Fixture f;
  H2Server server(f.Options(), [](const HttpRequest& r) {
    HttpResponse response;
    response.body = R"({"records":[{"id":"1"},{"id":"2"}]})";
    if (r.path == "/drop") response.drop = true;
    if (r.path == "/cut") response.cut_after = 10;
    if (r.path == "/declared") {
      response.body = "{\"value\":[";
      response.declared_bytes = 3u << 20;
    }
    return response;
  });
  CurlClient client;

  // RST_STREAM(INTERNAL_ERROR) without headers.
  CurlResult drop = client.Perform(f.Get(server, "/drop"));
  CHECK(drop.code == CURLE_HTTP2_STREAM);
  CHECK(drop.status == 0);

  // Headers and 10 bytes, then RST_STREAM: libcurl 7.88 reports the reset
  // without handing over what came before it.
  CurlResult cut = client.Perform(f.Get(server, "/cut"));
  CHECK(cut.code == CURLE_HTTP2_STREAM);

  CurlResult declared = client.Perform(f.Get(server, "/declared"));
  REQUIRE(declared.code == CURLE_OK);
  CHECK(declared.headers["content-length"] == std::to_string(3u << 20));
  REQUIRE(declared.body.size() == (3u << 20));
  CHECK(declared.body.rfind("{\"value\":[", 0) == 0);
  CHECK(declared.body.back() == ' ');

  CurlResult after = client.Perform(f.Get(server, "/fine"));
  CHECK(after.code == CURLE_OK);   // a reset stream leaves the connection usable
}

TEST_CASE("h2_server: a client that does not offer h2 is refused during the TLS handshake", "[sim_server][h2]") {
  H2Fixture f;
  std::atomic<int> calls{0};
  H2Server server(f.Options(), [&](const HttpRequest&) {
    ++calls;
    return Body("{}");
  });
  CurlRequest request = f.Get(server, "/");
  request.http_version = CURL_HTTP_VERSION_1_1;
  CurlClient client;
  CurlResult r = client.Perform(request);
  CHECK(r.code == CURLE_SSL_CONNECT_ERROR);
  CHECK_THAT(r.error, Catch::Contains("no application protocol"));
  CHECK(calls == 0);
}

TEST_CASE("h2_server: requests on resumed TLS sessions are counted", "[sim_server][h2][tls]") {
  H2Fixture f;
  H2Server server(f.Options(), [](const HttpRequest&) { return Body("{}"); });
  CURLSH* share = curl_share_init();
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  const std::string ca_file = f.ca.ca_cert_path();
  const std::string url = server.origin() + "/";
  // The first handle stays open until the end: libcurl 7.88 closes an h2
  // connection without close_notify, and OpenSSL then voids the session
  // ticket that connection brought (as a truncated session).
  std::vector<CURL*> easies;
  for (int i = 0; i < 2; ++i) {
    CURL* easy = curl_easy_init();   // its own connection cache: a new connection
    easies.push_back(easy);
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_SHARE, share);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Discard);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 20000L);
    CHECK(curl_easy_perform(easy) == CURLE_OK);
  }
  for (CURL* easy : easies) curl_easy_cleanup(easy);
  curl_share_cleanup(share);
  CHECK(server.connections_accepted() == 2);
  CHECK(server.requests_on_resumed_tls() >= 1);
}

TEST_CASE("h2_server: destroying the server with requests in flight neither hangs nor crashes", "[sim_server][h2]") {
  H2Fixture f;
  std::atomic<int> entered{0};
  std::promise<void> all_entered;
  auto server = std::make_unique<H2Server>(f.Options(), [&](const HttpRequest&) {
    if (++entered == 3) all_entered.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return Body("{}");
  });
  std::vector<std::future<CurlResult>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::async(std::launch::async, [&] {
      CurlClient client;
      return client.Perform(f.Get(*server, "/slow"));
    }));
  }
  REQUIRE(all_entered.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  auto stopped = std::async(std::launch::async, [&] { server.reset(); });
  REQUIRE(stopped.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  for (auto& client : clients) {
    REQUIRE(client.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    client.get();   // an error or an answer, either is fine: the server went away
  }
}

TEST_CASE("h2_server: MakeServer picks the transport, and HTTP/2 needs TLS", "[sim_server][h2]") {
  H2Fixture f;
  auto h2 = MakeServer(f.Options(), [](const HttpRequest&) { return Body("{}"); });
  CurlClient client;
  CurlResult r = client.Perform(f.Get(*h2, "/"));
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.http_version == CURL_HTTP_VERSION_2_0);

  ServerOptions http1 = f.Options();
  http1.http2 = false;
  auto mhd = MakeServer(http1, [](const HttpRequest&) { return Body("{}"); });
  CurlRequest request = f.Get(*mhd, "/");
  CurlResult r1 = client.Perform(request);
  REQUIRE(r1.code == CURLE_OK);
  CHECK(r1.http_version == CURL_HTTP_VERSION_1_1);

  ServerOptions plain = f.Options();
  plain.tls = false;
  CHECK_THROWS_WITH(MakeServer(plain, [](const HttpRequest&) { return Body("{}"); }),
                    Catch::StartsWith("crmsync-sim: cannot listen on 127.0.0.1:0: ") &&
                        Catch::Contains("HTTPS only"));
}

TEST_CASE("h2_server: start failures are reported clearly", "[sim_server][h2]") {
  H2Fixture f;
  auto handler = [](const HttpRequest&) { return Body("{}"); };
  SECTION("port in use") {
    H2Server first(f.Options(), handler);
    ServerOptions options = f.Options();
    options.port = first.port();
    CHECK_THROWS_WITH(H2Server(options, handler),
                      Catch::StartsWith("crmsync-sim: cannot listen on 127.0.0.1:" + std::to_string(first.port())));
  }
  SECTION("TLS identity rejected") {
    ServerOptions options = f.Options();
    options.identity = {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not a key"};
    CHECK_THROWS_WITH(H2Server(options, handler), Catch::Contains("TLS certificate rejected"));
  }
}

}  // namespace
}  // namespace crmsync::sim
