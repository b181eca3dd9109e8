// The simulated Microsoft Graph v1.0: GET /users, top-level mailFolders and per-folder message delta
// (API-FACTS.md §1.1-1.3, 1.7). Links are absolute and carry stateless,
// authenticated tokens (link_token.hpp). Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "corpus.hpp"
#include "isolation_log.hpp"
#include "mailbox_access.hpp"
#include "http_server.hpp"
#include "http_util.hpp"
#include "identity_service.hpp"
#include "link_token.hpp"

namespace crmsync::sim {

class GraphService {
 public:
  // Default and maximum message page sizes (Prefer: odata.maxpagesize).
  static constexpr int kDefaultMessagePage = 10;
  static constexpr int kMaxMessagePage = 1000;
  static constexpr int kDefaultUserPage = 100;
  static constexpr int kMaxUserPage = 999;

  GraphService(const Corpus& corpus, const IdentityService& identity, std::string origin, RequestStats& stats);

  static bool Owns(const HttpRequest& request);   // /v1.0/...
  HttpResponse Handle(const HttpRequest& request);

  // Access the administrator revoked answers 403 (nullptr: all allowed).
  void SetMailboxAccess(const MailboxAccess* access) { access_ = access; }
  // Where requests whose token belongs to another tenant than the mailbox
  // are recorded (nullptr: not recorded). Set before the first request.
  void SetIsolationLog(IsolationLog* log) { isolation_ = log; }
  // Where a user's delegated token used on another mailbox of its own tenant
  // is recorded (nullptr: not recorded).
  void SetDelegationLog(IsolationLog* log) { delegation_ = log; }

 private:
  HttpResponse Users(const HttpRequest& request, int tenant);
  // `token_user`: the user of a delegated token (-1: an application token).
  HttpResponse Delta(const HttpRequest& request, int tenant, std::string_view user_key, std::string_view folder_key,
                     int token_user);
  // GET /users/{id}/mailFolders: the top-level folders (graph_folders.cpp).
  HttpResponse MailFolders(const HttpRequest& request, int tenant, std::string_view user_key, int token_user);
  // The error answering a request for mailbox `user_key` with a token of
  // `tenant` (and of `token_user` when delegated), if any; else sets `user`.
  std::optional<HttpResponse> MailboxRefused(const HttpRequest& request, int tenant, std::string_view user_key,
                                             int token_user, int& user);
  // GET /me: the signed-in user of a delegated token.
  HttpResponse Me(const HttpRequest& request, int tenant, int user);
  // GET /users/{id}/mailFolders/{folder}/messages with the receivedDateTime
  // window $filter (mail_window.hpp), paged with $skip (graph_messages.cpp).
  HttpResponse Messages(const HttpRequest& request, int tenant, std::string_view user_key, std::string_view folder_key,
                        int token_user);
  // The mailbox and folder a message URL names, or the error answering it
  // (another tenant's mailbox, another user's with a delegated token).
  std::optional<HttpResponse> FindMailbox(const HttpRequest& request, int tenant, std::string_view user_key,
                                          std::string_view folder_key, int token_user, int& user,
                                          Folder& folder);

  const Corpus& corpus_;
  const IdentityService& identity_;
  std::string origin_;
  RequestStats& stats_;
  LinkTokens tokens_;
  const MailboxAccess* access_ = nullptr;
  IsolationLog* isolation_ = nullptr;
  IsolationLog* delegation_ = nullptr;
};

}  // namespace crmsync::sim
