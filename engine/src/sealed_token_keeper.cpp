#include "sealed_token_keeper.hpp"

#include <charconv>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace crmsync::engine {
namespace {

// use_until_unix_ms, instance_url and the token, a line each: none of them
// holds a line break (OAuth tokens and URLs are printable ASCII).
std::string Encode(const auth::KeptToken& kept) {
  return fmt::format("{}\n{}\n{}", kept.use_until_unix_ms, kept.token.instance_url, kept.token.value);
}

std::optional<auth::KeptToken> Decode(std::string_view text) {
  const std::size_t first = text.find('\n');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = text.find('\n', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auth::KeptToken kept;
  const auto [end, error] = std::from_chars(text.data(), text.data() + first, kept.use_until_unix_ms);
  if (error != std::errc() || end != text.data() + first) return std::nullopt;
  kept.token.instance_url = std::string(text.substr(first + 1, second - first - 1));
  kept.token.value = std::string(text.substr(second + 1));
  if (kept.token.value.empty()) return std::nullopt;
  return kept;
}

}  // namespace

SealedTokenKeeper::SealedTokenKeeper(state::Store& store, const state::SecretBox& box, std::string tenant)
    : store_(store), box_(box), tenant_(std::move(tenant)) {}

std::optional<auth::KeptToken> SealedTokenKeeper::Load(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = unsaved_.find(key); it != unsaved_.end()) return it->second;
  }
  auto sealed = store_.GetSecret(tenant_, KindOf(key));
  if (!sealed.ok() || !sealed.value()) return std::nullopt;
  auto opened = box_.Open(tenant_, KindOf(key), *sealed.value());
  if (!opened.ok()) return std::nullopt;
  return Decode(opened.value());
}

void SealedTokenKeeper::Keep(const std::string& key, const auth::KeptToken& token) {
  std::lock_guard lock(mutex_);
  unsaved_[key] = token;
}

Status SealedTokenKeeper::Save() {
  std::unordered_map<std::string, auth::KeptToken> unsaved;
  {
    std::lock_guard lock(mutex_);
    unsaved.swap(unsaved_);
  }
  if (unsaved.empty()) return Status::Ok();
  std::vector<state::SealedSecret> secrets;
  secrets.reserve(unsaved.size());
  for (const auto& [key, kept] : unsaved) {
    auto sealed = box_.Seal(tenant_, KindOf(key), Encode(kept));
    if (!sealed.ok()) return sealed.status();
    secrets.push_back(state::SealedSecret{tenant_, KindOf(key), std::move(sealed.value())});
  }
  return store_.PutSecrets(secrets);
}

}  // namespace crmsync::engine
