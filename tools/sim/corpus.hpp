// The simulator's corpus: tenants, mailbox users, CRM people and mail, all a
// pure function of --seed, generated lazily (nothing per message is stored).
//
// Rules (the ground truth follows from them; see ground_truth.hpp):
// - Tenant t (0-based; id "tenant-{t+1}") has org domain "{name}{t+1}.example"
//   and, for 3 tenants in 4, an alias domain "{abbr}{t+1}.example".
// - User u of tenant t: primary address first.last{u}@{domain0} (ASCII folding
//   of a possibly Unicode display name), 0-3 aliases (first.last{u}@{alias
//   domain}, first{u}@{domain0}, {initial}{last}{u}@{domain0}); Graph id and
//   Salesforce User id (Email = primary address) are hashes of (seed, t, u).
// - External people p of tenant t (--contacts-per-tenant, default
//   max(50, 2*users)) live at customer domains "{company}-{t+1}-{j}.example";
//   one in five writes its address with capitals. ~50% are Contacts (15% of
//   those also a Lead with the same email), ~25% Leads, ~25% unknown to the CRM.
//   Salesforce may store the email in a different case than the mail uses.
// - Epoch 0 gives every mailbox `messages` origin messages; every
//   Advance(K) adds an epoch with K more per mailbox, dated at the new clock
//   (clock += 1 hour). Origin message (t, owner u, epoch e, index k) is:
//     40% inbound:  external -> u (30% of the time also cc v = (u+1) % U);
//     35% outbound: u -> 1..8 externals (25% also cc v);
//     25% internal: u -> v (u -> u when U == 1).
//   u and v are addressed by an alias 20% of the time. Epoch 0 messages are
//   spread over the 60 days before the start clock.
// - Mailbox views: Sent Items of v = origin messages of v (all sent by v)
//   except inbound ones; Inbox of v = messages of origin owner v or v-1 that
//   name v as a recipient. A view is enumerated epoch by epoch, owner v then
//   v-1, index ascending; a ViewCursor is a position in that enumeration.
// - Providers: tenant t is served by options.providers[t % size] (default: all
//   Microsoft Graph). A Gmail tenant has the same users, aliases, people and
//   mail; its mailbox of user v is Inbox(v) ∪ SentItems(v), one Gmail message
//   per origin message (labels INBOX and/or SENT), see google/gmail_mailbox.hpp.
// - Capture-rule features (MessageTraits; drawn from their own stream, so they
//   change no other value): 10% of inbound mail is bulk (List-Unsubscribe
//   and/or Precedence: bulk|list|junk, in varying case); 5% of the other
//   non-internal mail is an automatic reply (Auto-Submitted: auto-replied,
//   subject "Automatic reply: ..."); decoys that are neither: 3% carry
//   "Auto-Submitted: no", 3% "Precedence: first-class"; 7% of all messages
//   have "Confidential" (any case) in the subject, and no other subject does.
// - Each mailbox copy is marked "CRM" independently with 35% (CrmMarked): the
//   Sent Items copy of the sender and the Inbox copy of each recipient user.
//   Graph returns the mark as the Outlook category "CRM" (next to the
//   content's own "Red category"); a Gmail message of v carries the user
//   label "CRM" (id "Label_<n>", per mailbox) when its Inbox(v) or Sent(v)
//   copy is marked.
// - User folder "CRM" (selective capture by folder): users u with u % 3 != 2
//   have a top-level mail folder named "CRM" (Graph mailFolders, EWS
//   FindFolder list it). 25% of the messages of Inbox(u) ∪ SentItems(u) are
//   also copied into it (CrmFiled), each copy with its own item id and no
//   "CRM" category. Gmail has labels instead.
// - Designated exclusions per tenant (Tenant::designated, for the exclusions
//   rule set): the customer domain "{company 0}-{t+1}-0.example"; the address
//   of the Contact who sends user 0's first inbound message outside that
//   domain; for user 0 alone, the next other customer domain in its mail.
// - No epoch 0 message is dated within 1.5 days of (epoch 0 clock − 30 days)
//   (such ages move 3 days older), so a max-age cutoff near there is never
//   ambiguous (capture_rule_set.hpp).
// - Calendars (calendar_model.hpp; their own hash stream, so no mail value
//   changes): every epoch gives each user 3 meetings it organizes (dated from
//   7 days before to 14 days after the epoch clock, on half hours, 30-90
//   min; 5% all-day for 1-2 days). A meeting invites user (u+1) % U with 50%
//   and 1-3 external people (any of the tenant's people, so CRM Contacts and
//   Leads among them) with 60%; 15% are cancelled by the next epoch. User v's
//   calendar holds its own meetings and those of v-1 that invite it: one
//   iCalUID per meeting, one event id per calendar copy.
// Thread-safety: everything is const and thread-safe except Advance(), which
// may run concurrently with readers (it takes a writer lock).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "capture_rule_set.hpp"
#include "prng.hpp"

