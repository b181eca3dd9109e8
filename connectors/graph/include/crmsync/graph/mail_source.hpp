// Microsoft Graph as a crmsync::MailSource: users from /users, and for each
// user two streams, Inbox and Sent Items, read with mail delta. Cursors are
// Graph's own absolute nextLink / deltaLink URLs.
// Folders named in selective capture (SetCaptureFolders) add one stream each,
// "mail/folder/<lower-case name>": it starts by listing the mailbox's
// top-level folders (mail_folders.hpp), empty pages whose next cursor is the
// matching folder's delta URL, or, when the mailbox has no such folder, a last
// page whose cursor lists the folders again on the next run.
#pragma once

#include <memory>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/core/calendar_source.hpp"
#include "crmsync/core/capture_folders.hpp"
#include "crmsync/core/mail_source.hpp"
#include "crmsync/graph/client.hpp"

namespace crmsync::graph {

// Also the tenant's CalendarSource (graph_calendar_source.cpp): calendarView
// delta cursors are Graph's own links, like mail.
class GraphMailSource final : public MailSource, public CalendarSource {
 public:
  // `tokens` (the application's client-credentials provider) must outlive the source.
  GraphMailSource(http::Transport& transport, auth::TokenProvider& tokens, GraphClientOptions options);

  // Delegated access: each user's mailbox and calendar are read with that
  // user's own token, `tokens(user)` (nullptr: the user has no grant, its
  // requests fail kUnauthorized). Set before the first fetch; the providers
  // must outlive the source.
  // `grants` counts the grants of every user's provider (Stats().token_grants).
  using UserTokens = std::function<auth::TokenProvider*(const MailUserView& user)>;
  void SetUserTokens(UserTokens tokens, std::function<std::uint64_t()> grants) {
    user_tokens_ = std::move(tokens);
    user_grants_ = std::move(grants);
  }
  // Display names of folders to read besides Inbox and Sent Items (ASCII case
  // ignored; "Inbox" and "Sent Items" add nothing). Set before StreamKinds.
  void SetCaptureFolders(const std::vector<std::string>& display_names);
  // Blocking: the signed-in user of a delegated token (id, addresses), for set-up.
  Result<MailUser> SignedInUser(auth::TokenProvider& tokens);

  Result<std::vector<MailUser>> ListUsers() override;
  Result<std::vector<std::string>> ListGroupMembers(const std::string& group) override;
  std::vector<std::string> StreamKinds() const override;
  std::string InitialCursor(const MailUserView& user, const std::string& stream) const override;
  // "window:" + MailWindowUrl (graph.hpp); its pages follow @odata.nextLink.
  std::string WindowCursor(const MailUserView& user, const std::string& stream, std::int64_t since_unix,
                           std::int64_t until_unix) const override;
  void FetchPage(const MailUserView& user, const std::string& stream, const std::string& cursor,
                 std::function<void(Result<RawPage>)> done) override;
  Result<MailPage> ParsePage(RawPage&& raw) const override;
  MailSourceStats Stats() const override;
  CalendarSource* Calendar() override { return this; }

  std::string InitialCalendarCursor(const MailUserView& user, std::string_view start_iso,
                                    std::string_view end_iso) const override;
  Result<CalendarPage> FetchCalendarPage(const MailUserView& user, const std::string& cursor) override;
  std::size_t MaxBusyUsersPerRequest() const override;
  Result<std::vector<UserBusy>> FetchBusy(const MailUserView& caller, std::span<const MailUserView> users,
                                          std::string_view start_iso, std::string_view end_iso) override;

 private:
  // The provider a request for `user`'s data goes out with: the user's own
  // (delegated) or the application's; nullptr when the user has no grant.
  auth::TokenProvider* TokensFor(const MailUserView& user);
  // The error of a request for a user without a grant of their own.
  static Status NoGrant(const MailUserView& user);

  // The configured spelling of the folder of stream "mail/folder/<name>"; "" if none.
  std::string CaptureFolderOf(std::string_view stream) const;
  // A page of a folder listing: where the folder's stream goes next.
  Result<MailPage> ParseFolderListing(const RawPage& raw) const;

  auth::TokenProvider& tokens_;
  CaptureFolders capture_folders_;
  UserTokens user_tokens_;
  std::function<std::uint64_t()> user_grants_;
  GraphClient client_;
};

}  // namespace crmsync::graph
