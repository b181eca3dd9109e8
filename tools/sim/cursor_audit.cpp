#include "cursor_audit.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include <fmt/core.h>
#include <simdjson.h>

#include "gmail_mailbox.hpp"
#include "ground_truth.hpp"
#include "http_util.hpp"
#include "json_escape.hpp"
#include "link_token.hpp"

namespace crmsync::sim {
namespace {

// The token after "$skiptoken=" / "$deltatoken=" (also percent-encoded "%24"),
// or the whole text when it holds no URL.
std::string_view TokenOf(std::string_view cursor) {
  for (std::string_view marker : {"skiptoken=", "deltatoken="}) {
    const auto at = cursor.find(marker);
    if (at == std::string_view::npos) continue;
    std::string_view token = cursor.substr(at + marker.size());
    return token.substr(0, token.find('&'));
  }
  return cursor;
}

bool Before(const ViewCursor& a, const ViewCursor& b) {
  return std::tie(a.epoch, a.slot, a.index) < std::tie(b.epoch, b.slot, b.index);
}

// 200 rather than an error status: an EWS or Gmail cursor is a normal input
// the caller counts as unchecked.
HttpResponse Uncheckable(const std::string& why) {
  return JsonResponse(200, fmt::format(R"({{"checkable":false,"reason":"{}"}})", JsonEscape(why)));
}

// The keys of `user`'s mailbox messages that `passed` selects and that
// this mailbox's copy must capture (ground truth), as a JSON array body.
template <typename Passed>
std::string GmailPassedKeys(const Corpus& corpus, int tenant, int user, Passed&& passed) {
  const google::GmailMailbox mailbox(corpus);
  const Epochs epochs = corpus.epochs();
  std::string keys;
  ViewCursor cursor{0, 0, 0};
  while (auto h = mailbox.Next(tenant, user, static_cast<int>(epochs.size()), epochs, cursor)) {
    // Next leaves the cursor just past the message it returns.
    const ViewCursor at{cursor.epoch, cursor.slot, cursor.index - 1};
    if (!passed(*h, at)) continue;
    const Judgement judgement = Judge(corpus, *h);
    for (const CopyVerdict& copy : judgement.copies) {
      if (copy.user != user || copy.outcome != Outcome::kCaptured) continue;
      if (!keys.empty()) keys += ',';
      keys += '"' + JsonEscape(judgement.key) + '"';
      break;
    }
  }
  return keys;
}

// Gmail cursors (connectors/gmail), of the mailbox named by its primary
// address or its Directory user id (the engine's stream user): "history:<historyId>[:<pageToken>]" has
// passed every message of the mailbox whose history id is at most
// historyId (stored once messages.list returned every message that existed
// when the listing began; history pages move it on). "list:<historyId>:<token>"
// is the first listing under way: the simulator's page token
// ("epoch.slot.index.to_epoch") names the first message not listed yet.
// "window:" (backfill) cursors are not checked.
HttpResponse GmailCursorKeys(const Corpus& corpus, std::string_view tenant_id, std::string_view mailbox,
                             std::string_view cursor) {
  const auto tenant = corpus.FindTenantById(tenant_id);
  if (!tenant) return Uncheckable("no such tenant");
  int user = -1;
  if (const auto found = corpus.FindUser(mailbox); found && found->first == *tenant) {
    user = found->second;
  } else {
    const std::size_t users = corpus.tenants()[static_cast<std::size_t>(*tenant)].users.size();
    for (std::size_t u = 0; u < users && user < 0; ++u) {
      if (google::GoogleDirectoryUserId(corpus, *tenant, u) == mailbox) user = static_cast<int>(u);
    }
  }
  if (user < 0) return Uncheckable("no user with that address or Directory id in that tenant");
  const bool history = cursor.starts_with("history:");
  if (!history && !cursor.starts_with("list:")) return Uncheckable("not a Gmail history or list cursor");
  cursor.remove_prefix(cursor.find(':') + 1);
  const std::size_t colon = cursor.find(':');
  const std::string digits(cursor.substr(0, colon));
  const std::string_view token = colon == std::string_view::npos ? std::string_view() : cursor.substr(colon + 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 18) {
    return Uncheckable("the Gmail cursor holds no history id");
  }
  std::string keys;
  if (history) {
    const std::int64_t history_id = std::stoll(digits);
    keys = GmailPassedKeys(corpus, *tenant, user, [&](const MessageHeader& h, const ViewCursor&) {
      return google::GmailMailbox::MessageHistoryId(h, user) <= history_id;
    });
  } else if (!token.empty()) {
    int parts[4];
    std::size_t at = 0;
    for (int i = 0; i < 4; ++i) {
      const std::size_t dot = std::min(token.find('.', at), token.size());
      const std::string part(token.substr(at, dot - at));
      if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos) {
        return Uncheckable("the list cursor's page token was not issued by this simulator");
      }
      parts[i] = std::stoi(part);
      at = dot + 1;
    }
    const ViewCursor end{parts[0], parts[1], parts[2]};
    const int to_epoch = parts[3];
    keys = GmailPassedKeys(corpus, *tenant, user, [&](const MessageHeader&, const ViewCursor& position) {
      return position.epoch < to_epoch && Before(position, end);
    });
  }   // a listing not begun has passed nothing
  return JsonResponse(200, fmt::format(R"({{"checkable":true,"tenant":"{}","user":{},"folder":"mail","position":"{}","keys":[{}]}})",
                                       JsonEscape(tenant_id), user, history ? "history" : "list", keys));
}

}  // namespace

