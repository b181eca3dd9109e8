// The simulated Gmail API v1 and Directory API for Gmail tenants
// (API-FACTS.md §3.1-3.6): profile, messages.list, messages.get, history.list,
// settings.sendAs.list, labels.list, the batch endpoint, Directory users.list, per-user
// quota. Requests carry a GoogleAuth access token of the impersonated user.
// Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "corpus.hpp"
#include "gmail_mailbox.hpp"
#include "google_auth.hpp"
#include "http_server.hpp"
#include "http_util.hpp"
#include "user_quota.hpp"

namespace crmsync::sim::google {

struct GmailOptions {
  int user_quota = 250;          // quota units per user per second (sliding window)
  int history_retention = 1000;  // advances a startHistoryId stays valid for
};

class GmailService {
 public:
  static constexpr int kDefaultPage = 100;
  static constexpr int kMaxPage = 500;

  GmailService(const Corpus& corpus, const GoogleAuth& auth, RequestStats& stats, GmailOptions options,
               SteadyClock clock = {});

  // /gmail/v1/..., /batch/gmail/v1, /admin/directory/v1/...
  static bool Owns(const HttpRequest& request);
  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse Single(const HttpRequest& request, const char*& family);
  HttpResponse Batch(const HttpRequest& request);
  HttpResponse Profile(int tenant, int user);
  HttpResponse List(const HttpRequest& request, int tenant, int user);
  HttpResponse History(const HttpRequest& request, int tenant, int user);
  HttpResponse Get(const HttpRequest& request, int tenant, int user, std::string_view id);
  HttpResponse SendAs(int tenant, int user);
  HttpResponse Labels(int tenant, int user);   // INBOX, SENT, UNREAD and the user label "CRM"
  HttpResponse DirectoryUsers(const HttpRequest& request, int tenant);
  HttpResponse DirectoryGroupMembers(const HttpRequest& request, int tenant, std::string_view group_key);
  std::string DirectoryUserId(int tenant, std::size_t user) const;

  const Corpus& corpus_;
  const GoogleAuth& auth_;
  RequestStats& stats_;
  GmailOptions options_;
  GmailMailbox mailbox_;
  UserQuota quota_;
};

// {"error":{"code","message","errors":[{"domain","reason","message"}],"status"}}
HttpResponse GoogleError(int code, std::string_view message, std::string_view reason, std::string_view status,
                         std::string_view domain = "global");

}  // namespace crmsync::sim::google
