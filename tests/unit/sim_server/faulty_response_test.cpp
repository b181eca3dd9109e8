// The server side of fault injection: a dropped connection, a body cut short,
// and an oversized body streamed without being held in memory.
#include <catch2/catch.hpp>

#include "curl_client.hpp"
#include "http_server.hpp"

namespace crmsync::sim {
namespace {

using test::CurlClient;
using test::CurlRequest;
using test::CurlResult;

CurlResult Get(HttpServer& server) {
  CurlClient client;
  CurlRequest request;
  request.url = server.origin() + "/x";
  return client.Perform(request);
}

ServerOptions PlainHttp() {
  ServerOptions options;
  options.tls = false;
  return options;
}

TEST_CASE("sim_server: drop closes the connection without an answer", "[sim_server][faults]") {
  HttpServer server(PlainHttp(), [](const HttpRequest&) {
    HttpResponse r;
    r.drop = true;
    return r;
  });
  CurlResult result = Get(server);
  CHECK(result.code == CURLE_GOT_NOTHING);
  CHECK(result.status == 0);
}

TEST_CASE("sim_server: cut_after sends part of the announced body, then closes", "[sim_server][faults]") {
  HttpServer server(PlainHttp(), [](const HttpRequest&) {
    HttpResponse r;
    r.body = R"({"records":[{"id":"1"},{"id":"2"}]})";
    r.cut_after = 10;
    return r;
  });
  CurlResult result = Get(server);
  CHECK(result.code == CURLE_PARTIAL_FILE);
  CHECK(result.status == 200);
  CHECK(result.body == R"({"records")");
}

TEST_CASE("sim_server: declared_bytes pads the body up to an oversized length", "[sim_server][faults]") {
  constexpr std::uint64_t kDeclared = 3u << 20;
  HttpServer server(PlainHttp(), [](const HttpRequest&) {
    HttpResponse r;
    r.body = "{\"value\":[";
    r.declared_bytes = kDeclared;
    return r;
  });
  CurlResult result = Get(server);
  CHECK(result.code == CURLE_OK);
  CHECK(result.headers["content-length"] == std::to_string(kDeclared));
  REQUIRE(result.body.size() == kDeclared);
  CHECK(result.body.rfind("{\"value\":[", 0) == 0);
  CHECK(result.body.back() == ' ');
}

}  // namespace
}  // namespace crmsync::sim