namespace crmsync::sim {

// kEws: Exchange Web Services with impersonation (same mail as Graph; users via Graph /users).
enum class Provider { kGraph, kGmail, kEws };
const char* ProviderName(Provider provider);   // "graph" | "gmail" | "ews"

struct CorpusOptions {
  std::uint64_t seed = 1;
  int tenants = 1;
  int users = 10;                // per tenant
  int messages = 100;            // origin messages per mailbox in epoch 0
  int contacts_per_tenant = 0;   // 0: max(50, 2 * users)
  std::vector<Provider> providers{Provider::kGraph};   // assigned to tenants in turn
  RuleSet capture{};             // the rule set the ground truth follows (--capture)
  bool scheduler = false;        // orgs have Salesforce Scheduler: a ServiceResource per user (--scheduler)
  bool meeting_changes = false;  // the next epoch changes some meetings in place (--meeting-changes, calendar_model.hpp)
};

struct MailUser {
  int index = 0;
  std::string graph_id;
  std::string given_name, surname, display_name;
  std::string primary;                  // also the userPrincipalName and mail
  std::vector<std::string> aliases;
  std::string sf_user_id;               // 005...
  bool json_plain = false;              // display name, primary and aliases need no JSON escape
};

struct ExternalPerson {
  std::string first_name, last_name, display_name;
  std::string address;                  // as written in mail (may have capitals)
  std::string crm_email;                // as stored in Salesforce
  std::string contact_id;               // 003..., empty when not a Contact
  std::string lead_id;                  // 00Q..., empty when not a Lead
  bool json_plain = false;              // display name and address need no JSON escape
};

// Lower-case values the exclusions rule set writes (rules at the top).
struct CaptureDesignations {
  std::string excluded_domain;          // tenant-wide exclude_domains
  std::string excluded_address;         // tenant-wide exclude_addresses
  int user = 0;                         // the user with its own rule
  std::string user_excluded_domain;     // that user's exclude_domains
};

struct Tenant {
  int index = 0;
  std::string id;                       // "tenant-1"
  Provider provider = Provider::kGraph;
  std::vector<std::string> domains;     // org domains, lower case; [0] is primary
  std::string ms_tenant_id, ms_client_id, ms_client_secret;
  std::string sf_org_id, sf_client_id, sf_client_secret, sf_refresh_token;
  std::string sf_integration_user_id;
  std::vector<MailUser> users;
  std::vector<ExternalPerson> people;
  CaptureDesignations designated;
};

// Each tenant has one directory group, "sales@{domains[0]}", holding every
// other user (even index: users 0, 2, 4, ...). Graph serves it under
// /v1.0/groups (object id SalesGroupId), the Directory API under
// /admin/directory/v1/groups/{address or id}/members. Users' Salesforce
// FederationIdentifier is their primary address upper-cased.
inline std::string SalesGroupAddress(const Tenant& tenant) { return "sales@" + tenant.domains[0]; }
inline std::string SalesGroupId(const Tenant& tenant) {
  std::string index = std::to_string(tenant.index + 1);
  return "5a1e5000-0000-4000-8000-" + std::string(12 - std::min<std::size_t>(12, index.size()), '0') + index;
}
inline bool InSalesGroup(const MailUser& user) { return user.index % 2 == 0; }

enum class MessageKind { kInbound, kOutbound, kInternal };
// kCrm: the user folder "CRM" (kCrmMarker) of a user that has one (HasCrmFolder).
enum class Folder { kInbox, kSentItems, kCrm };

// `name` and `address` view strings of the Corpus's Tenant (a user's or a
// person's), which live as long as the Corpus: a header is generated for
// every candidate of a mailbox view, and copying its strings was most of the
// cost. Code that builds a Participant by hand must keep its strings alive.
struct Participant {
  std::string_view name;
  std::string_view address;
  int user = -1;      // index of the tenant's user owning the address, or -1
  int person = -1;    // index in Tenant::people, or -1
  // Neither name nor address needs JSON escaping: pages copy them as they
  // are (false: escaped, always right).
  bool json_plain = false;
};

struct MessageRef {
  int tenant = 0;
  int owner = 0;      // user whose origin message this is
  int epoch = 0;
  int index = 0;
};

// Facts about a message that capture rules look at (rules at the top).
struct MessageTraits {
  bool bulk = false;
  bool auto_reply = false;
  bool confidential = false;            // the subject contains "confidential" (any case)
  int confidential_style = 0;
  // Extra Internet headers in order (List-Unsubscribe, Precedence, Auto-Submitted).
  std::vector<std::pair<std::string, std::string>> headers;
};

struct MessageHeader {
  MessageRef ref;
  MessageTraits traits;
  MessageKind kind = MessageKind::kInbound;
  Participant from;
  std::vector<Participant> to, cc;
  std::int64_t sent = 0, received = 0;   // seconds since the Unix epoch
  std::string internet_message_id;       // "<...@sender-domain>"
};

struct MessageContent {
  std::string subject;
  std::string body;                      // plain text; may exceed 32,000 code points
  std::string conversation_id;
  std::string importance;                // low | normal | high
  bool has_attachments = false;
  std::vector<std::string> categories;
};

struct Epoch {
  int messages = 0;                      // origin messages per mailbox
  std::int64_t clock = 0;                // sim clock when the epoch was created
};
using Epochs = std::vector<Epoch>;

struct ViewCursor {
  int epoch = 0;
  int slot = 0;       // 0: owner v, 1: owner v-1 (Inbox only)
  int index = 0;
};

class Corpus {
 public:
  // Builds tenants, users and people (small); messages stay virtual.
  explicit Corpus(CorpusOptions options);

