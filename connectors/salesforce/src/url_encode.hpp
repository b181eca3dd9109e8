// Percent-encoding through libcurl (everything but RFC 3986 unreserved).
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>

namespace crmsync::salesforce::detail {

inline std::string UrlEncode(std::string_view text) {
  if (text.empty()) return {};
  // libcurl ≥ 7.82 ignores the handle argument, so no easy handle is needed.
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size())), &curl_free);
  return escaped ? std::string(escaped.get()) : std::string();
}

}  // namespace crmsync::salesforce::detail
