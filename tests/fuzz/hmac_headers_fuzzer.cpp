// libFuzzer target: the HMAC-signed provisioning request (method, path,
// X-Crmsync-* headers, body) through ProvisioningVerifier::Verify and the
// body parser. Input: "METHOD PATH\nname: value\n...\n\nbody". Any input is
// accepted or refused with a reason, never a crash; a request is accepted
// only when its signature is the one the tenant's secret gives.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>

#include "crmsync/auth/hmac_request.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/engine/provisioning.hpp"
#include "crmsync/state/store.hpp"

namespace {

constexpr std::int64_t kNowMs = 1790000000000;
constexpr std::string_view kSecret = "acme-current-secret-0123456789abcdef";

struct Verifier {
  crmsync::engine::Config config;
  std::unique_ptr<crmsync::state::Store> nonces;
  std::unique_ptr<crmsync::engine::ProvisioningVerifier> verifier;

  Verifier() {
    const std::string text =
        "[[tenants]]\nid = \"acme\"\ndomains = [\"acme.example\"]\n"
        "[tenants.microsoft]\ntenant_id = \"t\"\nclient_id = \"c\"\nclient_secret = \"s\"\n"
        "[tenants.salesforce]\nclient_id = \"sc\"\nclient_secret = \"ss\"\nrefresh_token = \"rt\"\n"
        "[tenants.provisioning]\nhmac_secrets = [\"acme-current-secret-0123456789abcdef\"]\n";
    auto parsed = crmsync::engine::ParseConfig(text, "fuzz.toml");
    if (!parsed.ok()) std::abort();
    config = std::move(parsed.value());
    dir = std::filesystem::temp_directory_path() / ("crmsync-hmac-fuzz-" + std::to_string(getpid()));
    auto store = crmsync::state::Store::Open(dir.string());
    if (!store.ok()) std::abort();
    nonces = std::move(store.value());
    verifier = std::make_unique<crmsync::engine::ProvisioningVerifier>(config, *nonces, [] { return kNowMs; });
  }
  ~Verifier() {
    verifier.reset();
    nonces.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  std::filesystem::path dir;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Verifier v;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto line_end = input.find('\n');
  const std::string_view request_line = input.substr(0, line_end);
  input = line_end == std::string_view::npos ? std::string_view() : input.substr(line_end + 1);
  const auto space = request_line.find(' ');
  const std::string_view method = request_line.substr(0, space);
  const std::string_view path = space == std::string_view::npos ? std::string_view() : request_line.substr(space + 1);

  std::map<std::string, std::string> headers;
  while (!input.empty()) {
    const auto end = input.find('\n');
    const std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    if (line.empty()) break;
    const auto colon = line.find(':');
    std::string name(line.substr(0, colon));
    for (char& c : name) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers[name] = std::string(value);
  }
  const crmsync::engine::Verdict verdict = v.verifier->Verify(method, path, headers, input);
  if (verdict.accepted()) {
    const auto& ts = headers["x-crmsync-timestamp"];
    std::int64_t timestamp = 0;
    for (char c : ts) timestamp = timestamp * 10 + (c - '0');   // accepted: digits only
    auto expected = crmsync::auth::SignRequest(kSecret, method, path, input, timestamp,
                                               headers["x-crmsync-nonce"]);
    if (!expected.ok() || expected->signature != headers["x-crmsync-signature"]) std::abort();
  } else if (verdict.http_status() != 401 && verdict.http_status() != 503) {
    std::abort();
  }

  auto user = crmsync::engine::ParseProvisionedUser(input);
  if (!user.ok() && user.status().code() != crmsync::StatusCode::kInvalidArgument) std::abort();
  return 0;
}
