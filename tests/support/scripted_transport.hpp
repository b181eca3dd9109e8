// A Transport for tests: records every request and answers it from a script,
// either on the caller's thread from a queue of canned answers, or on its own
// thread (like the curl loop) from a Responder function.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <condition_variable>
#include <utility>
#include <vector>

#include "crmsync/http/transport.hpp"

namespace crmsync::testing {

// A response with `status`, `body` and `headers`.
http::Response Reply(long status, std::string body, http::Headers headers = {});
// A response that failed in the transport (no HTTP status).
http::Response TransportFailure(http::TransportError error, std::string message);

class ScriptedTransport final : public http::Transport {
 public:
  // Computes the answer to each request, in submission order.
  using Responder = std::function<http::Response(const http::Request&)>;

  // Answers each request inside Submit(), on the caller's thread, with the next
  // answer queued by Reply()/Fail(); running out of answers throws
  // std::logic_error. Hold() parks requests until Release().
  ScriptedTransport() = default;
  // Answers each request with `responder` on the transport's own thread, so
  // completions never run on the caller's thread.
  explicit ScriptedTransport(Responder responder);
  ~ScriptedTransport() override;

  ScriptedTransport(const ScriptedTransport&) = delete;
  ScriptedTransport& operator=(const ScriptedTransport&) = delete;

  void Submit(http::Request request, http::Completion done) override;

  // Queues the answer to the next request (first constructor only).
  void Reply(long status, std::string body, http::Headers headers = {});
  void Fail(http::TransportError error, std::string message);

  // While held, requests wait until Release() answers them in order (first
  // constructor only).
  void Hold();
  void Release();

  // Every request answered or waiting so far, in order.
  std::vector<http::Request> requests() const;

 private:
  http::Response NextAnswer();
  void Run();

  mutable std::mutex mu_;
  // Queue mode.
  bool held_ = false;
  std::deque<http::Response> script_;
  std::vector<http::Completion> waiting_;
  // Thread mode.
  Responder responder_;
  std::condition_variable wake_;
  std::deque<std::pair<http::Request, http::Completion>> queue_;
  bool stopping_ = false;

  std::vector<http::Request> requests_;
  std::thread worker_;  // last: starts after the members it uses
};

// A Responder that serves `script` in order, then repeats the last entry.
ScriptedTransport::Responder Script(std::vector<http::Response> script);

// The value of header `name` (as sent, case-sensitive) in `request`; "" if absent.
std::string HeaderOf(const http::Request& request, const std::string& name);

// Percent-decodes `text`.
std::string UrlDecode(std::string_view text);

// Decodes an application/x-www-form-urlencoded body.
std::map<std::string, std::string> DecodeForm(const std::string& body);

}  // namespace crmsync::testing
