// ParseUsersPage: /users pages with proxyAddresses turned into aliases.
#include <fmt/format.h>

#include <algorithm>

#include "crmsync/graph/graph.hpp"
#include "json_support.hpp"

namespace crmsync::graph {
namespace {

namespace od = detail::od;
using detail::JsonError;
using detail::Nest;
using detail::NestIndex;

constexpr std::string_view kWhat = "Graph users page";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// Loose on purpose: UPNs of guests ("x_y.com#EXT#@t.onmicrosoft.com") count.
bool LooksLikeEmail(std::string_view s) {
  const std::size_t at = s.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < s.size() &&
         s.find('@', at + 1) == std::string_view::npos &&
         s.find_first_of(" \t\r\n") == std::string_view::npos;
}

void AddAlias(std::vector<std::string>& aliases, std::string_view address) {
  if (!LooksLikeEmail(address)) return;
  std::string lower = Lower(address);
  if (std::find(aliases.begin(), aliases.end(), lower) == aliases.end()) {
    aliases.push_back(std::move(lower));
  }
}

Status ReadUserObject(od::object& object, GraphUser& user) {
  std::vector<std::string> proxy_addresses;
  bool has_id = false;
  Status s = detail::ForEachField(object, [&](std::string_view key, od::value& v) {
    if (key == "id") {
      has_id = true;
      return detail::ReadRequiredString(v, user.id);
    }
    if (key == "userPrincipalName") return detail::ReadString(v, user.user_principal_name);
    if (key == "mail") return detail::ReadString(v, user.mail);
    if (key == "accountEnabled") return detail::ReadBool(v, user.account_enabled);
    if (key == "proxyAddresses") return detail::ReadStringArray(v, proxy_addresses);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!has_id) return Status::Corruption("id: missing");
  // Primary ("SMTP:") first, then secondaries ("smtp:"); SIP:, X500:, ... are
  // not mail addresses.
  for (const bool primary : {true, false}) {
    for (const std::string& proxy : proxy_addresses) {
      if (proxy.size() > 5 && proxy.compare(0, 5, primary ? "SMTP:" : "smtp:") == 0) {
        AddAlias(user.aliases, std::string_view(proxy).substr(5));
      }
    }
  }
  AddAlias(user.aliases, user.mail);
  AddAlias(user.aliases, user.user_principal_name);
  return Status::Ok();
}

Status ReadUser(od::value& element, GraphUser& user) {
  od::object object;
  if (auto error = element.get_object().get(object)) return JsonError("", error, "object");
  return ReadUserObject(object, user);
}

// The "value" array; errors are named from the document root ("value[2].id").
Status ReadUsers(od::value& v, std::vector<GraphUser>& users) {
  od::array array;
  if (auto error = v.get_array().get(array)) return JsonError("value", error, "array");
  std::size_t index = 0;
  for (auto element_result : array) {
    od::value element;
    if (auto error = std::move(element_result).get(element)) {
      return Nest("value", NestIndex(index, JsonError("", error)));
    }
    GraphUser user;
    if (Status s = ReadUser(element, user); !s.ok()) return Nest("value", NestIndex(index, s));
    users.push_back(std::move(user));
    ++index;
  }
  return Status::Ok();
}

Status ParseInto(const json::Body& body, UsersPage& page) {
  bool has_value = false;
  Status s = detail::ForEachTopLevelField(body, [&](std::string_view key, od::value& v) {
    if (key == "value") {
      has_value = true;
      return ReadUsers(v, page.users);
    }
    if (key == "@odata.nextLink") {
      std::string_view link;
      if (auto error = v.get_string().get(link)) return JsonError(key, error, "string");
      page.next_link.assign(link);
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!has_value) return Status::Corruption("value: missing");
  return Status::Ok();
}

}  // namespace

Result<GraphUser> ParseUser(std::string_view body) {
  GraphUser user;
  Status s = detail::ReadTopLevelObject(body, [&user](od::object& root) { return ReadUserObject(root, user); });
  if (!s.ok()) return detail::Describe("Graph user", s);
  return user;
}

Result<UsersPage> ParseUsersPage(json::Body body) {
  UsersPage page;
  if (Status s = ParseInto(body, page); !s.ok()) return detail::Describe(kWhat, s);
  return page;
}

}  // namespace crmsync::graph
