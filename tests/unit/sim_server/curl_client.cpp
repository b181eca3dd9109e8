#include "curl_client.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

namespace crmsync::sim::test {
namespace {

struct GlobalInit {
  GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~GlobalInit() { curl_global_cleanup(); }
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  std::string line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    auto first = value.find_first_not_of(" \t");
    auto last = value.find_last_not_of(" \t\r\n");
    value = first == std::string::npos ? std::string() : value.substr(first, last - first + 1);
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * count;
}

struct Synthetic {
  long long remaining;
};

size_t OnRead(char* buffer, size_t size, size_t count, void* user) {
  auto* s = static_cast<Synthetic*>(user);
  size_t n = std::min<long long>(s->remaining, static_cast<long long>(size * count));
  std::memset(buffer, 'x', n);
  s->remaining -= static_cast<long long>(n);
  return n;
}

}  // namespace

CurlClient::CurlClient() {
  static GlobalInit init;
  easy_ = curl_easy_init();
  if (easy_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

CurlClient::~CurlClient() { curl_easy_cleanup(easy_); }

CurlResult CurlClient::Perform(const CurlRequest& request) {
  CurlResult result;
  char error[CURL_ERROR_SIZE] = {0};
  Synthetic synthetic{request.synthetic_body_bytes};
  curl_easy_reset(easy_);   // keeps the connection cache
  curl_easy_setopt(easy_, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, &result.headers);
  if (request.http_version != 0) curl_easy_setopt(easy_, CURLOPT_HTTP_VERSION, request.http_version);
  if (!request.ca_file.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, request.ca_file.c_str());
  curl_slist* headers = nullptr;
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  if (request.chunked) headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
  if (request.synthetic_body_bytes >= 0) {
    curl_easy_setopt(easy_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy_, CURLOPT_READFUNCTION, &OnRead);
    curl_easy_setopt(easy_, CURLOPT_READDATA, &synthetic);
    if (!request.chunked) {
      curl_easy_setopt(easy_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.synthetic_body_bytes));
    }
  } else if (!request.body.empty() || request.method == "POST" || request.method == "PATCH") {
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  if (request.method != "GET") curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers);
  result.code = curl_easy_perform(easy_);
  result.error = error;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &result.status);
  curl_easy_getinfo(easy_, CURLINFO_NUM_CONNECTS, &result.num_connects);
  curl_easy_getinfo(easy_, CURLINFO_HTTP_VERSION, &result.http_version);
  curl_slist_free_all(headers);
  return result;
}

}  // namespace crmsync::sim::test
