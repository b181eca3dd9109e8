// The simulated Exchange Web Services endpoint, POST /EWS/Exchange.asmx
// (API-FACTS.md §2): SyncFolderItems, FindItem (a DateTimeReceived window,
// ews_find_item.hpp) and GetItem on the Inbox and Sent Items
// of the corpus' mailboxes (the same views Graph serves), for app-only
// bearer tokens of scope https://outlook.office365.com/.default with
// ExchangeImpersonation and a matching X-AnchorMailbox. Strict: a missing
// RequestServerVersion or impersonation header, MaxChangesReturned over 512,
// an unknown property or a malformed request is refused; a SyncState it did
// not issue gives ErrorInvalidSyncStateData. SyncStates and item ids are
// stateless and authenticated, so a client may replay them after a crash.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "isolation_log.hpp"
#include "corpus.hpp"
#include "ews/ews_soap.hpp"
#include "http_server.hpp"
#include "http_util.hpp"
#include "identity_service.hpp"
#include "link_token.hpp"

namespace crmsync::sim::ews {

class EwsService {
 public:
  static constexpr int kMaxChangesReturned = 512;
  static constexpr std::size_t kMaxItemIds = 1000;   // per GetItem
  static constexpr std::size_t kMaxFindItemEntries = 1000;   // per FindItem page

  EwsService(const Corpus& corpus, const IdentityService& identity, RequestStats& stats);

  static bool Owns(const HttpRequest& request);   // /EWS/Exchange.asmx
  HttpResponse Handle(const HttpRequest& request);

  // Fault injection: the next `count` calls get HTTP 500 ErrorServerBusy
  // with BackOffMilliseconds = back_off_ms.
  void InjectServerBusy(int count, long back_off_ms);
  // Calls that impersonated a mailbox of another tenant than the token's.
  std::uint64_t isolation_violations() const { return isolation_violations_.load(); }
  // Where those calls are also recorded for /_sim/verify (nullptr: not).
  void SetIsolationLog(IsolationLog* log) { isolation_ = log; }

 private:
  struct Mailbox {
    int tenant = 0;
    int user = 0;
  };
  HttpResponse Dispatch(const HttpRequest& request, int tenant, std::string& family);
  HttpResponse SyncFolderItems(Node operation, const Mailbox& mailbox);
  HttpResponse GetItem(Node operation, const Mailbox& mailbox);
  HttpResponse FindItem(Node operation, const Mailbox& mailbox);
  // Shallow FindFolder under msgfolderroot (ews_find_folder.cpp).
  HttpResponse FindFolder(Node operation, const Mailbox& mailbox);
  std::string ItemId(const MessageHeader& header, int user, Folder folder) const;

  const Corpus& corpus_;
  const IdentityService& identity_;
  RequestStats& stats_;
  LinkTokens tokens_;
  std::atomic<int> busy_remaining_{0};
  std::atomic<long> busy_back_off_ms_{0};
  std::atomic<std::uint64_t> isolation_violations_{0};
  IsolationLog* isolation_ = nullptr;
};

}  // namespace crmsync::sim::ews
