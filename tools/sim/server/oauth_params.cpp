#include "oauth_params.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cctype>

#include <fmt/core.h>

namespace crmsync::sim {

std::string ArgOf(const std::map<std::string, std::string>& args, const char* name) {
  auto it = args.find(name);
  return it == args.end() ? std::string() : it->second;
}

std::string ArgOf(const std::multimap<std::string, std::string>& args, const char* name) {
  auto it = args.find(name);
  return it == args.end() ? std::string() : it->second;
}

std::string QueryArg(const HttpRequest& request, const char* name) { return ArgOf(request.query, name); }

bool LoopbackRedirect(std::string_view uri) {
  return uri.starts_with("http://127.0.0.1:") || uri.starts_with("http://localhost:");
}

std::string Base64UrlSha256(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::string encoded(4 * ((sizeof digest + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), digest, sizeof digest);
  encoded.resize(static_cast<std::size_t>(n));
  for (char& c : encoded) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  return encoded;
}

std::string PercentEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

}  // namespace crmsync::sim
