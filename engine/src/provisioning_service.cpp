// The provisioning API's handlers: route, authenticate, validate, enqueue.
#include <cctype>

#include <fmt/format.h>

#include "crmsync/engine/provisioning.hpp"
#include "crmsync/json/escape.hpp"
#include "crmsync/json/readers.hpp"

namespace crmsync::engine {
namespace {

namespace od = json::od;

constexpr std::size_t kMaxUserIdBytes = 256;
constexpr std::size_t kMaxEmailBytes = 320;   // RFC 3696 erratum: 64 + 1 + 255
constexpr std::size_t kMaxAliases = 100;

// Relative errors start with ": " so json::Nest() attaches them to the field.
Status FieldError(std::string_view problem) { return Status::InvalidArgument(fmt::format(": {}", problem)); }

bool IsUserIdChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '@' || c == '+' ||
         c == '-';
}

Status CheckUserId(std::string_view id) {
  if (id.empty() || id.size() > kMaxUserIdBytes) {
    return FieldError(fmt::format("must be 1..{} characters", kMaxUserIdBytes));
  }
  for (char c : id) {
    if (!IsUserIdChar(c)) return FieldError("may hold only letters, digits and . _ @ + -");
  }
  return Status::Ok();
}

// A plausible address: local@domain.tld, printable ASCII without spaces.
Status CheckEmail(std::string& email) {
  if (email.empty() || email.size() > kMaxEmailBytes) {
    return FieldError(fmt::format("must be an email address of 1..{} characters", kMaxEmailBytes));
  }
  for (char& c : email) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return FieldError("must be an ASCII email address without spaces");
    c = static_cast<char>(std::tolower(u));
  }
  const auto at = email.find('@');
  if (at == 0 || at == std::string::npos || email.find('@', at + 1) != std::string::npos) {
    return FieldError("is not an email address (local@domain)");
  }
  const std::string_view domain = std::string_view(email).substr(at + 1);
  if (domain.empty() || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.') {
    return FieldError("has no valid domain after '@'");
  }
  return Status::Ok();
}

// Salesforce User ids: key prefix 005, 15 or 18 alphanumeric characters.
Status CheckSalesforceUserId(std::string_view id) {
  if ((id.size() != 15 && id.size() != 18) || id.substr(0, 3) != "005") {
    return FieldError("must be a Salesforce User id (15 or 18 characters starting with 005)");
  }
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return FieldError("must be alphanumeric");
  }
  return Status::Ok();
}

Status AsInvalid(const Status& s) { return Status::InvalidArgument(s.message()); }

// "email: ..." -> "email"; "aliases[2]: ..." -> "aliases".
std::string FieldOf(const std::string& message) {
  const auto end = message.find_first_of(":[.");
  return message.substr(0, end);
}

ProvisioningResponse Json(int status, std::string body, std::string reason = {}, std::string user = {}) {
  ProvisioningResponse r;
  r.status = status;
  r.body = std::move(body);
  r.reason = std::move(reason);
  r.user_id = std::move(user);
  return r;
}

ProvisioningResponse ErrorResponse(int status, std::string_view code) {
  return Json(status, fmt::format(R"({{"error":{}}})", json::JsonQuote(code)), std::string(code));
}

ProvisioningResponse BadBody(const Status& s) {
  const std::string field = FieldOf(s.message());
  return Json(400,
              fmt::format(R"({{"error":"invalid_body","field":{},"message":{}}})", json::JsonQuote(field),
                          json::JsonQuote(s.message())),
              s.message());
}

}  // namespace