  const CorpusOptions& options() const { return options_; }
  const std::vector<Tenant>& tenants() const { return tenants_; }
  std::uint64_t seed() const { return options_.seed; }

  // Copy of the epoch list (index = epoch number).
  // Epoch 0's clock for `seed` (a day's spread after 2026-11-01T00:00:00Z).
  static std::int64_t StartClock(std::uint64_t seed);
  Epochs epochs() const;
  std::int64_t clock() const;
  // Adds an epoch of `messages` new origin messages per mailbox, clock += 1 h.
  // Returns the new epoch's number.
  int Advance(int messages);

  // Users by Graph id or userPrincipalName (case-insensitive): (tenant, user).
  std::optional<std::pair<int, int>> FindUser(std::string_view id_or_upn) const;
  // Tenants by Microsoft tenant id or by one of their domains (case-insensitive).
  std::optional<int> FindTenant(std::string_view tenant_id_or_domain) const;
  std::optional<int> FindTenantById(std::string_view id) const;   // "tenant-1"

  MessageHeader Header(const MessageRef& ref, const Epochs& epochs) const;
  // Header(ref).kind, from the first draw alone (no strings).
  MessageKind Kind(const MessageRef& ref) const;
  MessageContent Content(const MessageHeader& header) const;
  // The same into `out`, whose strings keep their storage (pages render
  // many messages with one MessageContent).
  void Content(const MessageHeader& header, MessageContent& out) const;

