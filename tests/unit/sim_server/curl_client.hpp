// A blocking libcurl easy client for the sim server tests: one handle, so
// consecutive Perform() calls may reuse a kept-alive connection.
#pragma once

#include <curl/curl.h>

#include <map>
#include <string>
#include <vector>

namespace crmsync::sim::test {

struct CurlRequest {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::vector<std::string> headers;   // "Name: value"
  std::string ca_file;                // empty: the system trust store
  bool chunked = false;               // send body with Transfer-Encoding: chunked
  long long synthetic_body_bytes = -1;  // >= 0: stream this many 'x' bytes instead of body
  long http_version = 0;              // CURLOPT_HTTP_VERSION; 0: libcurl's default (h2 over TLS)
};

struct CurlResult {
  CURLcode code = CURLE_OK;
  std::string error;
  long status = 0;
  long num_connects = 0;
  long http_version = 0;   // CURLINFO_HTTP_VERSION: CURL_HTTP_VERSION_1_1, _2_0, ...
  std::string body;
  std::map<std::string, std::string> headers;   // lower-cased names
};

class CurlClient {
 public:
  CurlClient();
  ~CurlClient();
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;
  CurlResult Perform(const CurlRequest& request);

 private:
  CURL* easy_;
};

}  // namespace crmsync::sim::test
