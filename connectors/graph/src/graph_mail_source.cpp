#include "crmsync/graph/mail_source.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "crmsync/graph/graph.hpp"
#include "crmsync/graph/mail_folders.hpp"

namespace crmsync::graph {
namespace {

constexpr std::string_view kStreamPrefix = "mail/";
// A backfill window's cursor: this prefix, then the listing URL (or its
// nextLink). Delta cursors are bare URLs.
constexpr std::string_view kWindowPrefix = "window:";
// RawPage::context of a window page: this prefix, then the folder's display
// name (a delta page's context is the display name alone).
constexpr std::string_view kWindowContext = "window\n";
// RawPage::context of a folder listing: this tag, the user id, '\n', the
// folder's configured name. Other contexts are a folder display name, which
// never starts with a control character.
constexpr char kListingTag = '\x1f';

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
  return text;
}

}  // namespace

GraphMailSource::GraphMailSource(http::Transport& transport, auth::TokenProvider& tokens,
                                 GraphClientOptions options)
    : tokens_(tokens), client_(transport, tokens, std::move(options)) {}

auth::TokenProvider* GraphMailSource::TokensFor(const MailUserView& user) {
  return user_tokens_ ? user_tokens_(user) : &tokens_;
}

Status GraphMailSource::NoGrant(const MailUserView& user) {
  return Status::Unauthorized(fmt::format("no mailbox authorization recorded for {}", user.primary));
}

Result<MailUser> GraphMailSource::SignedInUser(auth::TokenProvider& tokens) {
  auto user = client_.GetSignedInUser(tokens);
  if (!user.ok()) return user.status();
  MailUser m;
  m.id = std::move(user->id);
  m.primary = Lower(!user->mail.empty() ? user->mail : user->user_principal_name);
  m.aliases = std::move(user->aliases);
  m.enabled = user->account_enabled;
  return m;
}

Result<std::vector<MailUser>> GraphMailSource::ListUsers() {
  // Page by page: the directory's Graph records are never all held at once.
  std::vector<MailUser> out;
  Status listed = client_.ListUsers([&out](GraphUser&& user) {
    MailUser m;
    m.id = std::move(user.id);
    m.primary = Lower(!user.mail.empty() ? user.mail : user.user_principal_name);
    m.aliases = std::move(user.aliases);
    m.enabled = user.account_enabled;
    out.push_back(std::move(m));
  });
  if (!listed.ok()) return listed;
  return out;
}

Result<std::vector<std::string>> GraphMailSource::ListGroupMembers(const std::string& group) {
  auto members = client_.ListGroupMembers(group);
  if (!members.ok()) return members.status();
  std::vector<std::string> ids;
  ids.reserve(members->size());
  for (auto& member : members.value()) ids.push_back(std::move(member.id));
  return ids;
}

void GraphMailSource::SetCaptureFolders(const std::vector<std::string>& display_names) {
  capture_folders_.Set(display_names);
}

std::string GraphMailSource::CaptureFolderOf(std::string_view stream) const { return capture_folders_.Of(stream); }

std::vector<std::string> GraphMailSource::StreamKinds() const { return capture_folders_.StreamKinds(); }

std::string GraphMailSource::InitialCursor(const MailUserView& user, const std::string& stream) const {
  if (!CaptureFolderOf(stream).empty()) return MailFoldersUrl(client_.options().graph_url, user.id);
  const std::string_view folder = std::string_view(stream).substr(kStreamPrefix.size());
  return InitialMailDeltaUrl(client_.options().graph_url, user.id, folder);
}

std::string GraphMailSource::WindowCursor(const MailUserView& user, const std::string& stream, std::int64_t since_unix,
                                          std::int64_t until_unix) const {
  // Backfills read Inbox and Sent Items; a capture folder's stream has none.
  if (since_unix >= until_unix || !CaptureFolderOf(stream).empty()) return {};
  const std::string_view folder = std::string_view(stream).substr(kStreamPrefix.size());
  return std::string(kWindowPrefix) + MailWindowUrl(client_.options().graph_url, user.id, folder, since_unix,
                                                    until_unix, client_.options().page_size);
}

