// Per-user (delegated) Microsoft refresh tokens: what a user's own OAuth
// consent leaves with the application. Issued by /_sim/reissue-mailbox,
// redeemed by the identity endpoint's refresh_token grant. Every redemption
// rotates: the answer carries a successor, and the redeemed token stays valid
// only until that successor is redeemed in turn. A client that crashes
// before storing the successor therefore keeps a working grant, while one
// that keeps using an old token after storing a newer one is refused.
// Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace crmsync::sim {

class DelegatedTokens {
 public:
  struct Redeemed {
    int tenant = -1;
    int user = -1;
    std::string successor;   // the rotated refresh token to hand out
  };

  // A fresh refresh token for (tenant, user); every earlier one is void.
  std::string Issue(int tenant, int user);
  // Redeems `refresh_token` (the current one or its still-valid predecessor);
  // nullopt when it is unknown or void.
  std::optional<Redeemed> Redeem(const std::string& refresh_token);

  // The authorization-code flow: a one-time code for (tenant, user), bound
  // to its redirect URI and PKCE challenge.
  struct PendingCode {
    int tenant = -1;
    int user = -1;
    std::string redirect_uri;
    std::string code_challenge;   // base64url(SHA-256(verifier))
  };
  std::string NewCode(PendingCode pending);
  // The code's binding, once: nullopt when unknown or already exchanged.
  std::optional<PendingCode> TakeCode(const std::string& code);

 private:
  struct Chain {
    std::string current;    // the latest handed out
    std::string previous;   // valid until `current` is redeemed
  };
  std::mutex mu_;
  std::map<std::pair<int, int>, Chain> chains_;
  std::unordered_map<std::string, std::pair<int, int>> owner_;   // live tokens only
  std::unordered_map<std::string, PendingCode> codes_;
};

}  // namespace crmsync::sim
