#include "oauth_reply.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <chrono>

namespace crmsync::auth {
namespace {

std::string_view FirstLine(std::string_view text) {
  // AADSTS descriptions continue with "\r\nTrace ID: ..." lines.
  return text.substr(0, text.find_first_of("\r\n"));
}

std::optional<std::int64_t> ReadSeconds(simdjson::ondemand::value value) {
  std::int64_t seconds = 0;
  if (value.get_int64().get(seconds) == simdjson::SUCCESS) return seconds;
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec == std::errc() && end == text.data() + text.size()) return seconds;
  }
  return std::nullopt;
}

std::chrono::milliseconds RetryAfter(const http::Response& response) {
  const std::string header = response.header("retry-after");
  double seconds = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (ec != std::errc() || seconds < 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

}  // namespace

std::optional<TokenReply> ParseTokenReply(std::string_view body) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string json(body);
  simdjson::ondemand::document doc;
  if (parser.iterate(json).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::ondemand::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
  TokenReply reply;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return std::nullopt;
    simdjson::ondemand::value value;
    if (field.value().get(value) != simdjson::SUCCESS) return std::nullopt;
    std::string_view text;
    auto read_string = [&](std::string& out) {
      if (value.get_string().get(text) == simdjson::SUCCESS) out.assign(text);
    };
    if (key == "access_token") {
      read_string(reply.access_token);
    } else if (key == "expires_in") {
      reply.expires_in = ReadSeconds(value);
    } else if (key == "instance_url") {
      read_string(reply.instance_url);
    } else if (key == "refresh_token") {
      read_string(reply.refresh_token);
    } else if (key == "error") {
      read_string(reply.error);
    } else if (key == "error_description") {
      read_string(reply.error_description);
    }
  }
  return reply;
}

Status GrantFailure(const http::Response& response, const std::optional<TokenReply>& reply,
                    const GrantContext& context) {
  Status status;
  if (!response.transport_ok()) {
    std::string message = fmt::format("{} token request failed: {}", context.service, response.error_message);
    status = response.error == http::TransportError::kTls ? Status::Tls(std::move(message))
                                                          : Status::Transient(std::move(message));
  } else if (response.status == 429) {
    status = Status::Throttled(
        fmt::format("{} token endpoint at {} is throttling (HTTP 429)", context.service, context.host),
        RetryAfter(response));
  } else if (response.status >= 500) {
    status = Status::Transient(
        fmt::format("{} token endpoint at {} answered HTTP {}", context.service, context.host, response.status));
  } else if (response.status == 400 || response.status == 401) {
    if (reply && !reply->error.empty()) {
      std::string_view description = FirstLine(reply->error_description);
      status = Status::Unauthorized(description.empty()
                                        ? fmt::format("{}: {}", context.refusal, reply->error)
                                        : fmt::format("{}: {}: {}", context.refusal, reply->error, description));
    } else {
      status = Status::Unauthorized(
          fmt::format("{}: HTTP {} without an OAuth error", context.refusal, response.status));
    }
  } else {
    status = Status::InvalidArgument(fmt::format("token_url: {} token endpoint at {} answered HTTP {}",
                                                 context.service, context.host, response.status));
  }
  std::string message = Redact(status.message(), context.secrets);
  if (status.code() == StatusCode::kThrottled) return Status::Throttled(std::move(message), status.retry_after());
  return Status(status.code(), std::move(message));
}

Status MalformedGrant(const GrantContext& context, std::string_view missing) {
  return Status::Corruption(
      fmt::format("{} token endpoint at {} answered without {}", context.service, context.host, missing));
}

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "[redacted]");
    }
  }
  return text;
}

}  // namespace crmsync::auth
