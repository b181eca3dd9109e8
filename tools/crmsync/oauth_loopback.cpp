#include "oauth_loopback.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <fstream>

#include <fmt/format.h>

namespace crmsync::tools {
namespace {

std::string Base64Url(const unsigned char* bytes, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::string RandomUrlToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return {};
  return Base64Url(bytes, sizeof bytes);
}

}  // namespace

Result<Pkce> NewPkce() {
  Pkce pkce;
  pkce.verifier = RandomUrlToken();
  pkce.state = RandomUrlToken();
  if (pkce.verifier.empty() || pkce.state.empty()) return Status::Io("no random bytes for the PKCE verifier");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(pkce.verifier.data()), pkce.verifier.size(), digest);
  pkce.challenge = Base64Url(digest, sizeof digest);
  return pkce;
}

Result<std::unique_ptr<LoopbackRedirect>> LoopbackRedirect::Listen(int port, const std::string& path) {
  std::unique_ptr<LoopbackRedirect> redirect(new LoopbackRedirect());
  redirect->path_ = path;
  sim::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = static_cast<std::uint16_t>(port);
  options.tls = false;   // a loopback redirect: the browser talks to this machine only
  try {
    redirect->server_ = std::make_unique<sim::HttpServer>(
        options, [callback = redirect->callback_, path](const sim::HttpRequest& request) {
          sim::HttpResponse response;
          if (request.path != path) {
            response.status = 404;
            return response;
          }
          auto code = request.query.find("code");
          auto state = request.query.find("state");
          auto error = request.query.find("error");
          std::call_once(callback->once, [&] {
            callback->code_and_state.set_value({code == request.query.end() ? "" : code->second,
                                                error != request.query.end() ? "error:" + error->second
                                                : state == request.query.end() ? "" : state->second});
          });
          response.headers.emplace("Content-Type", "text/plain; charset=utf-8");
          response.body = "crmsync: the authorization was received; you can close this window.\n";
          return response;
        });
  } catch (const std::exception& e) {
    return Status::Io(fmt::format("cannot listen for the OAuth redirect on 127.0.0.1:{}: {}", port, e.what()));
  }
  return redirect;
}

std::string LoopbackRedirect::redirect_uri() const {
  return fmt::format("http://127.0.0.1:{}{}", server_->port(), path_);
}

Result<std::string> LoopbackRedirect::WaitForCode(const std::string& state, std::chrono::seconds timeout,
                                                  const std::string& service) {
  if (received_.wait_for(timeout) != std::future_status::ready) {
    return Status::Transient(fmt::format("no authorization arrived within {} s", timeout.count()));
  }
  auto [code, returned_state] = received_.get();
  if (returned_state.starts_with("error:")) {
    return Status::Unauthorized(service + " refused the authorization: " + returned_state.substr(6));
  }
  if (returned_state != state) return Status::Unauthorized("the redirect's state does not match (not this request)");
  if (code.empty()) return Status::Unauthorized("the redirect carried no authorization code");
  return code;
}

void WriteUrlFile(const std::string& path, const std::string& url) {
  if (path.empty()) return;
  std::ofstream out(path, std::ios::trunc);
  out << url << "\n";
}

}  // namespace crmsync::tools
