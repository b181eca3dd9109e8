#include "crmsync/http/url.hpp"

#include <curl/curl.h>

#include <memory>

namespace crmsync::http {
namespace {

constexpr const char* kInvalidUrl = "<invalid url>";

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlFree {
  void operator()(char* text) const { curl_free(text); }
};
using CurlText = std::unique_ptr<char, CurlFree>;

CurlText GetPart(CURLU* url, CURLUPart part, unsigned flags) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK) return nullptr;
  return CurlText(text);
}

std::string Authority(std::string_view url_text, bool default_port) {
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) return kInvalidUrl;
  // curl_url_set needs a NUL-terminated string.
  const std::string copy(url_text);
  if (curl_url_set(url.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK) return kInvalidUrl;
  CurlText host = GetPart(url.get(), CURLUPART_HOST, 0);
  if (!host) return kInvalidUrl;
  CurlText port = GetPart(url.get(), CURLUPART_PORT, default_port ? CURLU_DEFAULT_PORT : 0);
  std::string out(host.get());
  if (port) {
    out += ':';
    out += port.get();
  }
  return out;
}

}  // namespace

std::string HostPort(std::string_view url) { return Authority(url, /*default_port=*/true); }

std::string HostForMessages(std::string_view url) { return Authority(url, /*default_port=*/false); }

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  auto append_escaped = [&out](const std::string& text) {
    // Since libcurl 7.82 the handle argument may be null.
    CurlText escaped(curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size())));
    if (escaped) out += escaped.get();
  };
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    append_escaped(name);
    out += '=';
    append_escaped(value);
  }
  return out;
}

}  // namespace crmsync::http
