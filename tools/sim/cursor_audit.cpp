#include "cursor_audit.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include <fmt/core.h>

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

}  // namespace

HttpResponse CursorKeys(const Corpus& corpus, const HttpRequest& request) {
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