HttpResponse CursorKeys(const Corpus& corpus, const HttpRequest& request) {
  // {"tenant":"tenant-1","user":"<primary address>","cursor":"history:..."}:
  // a cursor that does not name its mailbox (Gmail's).
  if (!request.body.empty() && request.body.front() == '{') {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view tenant, user, cursor;
    if (parser.parse(request.body).get(doc) || doc["tenant"].get(tenant) || doc["user"].get(user) ||
        doc["cursor"].get(cursor)) {
      return Uncheckable("the JSON body needs string fields tenant, user and cursor");
    }
    return GmailCursorKeys(corpus, tenant, user, cursor);
  }
  // Tokens are sealed with the corpus seed, as GraphService issues them.
  const LinkTokens tokens(corpus.seed());
  const std::optional<DeltaPosition> pos = tokens.DecodeDelta(TokenOf(request.body));
  if (!pos) return Uncheckable("the body holds no Graph delta token issued by this simulator");
  const Epochs epochs = corpus.epochs();
  if (pos->tenant < 0 || static_cast<std::size_t>(pos->tenant) >= corpus.tenants().size() ||
      pos->to_epoch > static_cast<int>(epochs.size())) {
    return Uncheckable("the token names a tenant or epoch this simulator does not have");
  }
  // A deltaLink has passed its whole round; a nextLink everything before its
  // view position. The view is enumerated in (epoch, slot, index) order, so
  // "before" is that lexicographic order from the very first message.
  const ViewCursor end = pos->is_delta ? ViewCursor{pos->to_epoch, 0, 0} : pos->cursor;
  std::string keys;
  ViewCursor cursor{0, 0, 0};
  while (true) {
    auto header = corpus.NextInView(pos->tenant, pos->user, pos->folder, pos->to_epoch, epochs, cursor);
    if (!header) break;
    // NextInView leaves the cursor just past the message it returns.
    const ViewCursor at{cursor.epoch, cursor.slot, cursor.index - 1};
    if (!Before(at, end)) break;
    const Judgement judgement = Judge(corpus, *header);
    for (const CopyVerdict& copy : judgement.copies) {
      if (copy.user != pos->user || copy.folder != pos->folder || copy.outcome != Outcome::kCaptured) continue;
      if (!keys.empty()) keys += ',';
      keys += '"' + JsonEscape(judgement.key) + '"';
      break;
    }
  }
  const Tenant& tenant = corpus.tenants()[static_cast<std::size_t>(pos->tenant)];
  return JsonResponse(200, fmt::format(R"({{"checkable":true,"tenant":"{}","user":{},"folder":"{}","position":"{}","keys":[{}]}})",
                                       JsonEscape(tenant.id), pos->user,
                                       pos->folder == Folder::kInbox       ? "inbox"
                                       : pos->folder == Folder::kSentItems ? "sentitems"
                                                                           : "crm",
                                       pos->is_delta ? "delta" : "skip", keys));
}

}  // namespace crmsync::sim
