// Ground truth: what the engine is expected to write to Salesforce for each
// distinct message, decided here from the corpus alone (never by engine code).
//
// - A participant is internal when its domain (case-insensitive) is one of the
//   tenant's org domains. All internal -> not captured (internal_only).
// - External participants in order from, to..., cc... (lower-cased, deduped):
//   WhoId = Contact id of the first that is a Contact, else Lead id of the first
//   that is a Lead, else not captured (no_crm_match).
// - OwnerId = Salesforce User id of the first internal participant in the same
//   order (an alias maps to its user).
// - Key (Crmsync_Key__c) = internetMessageId trimmed, without the surrounding
//   '<' '>', lower-cased. Subject as is; Description = the body's first
//   min(length, 32000) code points; ActivityDate = UTC date of sentDateTime;
//   TaskSubtype "Email"; Status "Completed".
// - Gmail tenants: the engine only sees the snippet, so Description = the
//   snippet (GmailSnippet below); ActivityDate = UTC date of internalDate,
//   which the simulator sets to the send time (so the same date).
// - Description is then cut to the rule set's max_body_chars code points.
//
// Capture rules (the rule set of CorpusOptions::capture, capture_rule_set.hpp)
// are judged per mailbox copy: Graph: the Sent Items copy of a sender user
// and the Inbox copy of each recipient user; Gmail: one message per user
// whose Inbox or Sent view holds it. A copy's outcome is the first that
// applies of: too_old (sent < cutoff), wrong_direction (outgoing = sent by
// that mailbox's user), not_selected (selective and the copy is not marked
// CRM), auto_reply, bulk, excluded_address, excluded_domain (tenant lists,
// plus the designated user's list on that user's copies), excluded_subject
// (the subject has "confidential"), internal_only (no external participant),
// no_crm_match, else captured. A message is captured when any copy is; else
// its outcome is that of the copy that got furthest in this order.
//
// create-lead rule set: every external participant that is no Contact or
// Lead is a Lead to create (Judgement::new_leads, key LeadKeyOf); such a
// person counts as a Lead for the CRM match and for WhoId (first Contact,
// else the first participant that is a Lead or a new one), so WhoId may be
// a placeholder LeadKeyOf(address) that verify maps to the created Lead's id.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "corpus.hpp"

namespace crmsync::sim {

// Names are the engine's skip reasons (and "captured").
enum class Outcome {
  kCaptured, kInternalOnly, kNoCrmMatch, kTooOld, kWrongDirection, kNotSelected, kAutoReply, kBulk,
  kExcludedAddress, kExcludedDomain, kExcludedSubject,
};
inline constexpr int kOutcomeCount = 11;
const char* OutcomeName(Outcome outcome);

inline constexpr std::size_t kDescriptionMaxCodePoints = 32000;

// One mailbox copy: Graph folder copy, or Gmail message (folder unused).
struct CopyVerdict {
  int user = 0;
  Folder folder = Folder::kInbox;
  Outcome outcome = Outcome::kInternalOnly;
};

struct Judgement {
  Outcome outcome = Outcome::kInternalOnly;
  std::vector<CopyVerdict> copies;
  std::string key;
  std::string who_id;
  std::string owner_id;
  std::vector<std::string> new_leads;   // create-lead: lower-case addresses of unknown external people
};

// The Crmsync_Key__c of the Lead created for `address`: "lead:" + lower case.
std::string LeadKeyOf(std::string_view address);

// Task field name -> expected value, for a captured message.
using ExpectedTask = std::map<std::string, std::string>;

std::string NormalizeMessageId(std::string_view internet_message_id);
// Cheap: needs only the header. The first form uses the corpus's rule set.
Judgement Judge(const Corpus& corpus, const MessageHeader& header);
Judgement Judge(const Corpus& corpus, const MessageHeader& header, const RuleSet& rules);
ExpectedTask ExpectedFields(const MessageHeader& header, const Judgement& judgement,
                            const MessageContent& content, Provider provider = Provider::kGraph,
                            std::size_t max_body_chars = 32000);

// Gmail's snippet as the simulator defines it: the body with every run of
// ASCII whitespace (space, \t, \r, \n, \f, \v) collapsed to one space,
// leading and trailing whitespace removed, then its first 200 code points
// (and a space the cut leaves at the end removed).
inline constexpr std::size_t kSnippetCodePoints = 200;
std::string GmailSnippet(std::string_view body);

struct OutcomeCounts {
  std::uint64_t captured = 0;
  std::uint64_t internal_only = 0;
  std::uint64_t no_crm_match = 0;
  std::array<std::uint64_t, kOutcomeCount> by_outcome{};   // every outcome, the three above included
  std::uint64_t total() const {
    std::uint64_t sum = 0;
    for (std::uint64_t n : by_outcome) sum += n;
    return sum;
  }
  std::uint64_t of(Outcome o) const { return by_outcome[static_cast<std::size_t>(o)]; }
  void Add(Outcome o) {
    ++by_outcome[static_cast<std::size_t>(o)];
    if (o == Outcome::kCaptured) ++captured;
    if (o == Outcome::kInternalOnly) ++internal_only;
    if (o == Outcome::kNoCrmMatch) ++no_crm_match;
  }
  OutcomeCounts& operator+=(const OutcomeCounts& o) {
    captured += o.captured;
    internal_only += o.internal_only;
    no_crm_match += o.no_crm_match;
    for (std::size_t i = 0; i < by_outcome.size(); ++i) by_outcome[i] += o.by_outcome[i];
    return *this;
  }
};

// Message outcomes and mailbox-copy outcomes (what the engine reports as
// skipped reasons per copy read) of a set of messages.
struct TruthCounts {
  OutcomeCounts messages;
  OutcomeCounts copies;
  void Add(const Judgement& j) {
    messages.Add(j.outcome);
    for (const CopyVerdict& c : j.copies) copies.Add(c.outcome);
  }
  TruthCounts& operator+=(const TruthCounts& o) {
    messages += o.messages;
    copies += o.copies;
    return *this;
  }
};

}  // namespace crmsync::sim
