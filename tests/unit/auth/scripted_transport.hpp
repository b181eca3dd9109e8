// A Transport for tests: answers each request from a queue of canned
// responses, records what was sent, and can hold answers until the test
// releases them (to have several callers waiting on one grant).
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "crmsync/http/transport.hpp"

namespace crmsync::testing {

class ScriptedTransport final : public http::Transport {
 public:
  void Submit(http::Request request, http::Completion done) override;

  // Queues the answer to the next request.
  void Reply(long status, std::string body, http::Headers headers = {});
  void Fail(http::TransportError error, std::string message);

  // While held, requests wait until Release() answers them in order.
  void Hold() { std::lock_guard lock(mu_); held_ = true; }
  void Release();

  std::vector<http::Request> requests() const { std::lock_guard lock(mu_); return requests_; }

 private:
  http::Response NextAnswer();

  mutable std::mutex mu_;
  bool held_ = false;
  std::deque<http::Response> script_;
  std::vector<http::Request> requests_;
  std::vector<http::Completion> waiting_;
};

// Decodes an application/x-www-form-urlencoded body.
std::map<std::string, std::string> DecodeForm(const std::string& body);

}  // namespace crmsync::testing
