#include "crmsync/salesforce/host_allowlist.hpp"

#include <array>
#include <memory>
#include <string>

#include <curl/curl.h>
#include <fmt/format.h>

namespace crmsync::salesforce {
namespace {

constexpr std::array<std::string_view, 4> kSalesforceDomains = {
    "salesforce.com", "force.com", "siteforce.com", "my.site.com"};

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlString {
  char* text = nullptr;
  ~CurlString() { curl_free(text); }
};

bool OnLabelBoundary(std::string_view host, std::string_view domain) {
  if (host == domain) return true;
  return host.size() > domain.size() && host.ends_with(domain) &&
         host[host.size() - domain.size() - 1] == '.';
}

bool IsLoopback(std::string_view host) {
  return host == "localhost" || host == "[::1]" || host == "::1" || host.starts_with("127.");
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

Status CheckSalesforceUrl(std::string_view url, bool allow_loopback) {
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (!parsed) return Status::InvalidArgument("out of memory parsing a URL");
  const std::string text(url);
  // Only absolute URLs with a scheme; no guessing of a missing one.
  if (curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return Status::InvalidArgument(fmt::format("\"{}\" is not a valid URL", text));
  }
  CurlString scheme, host, user, password;
  curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme.text, 0);
  curl_url_get(parsed.get(), CURLUPART_HOST, &host.text, 0);
  curl_url_get(parsed.get(), CURLUPART_USER, &user.text, 0);
  curl_url_get(parsed.get(), CURLUPART_PASSWORD, &password.text, 0);
  const std::string host_name = Lower(host.text != nullptr ? host.text : "");
  std::string_view bare = host_name;
  if (bare.ends_with('.')) bare.remove_suffix(1);   // a fully qualified "salesforce.com."
  const std::string scheme_name = Lower(scheme.text != nullptr ? scheme.text : "");
  // The simulator's plain-HTTP mode (the TLS cost benchmark) is the one
  // exception to https, and only on loopback with the test flag.
  const bool loopback_http = allow_loopback && IsLoopback(bare) && scheme_name == "http";
  if (scheme_name != "https" && !loopback_http) {
    return Status::InvalidArgument(
        fmt::format("host {} refused: Salesforce is reached over https only", host_name));
  }
  if (user.text != nullptr || password.text != nullptr) {
    return Status::InvalidArgument(
        fmt::format("host {} refused: a Salesforce URL must not carry a user name or password", host_name));
  }
  for (std::string_view domain : kSalesforceDomains) {
    if (OnLabelBoundary(bare, domain)) return Status::Ok();
  }
  if (IsLoopback(bare)) {
    if (allow_loopback) return Status::Ok();
    return Status::InvalidArgument(fmt::format(
        "host {} refused: a loopback host is allowed only for the simulator (allow_loopback = true)", host_name));
  }
  return Status::InvalidArgument(fmt::format(
      "host {} refused: not a Salesforce domain (salesforce.com, force.com, siteforce.com, my.site.com)",
      host_name));
}

}  // namespace crmsync::salesforce
