#include "scripted_transport.hpp"

#include <curl/curl.h>

#include <stdexcept>

namespace crmsync::testing {

void ScriptedTransport::Reply(long status, std::string body, http::Headers headers) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  std::lock_guard lock(mu_);
  script_.push_back(std::move(response));
}

void ScriptedTransport::Fail(http::TransportError error, std::string message) {
  http::Response response;
  response.error = error;
  response.error_message = std::move(message);
  std::lock_guard lock(mu_);
  script_.push_back(std::move(response));
}

http::Response ScriptedTransport::NextAnswer() {
  std::lock_guard lock(mu_);
  if (script_.empty()) throw std::logic_error("ScriptedTransport: no scripted answer left");
  http::Response response = std::move(script_.front());
  script_.pop_front();
  return response;
}

void ScriptedTransport::Submit(http::Request request, http::Completion done) {
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

std::map<std::string, std::string> DecodeForm(const std::string& body) {
  std::map<std::string, std::string> fields;
  auto decode = [](const std::string& text) {
    int length = 0;
    char* raw = curl_easy_unescape(nullptr, text.c_str(), static_cast<int>(text.size()), &length);
    std::string out(raw, static_cast<size_t>(length));
    curl_free(raw);
    return out;
  };
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    const std::string pair = body.substr(start, end - start);
    const size_t eq = pair.find('=');
    if (eq != std::string::npos) fields[decode(pair.substr(0, eq))] = decode(pair.substr(eq + 1));
    start = end + 1;
  }
  return fields;
}

}  // namespace crmsync::testing