  // Whether `header` is in `folder` of user `user` of its tenant.
  bool InView(const MessageHeader& header, int user, Folder folder) const;
  // The next message of the view at or after `cursor`, with epochs in
  // [cursor.epoch, to_epoch); advances `cursor` past it. nullopt at the end
  // (cursor then points at to_epoch).
  // Walks the origin messages that can concern `user` (its own, then, with
  // `include_previous`, those of user-1) in (epoch, slot, index) order, and
  // returns the next one `accept` takes. Every mailbox view is built on it.
  std::optional<MessageHeader> NextCandidate(int tenant, int user, bool include_previous, int to_epoch,
                                             const Epochs& epochs, ViewCursor& cursor,
                                             const std::function<bool(const MessageHeader&)>& accept) const;
  // The same, skipping without generating them the messages for which
  // `skip(ref)` holds (it must hold only for messages `accept` rejects).
  std::optional<MessageHeader> NextCandidate(int tenant, int user, bool include_previous, int to_epoch,
                                             const Epochs& epochs, ViewCursor& cursor,
                                             const std::function<bool(const MessageRef&)>& skip,
                                             const std::function<bool(const MessageHeader&)>& accept) const;
  std::optional<MessageHeader> NextInView(int tenant, int user, Folder folder, int to_epoch,
                                          const Epochs& epochs, ViewCursor& cursor) const;
  // The same, generated into `out` with its buffers reused (a page has up
  // to 1,000 headers, each a few vectors and strings): false at the end,
  // `out` then unspecified.
  bool NextInView(int tenant, int user, Folder folder, int to_epoch, const Epochs& epochs, ViewCursor& cursor,
                  MessageHeader& out) const;
  // Whether the copy of `header` in (user, folder) is marked "CRM".
  bool CrmMarked(const MessageHeader& header, int user, Folder folder) const;
  // Whether user `user` (of any tenant) has the folder "CRM".
  static bool HasCrmFolder(int user) { return user % 3 != 2; }
  // Whether `header` is also copied into user's folder "CRM".
  bool CrmFiled(const MessageHeader& header, int user) const;
  // Whether user's Gmail message of `header` carries the "CRM" label.
  bool CrmLabelled(const MessageHeader& header, int user) const;
  // Graph id of the copy of `header` in (user, folder): stable and unique.
  std::string MailboxMessageId(const MessageHeader& header, int user, Folder folder) const;
  // The same id in a fixed buffer: "AAMkAG" and the base64url (no padding) of
  // 16 bytes. Pages render one per message; it needs no heap string.
  struct MessageIdText {
    char data[28];
    std::string_view view() const { return {data, sizeof data}; }
  };
  MessageIdText MailboxMessageIdText(const MessageHeader& header, int user, Folder folder) const;
  std::string FolderId(int tenant, int user, Folder folder) const;

  // Visits every origin message of `tenant` with epoch in [from, to), user by user.
  template <class Fn>
  void ForEachMessage(int tenant, int from_epoch, int to_epoch, const Epochs& epochs, Fn&& fn) const {
    int users = static_cast<int>(tenants_[static_cast<std::size_t>(tenant)].users.size());
    for (int e = from_epoch; e < to_epoch; ++e) {
      for (int u = 0; u < users; ++u) {
        for (int k = 0; k < epochs[static_cast<std::size_t>(e)].messages; ++k) {
          fn(Header(MessageRef{tenant, u, e, k}, epochs));
        }
      }
    }
  }

 private:
  // `sender_domain_as_written`: lower-cased only for the bulk mail that names it.
  MessageTraits Traits(const MessageRef& ref, MessageKind kind, std::string_view sender_domain_as_written) const;
  // Header() in two steps: everything but the Internet message id and the
  // traits into `h` (its vectors reused), returning the seed FinishHeader()
  // builds those from.
  std::uint64_t HeaderCore(const MessageRef& ref, const Epochs& epochs, MessageHeader& h) const;
  void FinishHeader(MessageHeader& h, std::uint64_t id_seed) const;
  // The stream Header() draws from, and its first draw: the kind.
  Rng MessageRng(const MessageRef& ref) const;
  static MessageKind KindOf(Rng& rng);
  // The 25 % draw of CrmFiled, which needs no header.
  bool CrmFiledDraw(const MessageRef& ref, int user) const;
  void Designate(Tenant& tenant) const;
  Participant UserParticipant(const Tenant& tenant, int user, bool may_use_alias, std::uint64_t pick) const;

  CorpusOptions options_;
  std::vector<Tenant> tenants_;
  std::vector<Modulus> people_modulus_;   // per tenant: Modulus(people.size())
  // Per tenant, what HeaderCore draws of each external person (several per
  // candidate message), with the texts packed in one buffer per tenant:
  // through the ExternalPerson records, each draw was a cache miss or two
  // at benchmark scale, and HeaderCore the simulator's largest function.
  struct PersonDraw {
    std::string_view display_name, address;
    bool json_plain = false;
  };
  std::vector<std::vector<PersonDraw>> person_draws_;
  std::vector<std::shared_ptr<const std::string>> person_texts_;   // what the views point into (copies share it)
  void PackPersonDraws();
  std::unordered_map<std::string, std::pair<int, int>> users_by_key_;   // lower-cased id / upn
  std::unordered_map<std::string, int> tenants_by_key_;
  mutable std::shared_mutex epochs_mutex_;
  Epochs epochs_;
};

}  // namespace crmsync::sim
