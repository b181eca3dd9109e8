// GmailMailSource: Google Workspace mailboxes through a service account with
// domain-wide delegation, behind the engine's MailSource contract.
//
// Cursors (connector-private, stored by the engine as opaque strings):
//   "list:<historyId>:<pageToken>"  initial window (users.messages.list).
//       historyId is the mailbox's historyId read with users.getProfile
//       before the first list page (empty in InitialCursor: the first fetch
//       reads it), so nothing that arrives while the window is read is lost.
//       pageToken is empty for the first page.
//   "history:<historyId>[:<pageToken>]"  increments (users.history.list).
//   "window:<since>:<until>:<pageToken>"  a backfill window (users.messages.list
//       with q=after:<since> before:<until>, epoch seconds); its last page
//       ends the stream (next cursor "").
// The last list page hands over to "history:<historyId-at-start>"; the last
// history page to "history:<historyId of the answer>". A history 404
// (startHistoryId too old) restarts the window ("list::"): writes are
// upserts, so reading the window again is harmless.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crmsync/auth/service_account.hpp"
#include "crmsync/core/mail_source.hpp"
#include "crmsync/http/transport.hpp"

namespace crmsync::gmail {

struct GmailSourceOptions {
  auth::ServiceAccountKey key;
  std::string admin_email;  // Directory API subject (a Workspace admin)
  std::string customer = "my_customer";
  std::string api_url = "https://gmail.googleapis.com";
  std::string directory_url = "https://admin.googleapis.com";
  std::string ca_file;
  // Scopes of the per-user Gmail tokens.
  std::vector<std::string> scopes = auth::DefaultWorkspaceScopes();
  // Scopes of the admin's Directory token.
  std::vector<std::string> directory_scopes = {std::string(auth::kDirectoryUserReadonlyScope)};
  // Scopes of the admin's token for group members (users.source = "group").
  std::vector<std::string> group_member_scopes = {std::string(auth::kDirectoryGroupMemberReadonlyScope)};
  std::string since_date;   // initial window, YYYY/MM/DD; empty = no date bound
  int page_size = 100;      // ids per list/history page (1..500)
  int batch_size = 50;      // metadata gets per batch request (1..100)
  int units_per_second = 250;  // per-user quota pacing
  int max_attempts = 6;     // per call, throttling and transient errors
  // Read each mailbox's labels (users.labels.list, once per user and run) and
  // give messages label names instead of ids ("Label_12" -> "CRM"); needed
  // when capture rules select mail by Gmail label.
  bool resolve_label_names = false;
  std::chrono::milliseconds timeout{30000};
  // google.access = "oauth_user": each user's calls go out with that user's
  // own provider (nullptr: the user has no grant, calls fail kUnauthorized);
  // `key` is unused and Directory calls are refused.
  std::function<auth::TokenProvider*(const std::string& user)> user_tokens;
  std::function<std::uint64_t()> user_token_grants;
  // Where the service account's per-user tokens are kept between runs
  // (nullptr: every run grants a token per user).
  auth::TokenKeeper* token_keeper = nullptr;
};

// The address of the mailbox `tokens` opens (users.getProfile of "me"):
// how a user's own grant is checked to belong to that user. kUnauthorized
// when the grant is refused.
Result<std::string> GmailProfileAddress(http::Transport& transport, const std::string& api_url,
                                        const std::string& ca_file, std::chrono::milliseconds timeout,
                                        auth::TokenProvider& tokens);

// Thread-safe; completions run on the transport thread. The source must
// outlive every FetchPage still in flight.
std::unique_ptr<MailSource> MakeGmailMailSource(http::Transport& transport, GmailSourceOptions options);

}  // namespace crmsync::gmail
