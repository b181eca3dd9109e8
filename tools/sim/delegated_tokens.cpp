#include "delegated_tokens.hpp"

#include "text_util.hpp"

namespace crmsync::sim {
namespace {

// Microsoft refresh tokens are long opaque strings; the prefix only helps a
// human reading a test log tell them from access tokens.
std::string NewRefreshToken() { return "M.C5_BAY.0.U.-" + RandomToken(64); }

}  // namespace

std::string DelegatedTokens::Issue(int tenant, int user) {
  std::lock_guard lock(mu_);
  Chain& chain = chains_[{tenant, user}];
  owner_.erase(chain.current);
  owner_.erase(chain.previous);
  chain.previous.clear();
  chain.current = NewRefreshToken();
  owner_[chain.current] = {tenant, user};
  return chain.current;
}

std::optional<DelegatedTokens::Redeemed> DelegatedTokens::Redeem(const std::string& refresh_token) {
  std::lock_guard lock(mu_);
  auto it = owner_.find(refresh_token);
  if (refresh_token.empty() || it == owner_.end()) return std::nullopt;
  const auto key = it->second;
  Chain& chain = chains_[key];
  const std::string successor = NewRefreshToken();
  if (refresh_token == chain.current) {
    // The successor's predecessor is the token just redeemed; the one before
    // that is void now.
    owner_.erase(chain.previous);
    chain.previous = chain.current;
  } else {
    // The predecessor again (the client lost the successor): that successor,
    // never redeemed, is dropped.
    owner_.erase(chain.current);
  }
  chain.current = successor;
  owner_[successor] = key;
  return Redeemed{key.first, key.second, successor};
}

std::string DelegatedTokens::NewCode(PendingCode pending) {
  std::string code = "0.AXoA" + RandomToken(48);
  std::lock_guard lock(mu_);
  codes_[code] = std::move(pending);
  return code;
}

std::optional<DelegatedTokens::PendingCode> DelegatedTokens::TakeCode(const std::string& code) {
  std::lock_guard lock(mu_);
  auto it = codes_.find(code);
  if (code.empty() || it == codes_.end()) return std::nullopt;
  PendingCode pending = std::move(it->second);
  codes_.erase(it);
  return pending;
}

}  // namespace crmsync::sim
