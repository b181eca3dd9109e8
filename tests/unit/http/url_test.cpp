#include <catch2/catch.hpp>

#include "crmsync/http/transport.hpp"
#include "crmsync/http/url.hpp"

using crmsync::http::FormEncode;
using crmsync::http::HostForMessages;
using crmsync::http::HostPort;

TEST_CASE("HostPort names host and port, never path, query or user info", "[http]") {
  CHECK(HostPort("https://login.microsoftonline.com/tenant/oauth2/v2.0/token?x=secret") ==
        "login.microsoftonline.com:443");
  CHECK(HostPort("http://127.0.0.1:8080/a") == "127.0.0.1:8080");
  CHECK(HostPort("https://user:pw@example.com/") == "example.com:443");
  CHECK(HostPort("not a url") == "<invalid url>");
  CHECK(HostForMessages("https://login.salesforce.com/services/oauth2/token") == "login.salesforce.com");
  CHECK(HostForMessages("https://127.0.0.1:8443/token") == "127.0.0.1:8443");
}

TEST_CASE("FormEncode percent-encodes names and values", "[http]") {
  CHECK(FormEncode({{"a", "x y"}, {"b&c", "1+2=3/4"}, {"empty", ""}}) == "a=x%20y&b%26c=1%2B2%3D3%2F4&empty=");
  CHECK(FormEncode({}).empty());
}

TEST_CASE("Response::header finds the first header of a lower-case name", "[http]") {
  crmsync::http::Response response;
  response.headers = {{"retry-after", "3"}, {"x-a", "1"}, {"x-a", "2"}};
  CHECK(response.header("x-a") == "1");
  CHECK(response.header("retry-after") == "3");
  CHECK(response.header("missing").empty());
}