void GraphMailSource::FetchPage(const MailUserView& user, const std::string& stream, const std::string& cursor,
                                std::function<void(Result<RawPage>)> done) {
  auth::TokenProvider* tokens = TokensFor(user);
  if (tokens == nullptr) {
    done(NoGrant(user));
    return;
  }
  // The folder's display name rides along to the parser (Message::folder).
  std::string folder = CaptureFolderOf(stream);
  std::string kind = "graph.delta";
  std::string_view url(cursor);
  if (url.substr(0, kWindowPrefix.size()) == kWindowPrefix) {
    // A backfill window of Inbox or Sent Items.
    url.remove_prefix(kWindowPrefix.size());
    std::string_view well_known(stream);
    if (well_known.substr(0, kStreamPrefix.size()) == kStreamPrefix) well_known.remove_prefix(kStreamPrefix.size());
    folder = std::string(kWindowContext) + FolderDisplayName(well_known);
    kind = "graph.messages";
  } else if (folder.empty()) {
    std::string_view well_known(stream);
    if (well_known.substr(0, kStreamPrefix.size()) == kStreamPrefix) well_known.remove_prefix(kStreamPrefix.size());
    folder = FolderDisplayName(well_known);
  } else if (IsMailFoldersUrl(cursor)) {
    folder = fmt::format("{}{}\n{}", kListingTag, user.id, folder);
    kind = "graph.folders";
  }
  client_.FetchPage(
      std::string(url), std::move(kind),
      [done = std::move(done), folder = std::move(folder)](Result<std::string> body) mutable {
        if (!body.ok()) {
          done(body.status());
          return;
        }
        done(RawPage{std::move(body.value()), std::move(folder)});
      },
      *tokens);
}

Result<MailPage> GraphMailSource::ParseFolderListing(const RawPage& raw) const {
  const std::string_view context = std::string_view(raw.context).substr(1);
  const std::size_t newline = context.find('\n');
  if (newline == std::string_view::npos) return Status::Corruption("Graph folder listing: page context without a user id");
  const std::string_view user_id = context.substr(0, newline);
  const std::string_view wanted = context.substr(newline + 1);
  auto listing = ParseMailFoldersPage(raw.body);
  if (!listing.ok()) return listing.status();
  // No messages on these pages: they only move the stream to its folder.
  MailPage page;
  if (const MailFolder* folder = FindFolderByName(listing.value(), wanted)) {
    page.next_cursor = InitialMailDeltaUrl(client_.options().graph_url, user_id, folder->id);
  } else if (!listing->next_link.empty()) {
    page.next_cursor = std::move(listing->next_link);
  } else {
    // The mailbox has no such folder (yet): look again on the next run.
    page.last = true;
    page.next_cursor = MailFoldersUrl(client_.options().graph_url, user_id);
  }
  return page;
}

Result<MailPage> GraphMailSource::ParsePage(RawPage&& raw) const {
  if (!raw.context.empty() && raw.context.front() == kListingTag) return ParseFolderListing(raw);
  std::string_view folder(raw.context);
  if (folder.substr(0, kWindowContext.size()) == kWindowContext) {
    folder.remove_prefix(kWindowContext.size());
    auto listing = ParseMessagesPage(raw.body, folder);
    if (!listing.ok()) return listing.status();
    MailPage page;
    page.messages = std::move(listing->messages);
    page.last = listing->next_link.empty();
    // A window has no increments: its last page leaves no cursor.
    if (!page.last) page.next_cursor = std::string(kWindowPrefix) + listing->next_link;
    return page;
  }
  auto delta = ParseDeltaPage(raw.body, raw.context);
  if (!delta.ok()) return delta.status();
  MailPage page;
  page.messages = std::move(delta->messages);
  page.last = delta->next_link.empty();
  page.next_cursor = page.last ? std::move(delta->delta_link) : std::move(delta->next_link);
  return page;
}

MailSourceStats GraphMailSource::Stats() const {
  MailSourceStats stats;
  stats.pages = client_.stats().pages;
  stats.requests = client_.stats().pages + client_.stats().retries;
  stats.token_grants = tokens_.grants() + (user_grants_ ? user_grants_() : 0);
  return stats;
}

}  // namespace crmsync::graph
