// The pieces of an OAuth authorization-code flow with PKCE that `crmsync
// connect salesforce` and `crmsync connect mailbox` share: the verifier, its
// S256 challenge and the state, and the loopback redirect the browser brings
// the code back to.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "crmsync/core/status.hpp"
#include "http_server.hpp"

namespace crmsync::tools {

struct Pkce {
  std::string verifier;
  std::string challenge;   // base64url(SHA-256(verifier)), for code_challenge_method=S256
  std::string state;       // binds the redirect to this request
};
Result<Pkce> NewPkce();

// Listens on http://127.0.0.1:PORT{path} (port 0: any free port) for the one
// redirect that carries the authorization code.
class LoopbackRedirect {
 public:
  static Result<std::unique_ptr<LoopbackRedirect>> Listen(int port, const std::string& path);
  std::string redirect_uri() const;
  // The code, once the redirect arrived within `timeout` with `state`;
  // `service` names the provider when it refused.
  Result<std::string> WaitForCode(const std::string& state, std::chrono::seconds timeout, const std::string& service);

 private:
  struct Callback {
    std::promise<std::pair<std::string, std::string>> code_and_state;
    std::once_flag once;
  };
  LoopbackRedirect() = default;
  std::string path_;
  std::shared_ptr<Callback> callback_ = std::make_shared<Callback>();
  std::future<std::pair<std::string, std::string>> received_ = callback_->code_and_state.get_future();
  std::unique_ptr<sim::HttpServer> server_;
};

// Also writes the authorize URL to `path` for scripts (nothing when empty).
void WriteUrlFile(const std::string& path, const std::string& url);

}  // namespace crmsync::tools
