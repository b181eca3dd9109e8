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
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "corpus.hpp"

namespace crmsync::sim {

enum class Outcome { kCaptured, kInternalOnly, kNoCrmMatch };
const char* OutcomeName(Outcome outcome);

inline constexpr std::size_t kDescriptionMaxCodePoints = 32000;

struct Judgement {
  Outcome outcome = Outcome::kInternalOnly;
  std::string key;
  std::string who_id;
  std::string owner_id;
};

// Task field name -> expected value, for a captured message.
using ExpectedTask = std::map<std::string, std::string>;

std::string NormalizeMessageId(std::string_view internet_message_id);
// Cheap: needs only the header.
Judgement Judge(const Corpus& corpus, const MessageHeader& header);
ExpectedTask ExpectedFields(const MessageHeader& header, const Judgement& judgement,
                            const MessageContent& content, Provider provider = Provider::kGraph);

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
  std::uint64_t total() const { return captured + internal_only + no_crm_match; }
  void Add(Outcome o) {
    (o == Outcome::kCaptured ? captured : o == Outcome::kInternalOnly ? internal_only : no_crm_match)++;
  }
  OutcomeCounts& operator+=(const OutcomeCounts& o) {
    captured += o.captured;
    internal_only += o.internal_only;
    no_crm_match += o.no_crm_match;
    return *this;
  }
};

}  // namespace crmsync::sim