Result<ProvisionedUser> ParseProvisionedUser(std::string_view body) {
  ProvisionedUser user;
  bool has_user_id = false;
  bool has_email = false;
  Status s = json::ForEachTopLevelFieldNested(body, [&](std::string_view key, od::value value) -> Status {
    if (key == "user_id") {
      has_user_id = true;
      if (Status r = json::ReadRequiredString(value, user.user_id); !r.ok()) return r;
      return CheckUserId(user.user_id);
    }
    if (key == "email") {
      has_email = true;
      if (Status r = json::ReadRequiredString(value, user.email); !r.ok()) return r;
      return CheckEmail(user.email);
    }
    if (key == "aliases") {
      user.aliases.clear();
      if (Status r = json::ReadStringArray(value, user.aliases); !r.ok()) return r;
      if (user.aliases.size() > kMaxAliases) return FieldError(fmt::format("holds more than {} addresses", kMaxAliases));
      for (std::size_t i = 0; i < user.aliases.size(); ++i) {
        if (Status r = CheckEmail(user.aliases[i]); !r.ok()) return json::NestIndex(i, r);
      }
      return Status::Ok();
    }
    if (key == "salesforce_user_id") {
      if (Status r = json::ReadString(value, user.salesforce_user_id); !r.ok()) return r;
      if (user.salesforce_user_id.empty()) return Status::Ok();
      return CheckSalesforceUserId(user.salesforce_user_id);
    }
    return FieldError("unknown field (expected user_id, email, aliases, salesforce_user_id)");
  });
  if (!s.ok()) return AsInvalid(s);
  if (!has_user_id) return Status::InvalidArgument("user_id: required");
  if (!has_email) return Status::InvalidArgument("email: required");
  return user;
}

ProvisioningService::ProvisioningService(const Config& config, state::Store& nonces, std::string state_dir,
                                         UnixMillisClock clock)
    : verifier_(config, nonces, clock ? clock : SystemUnixMillisClock()),
      state_dir_(std::move(state_dir)),
      clock_(clock ? std::move(clock) : SystemUnixMillisClock()) {}

ProvisioningResponse ProvisioningService::HandleRequest(std::string_view method, std::string_view path,
                                                        const std::map<std::string, std::string>& headers,
                                                        std::string_view body) const {
  const ProvisioningRoute route = MatchProvisioningRoute(method, path);
  if (route.kind == ProvisioningRoute::Kind::kNone) return ErrorResponse(404, "not_found");
  if (!route.method_allowed) return ErrorResponse(405, "method_not_allowed");
  // Refused before hashing: a huge body costs nothing to turn away.
  if (body.size() > kMaxProvisioningBodyBytes) return ErrorResponse(413, "body_too_large");

  const Verdict verdict = verifier_.Verify(method, path, headers, body);
  if (!verdict.accepted()) return ErrorResponse(verdict.http_status(), verdict.reason);

  InboxEntry entry;
  entry.tenant = verdict.tenant;
  entry.accepted_unix_ms = clock_();
  if (route.kind == ProvisioningRoute::Kind::kUpsertUser) {
    auto user = ParseProvisionedUser(body);
    if (!user.ok()) return BadBody(user.status());
    entry.op = InboxEntry::Op::kUpsert;
    entry.user_id = std::move(user->user_id);
    entry.email = std::move(user->email);
    entry.aliases = std::move(user->aliases);
    entry.salesforce_user_id = std::move(user->salesforce_user_id);
  } else {
    if (Status s = CheckUserId(route.user); !s.ok()) return BadBody(json::Nest("user_id", s));
    entry.op = route.kind == ProvisioningRoute::Kind::kActivateUser ? InboxEntry::Op::kActivate : InboxEntry::Op::kDelete;
    entry.user_id = route.user;
  }
  auto written = WriteInboxEntry(state_dir_, entry);
  if (!written.ok()) return Json(503, R"({"error":"inbox_unavailable"})", written.status().message(), entry.user_id);
  const char* op = OpName(entry.op);
  return Json(202,
              fmt::format(R"({{"status":"accepted","op":"{}","tenant":{},"user_id":{}}})", op,
                          json::JsonQuote(entry.tenant), json::JsonQuote(entry.user_id)),
              fmt::format("accepted {}", op), entry.user_id);
}

}  // namespace crmsync::engine
