// BuildJwtAssertion: RS256 JWS for Google's JWT-bearer grant (RFC 7523).
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <vector>

#include "crmsync/auth/service_account.hpp"
#include "crmsync/json/escape.hpp"
#include "service_account_pem.hpp"

namespace crmsync::auth {
namespace {

// Google's token lifetime is one hour at most; a longer exp is refused.
constexpr std::int64_t kAssertionLifetimeSeconds = 3600;

std::string Base64Url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(written > 0 ? static_cast<std::size_t>(written) : 0);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::string SignRs256(EVP_PKEY* key, std::string_view input) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1) {
    ERR_clear_error();
    return {};
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    ERR_clear_error();
    return {};
  }
  signature.resize(size);
  return signature;
}

}  // namespace

std::string BuildJwtAssertion(const ServiceAccountKey& key, const std::string& subject,
                              const std::vector<std::string>& scopes,
                              std::chrono::system_clock::time_point now) {
  detail::EvpKey pkey = detail::ReadRsaPrivateKey(key.private_key);
  if (!pkey) return {};
  std::string scope;
  for (const std::string& s : scopes) {
    if (!scope.empty()) scope += ' ';
    scope += s;
  }
  const std::int64_t iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::string header =
      fmt::format(R"({{"alg":"RS256","typ":"JWT","kid":{}}})", json::JsonQuote(key.private_key_id));
  const std::string sub = subject.empty() ? std::string() : fmt::format(R"("sub":{},)", json::JsonQuote(subject));
  const std::string claims = fmt::format(R"({{"iss":{},{}"scope":{},"aud":{},"iat":{},"exp":{}}})",
                                         json::JsonQuote(key.client_email), sub, json::JsonQuote(scope), json::JsonQuote(key.token_uri), iat,
                                         iat + kAssertionLifetimeSeconds);
  std::string signing_input = Base64Url(header) + '.' + Base64Url(claims);
  const std::string signature = SignRs256(pkey.get(), signing_input);
  if (signature.empty()) return {};
  return signing_input + '.' + Base64Url(signature);
}

}  // namespace crmsync::auth
