#include "scripted_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <stdexcept>

namespace crmsync::testing {

http::Response Reply(long status, std::string body, http::Headers headers) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

http::Response TransportFailure(http::TransportError error, std::string message) {
  http::Response response;
  response.error = error;
  response.error_message = std::move(message);
  return response;
}

ScriptedTransport::ScriptedTransport(Responder responder) : responder_(std::move(responder)) {
  worker_ = std::thread([this] { Run(); });
}

ScriptedTransport::~ScriptedTransport() {
  if (!worker_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void ScriptedTransport::Reply(long status, std::string body, http::Headers headers) {
  http::Response response = testing::Reply(status, std::move(body), std::move(headers));
  std::lock_guard lock(mu_);
  script_.push_back(std::move(response));
}

void ScriptedTransport::Fail(http::TransportError error, std::string message) {
  http::Response response = TransportFailure(error, std::move(message));
  std::lock_guard lock(mu_);
  script_.push_back(std::move(response));
}

void ScriptedTransport::Hold() {
  std::lock_guard lock(mu_);
  held_ = true;
}

std::vector<http::Request> ScriptedTransport::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

http::Response ScriptedTransport::NextAnswer() {
  std::lock_guard lock(mu_);
  if (script_.empty()) throw std::logic_error("ScriptedTransport: no scripted answer left");
  http::Response response = std::move(script_.front());
  script_.pop_front();
  return response;
}

void ScriptedTransport::Submit(http::Request request, http::Completion done) {
  // Tests read what was sent from `body`; `shared_body` stays, so a test can
  // tell which buffer each attempt sent.
  if (request.shared_body) request.body = *request.shared_body;
  if (responder_) {
    {
      std::lock_guard lock(mu_);
      queue_.emplace_back(std::move(request), std::move(done));
    }
    wake_.notify_all();
    return;
  }
  {
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(request));
    if (held_) {
      waiting_.push_back(std::move(done));
      return;
    }
  }
  done(NextAnswer());
}

void ScriptedTransport::Release() {
  std::vector<http::Completion> waiting;
  {
    std::lock_guard lock(mu_);
    held_ = false;
    waiting.swap(waiting_);
  }
  for (auto& done : waiting) done(NextAnswer());
}

void ScriptedTransport::Run() {
  for (;;) {
    std::pair<http::Request, http::Completion> item;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      item = std::move(queue_.front());
      queue_.pop_front();
      requests_.push_back(item.first);
    }
    http::Response response = responder_(item.first);
    item.second(std::move(response));
  }
}

ScriptedTransport::Responder Script(std::vector<http::Response> script) {
  auto next = std::make_shared<std::atomic<std::size_t>>(0);
  return [script = std::move(script), next](const http::Request&) {
    const std::size_t i = next->fetch_add(1);
    return script[std::min(i, script.size() - 1)];
  };
}

std::string HeaderOf(const http::Request& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return {};
}

std::string UrlDecode(std::string_view text) {
  if (text.empty()) return {};  // curl reads a length of 0 as "up to the NUL"
  int length = 0;
  char* raw = curl_easy_unescape(nullptr, text.data(), static_cast<int>(text.size()), &length);
  std::string out(raw, static_cast<std::size_t>(length));
  curl_free(raw);
  return out;
}

std::map<std::string, std::string> DecodeForm(const std::string& body) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    const std::string pair = body.substr(start, end - start);
    const std::size_t eq = pair.find('=');
    if (eq != std::string::npos) fields[UrlDecode(pair.substr(0, eq))] = UrlDecode(pair.substr(eq + 1));
    start = end + 1;
  }
  return fields;
}

}  // namespace crmsync::testing
