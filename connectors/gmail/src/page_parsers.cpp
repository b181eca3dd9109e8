// Parsers of the Gmail list/history/profile pages, the Directory users page,
// the send-as list and Google's error body.
#include <algorithm>
#include <unordered_set>

#include "crmsync/gmail/gmail.hpp"
#include "json_support.hpp"

namespace crmsync::gmail {
namespace {

namespace od = detail::od;
using detail::Describe;
using detail::JsonError;

// {"id": "...", ...} with a required, non-empty id.
Status ReadIdObject(od::value& value, std::string& id) {
  Status s = detail::ForEachObjectField(value, [&](std::string_view key, od::value& v) {
    if (key == "id") return detail::ReadIdString(v, id);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (id.empty()) return Status::Corruption("id: missing");
  return Status::Ok();
}

}  // namespace

Result<ListPage> ParseListPage(std::string_view body) {
  ListPage page;
  Status s = detail::ForEachTopLevelFieldNested(body, [&](std::string_view key, od::value& v) {
    if (key == "messages") {
      return detail::ForEachElement(v, [&](od::value& element) {
        std::string id;
        if (Status r = ReadIdObject(element, id); !r.ok()) return r;
        page.ids.push_back(std::move(id));
        return Status::Ok();
      });
    }
    if (key == "nextPageToken") return detail::ReadString(v, page.next_page_token);
    return Status::Ok();
  });
  if (!s.ok()) return Describe("Gmail messages.list page", s);
  return page;
}

Result<HistoryPage> ParseHistoryPage(std::string_view body) {
  HistoryPage page;
  std::unordered_set<std::string> seen;
  Status s = detail::ForEachTopLevelFieldNested(body, [&](std::string_view key, od::value& v) {
    if (key == "history") {
      return detail::ForEachElement(v, [&](od::value& record) {
        return detail::ForEachObjectField(record, [&](std::string_view rkey, od::value& rv) {
          if (rkey != "messagesAdded") return Status::Ok();
          return detail::ForEachElement(rv, [&](od::value& added) {
            return detail::ForEachObjectField(added, [&](std::string_view akey, od::value& av) {
              if (akey != "message") return Status::Ok();
              std::string id;
              if (Status r = ReadIdObject(av, id); !r.ok()) return r;
              if (seen.insert(id).second) page.ids.push_back(std::move(id));
              return Status::Ok();
            });
          });
        });
      });
    }
    if (key == "nextPageToken") return detail::ReadString(v, page.next_page_token);
    if (key == "historyId") return detail::ReadIdString(v, page.history_id);
    return Status::Ok();
  });
  if (!s.ok()) return Describe("Gmail history.list page", s);
  if (page.history_id.empty()) return Status::Corruption("Gmail history.list page: historyId: missing");
  return page;
}

Result<std::string> ParseProfileHistoryId(std::string_view body) {
  std::string history_id;
  Status s = detail::ForEachTopLevelFieldNested(body, [&](std::string_view key, od::value& v) {
    if (key == "historyId") return detail::ReadIdString(v, history_id);
    return Status::Ok();
  });
  if (!s.ok()) return Describe("Gmail users.getProfile", s);
  if (history_id.empty()) return Status::Corruption("Gmail users.getProfile: historyId: missing");
  return history_id;
}

Result<DirectoryUsersPage> ParseDirectoryUsersPage(std::string_view body) {
  DirectoryUsersPage page;
  Status s = detail::ForEachTopLevelFieldNested(body, [&](std::string_view key, od::value& v) {
    if (key == "users") {
      return detail::ForEachElement(v, [&](od::value& element) {
        DirectoryUser user;
        Status r = detail::ForEachObjectField(element, [&](std::string_view ukey, od::value& uv) {
          if (ukey == "id") return detail::ReadIdString(uv, user.id);
          if (ukey == "primaryEmail") return detail::ReadString(uv, user.primary_email);
          if (ukey == "suspended") return detail::ReadBool(uv, user.suspended);
          if (ukey == "aliases") return detail::ReadStringArray(uv, user.aliases);
          return Status::Ok();
        });
        if (!r.ok()) return r;
        if (user.id.empty()) return Status::Corruption("id: missing");
        if (user.primary_email.empty()) return Status::Corruption("primaryEmail: missing");
        page.users.push_back(std::move(user));
        return Status::Ok();
      });
    }
    if (key == "nextPageToken") return detail::ReadString(v, page.next_page_token);
    return Status::Ok();
  });
  if (!s.ok()) return Describe("Directory users page", s);
  return page;
}

Result<DirectoryMembersPage> ParseDirectoryMembersPage(std::string_view body) {
  DirectoryMembersPage page;
  Status s = detail::ForEachTopLevelFieldNested(body, [&](std::string_view key, od::value& v) {
    if (key == "members") {
      return detail::ForEachElement(v, [&](od::value& element) {
        DirectoryMember member;
        Status r = detail::ForEachObjectField(element, [&](std::string_view mkey, od::value& mv) {
          if (mkey == "id") return detail::ReadIdString(mv, member.id);
          if (mkey == "email") return detail::ReadString(mv, member.email);
          if (mkey == "type") return detail::ReadString(mv, member.type);
          return Status::Ok();
        });
        if (!r.ok()) return r;
        if (member.id.empty() && member.email.empty()) return Status::Corruption("id: missing");
        page.members.push_back(std::move(member));
        return Status::Ok();
      });
    }
    if (key == "nextPageToken") return detail::ReadString(v, page.next_page_token);
    return Status::Ok();
  });
  if (!s.ok()) return Describe("Directory group members page", s);
  return page;
}

Result<std::vector<std::string>> ParseSendAsList(std::string_view body) {
  std::vector<std::string> addresses;
  Status s = detail::ForEachTopLevelFieldNested(body, [&](std::string_view key, od::value& v) {
    if (key != "sendAs") return Status::Ok();
    return detail::ForEachElement(v, [&](od::value& element) {
      std::string address;
      Status r = detail::ForEachObjectField(element, [&](std::string_view skey, od::value& sv) {
        if (skey == "sendAsEmail") return detail::ReadString(sv, address);
        return Status::Ok();
      });
      if (!r.ok()) return r;
      if (address.empty()) return Status::Corruption("sendAsEmail: missing");
      addresses.push_back(std::move(address));
      return Status::Ok();
    });
  });
  if (!s.ok()) return Describe("Gmail sendAs list", s);
  return addresses;
}

GoogleError ParseGoogleError(std::string_view body) {
  GoogleError error;
  Status s = detail::ForEachTopLevelFieldNested(body, [&](std::string_view key, od::value& v) {
    if (key != "error") return Status::Ok();
    return detail::ForEachObjectField(v, [&](std::string_view ekey, od::value& ev) {
      if (ekey == "message") return detail::ReadString(ev, error.message);
      if (ekey == "status") return detail::ReadString(ev, error.status);
      if (ekey == "errors") {
        return detail::ForEachElement(ev, [&](od::value& item) {
          return detail::ForEachObjectField(item, [&](std::string_view ikey, od::value& iv) {
            if (ikey != "reason") return Status::Ok();
            std::string reason;
            if (Status r = detail::ReadString(iv, reason); !r.ok()) return r;
            error.reasons.push_back(std::move(reason));
            return Status::Ok();
          });
        });
      }
      return Status::Ok();
    });
  });
  if (!s.ok()) return GoogleError{};
  return error;
}

}  // namespace crmsync::gmail
