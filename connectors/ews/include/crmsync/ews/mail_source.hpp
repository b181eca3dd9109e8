// Exchange Web Services with impersonation as a crmsync::MailSource.
//
// Streams: "mail/inbox" and "mail/sentitems" of every user, each followed
// with SyncFolderItems (IdOnly). Cursor: "ews1:<folder>:<SyncState>" (empty
// SyncState = first sync). A backfill window reads FindItem pages instead
// (IndexedPageItemView, Restriction on item:DateTimeReceived); its cursor is
// "ews1w:<folder>:<since>:<until>:<offset>". One page = one SyncFolderItems call plus the
// GetItem calls (at most kGetItemBatch ids each) for its created and updated
// items, all made inside FetchPage: a page is complete when ParsePage sees it,
// so the cursor never stands between a sync and the details it owes. Deletes
// become tombstones; read-flag changes are ignored. A SyncState EWS refuses
// (ErrorInvalidSyncStateData) is kGone: the engine restarts the folder.
//
// EWS has no user directory: users come from `list_users` (the wiring passes
// Microsoft Graph's /users of the same application).
#pragma once

#include <atomic>
#include <functional>
#include <vector>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/core/capture_folders.hpp"
#include "crmsync/core/mail_source.hpp"
#include "crmsync/ews/client.hpp"

namespace crmsync::ews {

inline constexpr std::size_t kGetItemBatch = 100;

struct EwsMailSourceOptions {
  EwsClientOptions client;
  int page_size = 100;        // MaxChangesReturned (1..512)
  bool with_headers = true;   // ask GetItem for InternetMessageHeaders (bulk / auto-reply rules)
  std::function<Result<std::vector<MailUser>>()> list_users;
  // Group members (MailUser ids) from the same directory; unset: no groups.
  std::function<Result<std::vector<std::string>>(const std::string& group)> list_group_members;
};

class EwsMailSource final : public MailSource {
 public:
  // `tokens` (scope https://outlook.office365.com/.default) must outlive the source.
  EwsMailSource(http::Transport& transport, auth::TokenProvider& tokens, EwsMailSourceOptions options);

  // Display names of top-level folders to read besides Inbox and Sent Items
  // (selective capture; ASCII case ignored): one stream each,
  // "mail/folder/<lower-case name>", found with FindFolder then followed with
  // SyncFolderItems by FolderId. Set before StreamKinds.
  void SetCaptureFolders(const std::vector<std::string>& display_names);

  Result<std::vector<MailUser>> ListUsers() override;
  Result<std::vector<std::string>> ListGroupMembers(const std::string& group) override;
  std::vector<std::string> StreamKinds() const override;
  std::string InitialCursor(const MailUserView& user, const std::string& stream) const override;
  // "ews1w:<folder>:<since>:<until>:<offset>": FindItem pages (backfill).
  std::string WindowCursor(const MailUserView& user, const std::string& stream, std::int64_t since_unix,
                           std::int64_t until_unix) const override;
  void FetchPage(const MailUserView& user, const std::string& stream, const std::string& cursor,
                 std::function<void(Result<RawPage>)> done) override;
  Result<MailPage> ParsePage(RawPage&& raw) const override;
  MailSourceStats Stats() const override;

 private:
  struct Fetch;
  void FetchDetails(std::shared_ptr<Fetch> fetch, std::size_t batch);
  void FetchWindowPage(const MailUserView& user, const std::string& cursor, std::function<void(Result<RawPage>)> done);
  static void BatchIds(Fetch& fetch);
  void FindCaptureFolder(const MailUserView& user, std::string name, std::function<void(Result<RawPage>)> done);
  // The configured spelling of the folder of stream "mail/folder/<name>"; "" if none.
  std::string CaptureFolderOf(std::string_view stream) const;

  auth::TokenProvider& tokens_;
  EwsMailSourceOptions options_;
  EwsClient client_;
  CaptureFolders capture_folders_;
  std::atomic<std::uint64_t> pages_{0};   // SyncFolderItems pages fetched
};

}  // namespace crmsync::ews
