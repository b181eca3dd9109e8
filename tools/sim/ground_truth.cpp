#include "ground_truth.hpp"

#include <algorithm>
#include <vector>

#include "text_util.hpp"

namespace crmsync::sim {

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kCaptured: return "captured";
    case Outcome::kInternalOnly: return "internal_only";
    case Outcome::kNoCrmMatch: return "no_crm_match";
    case Outcome::kTooOld: return "too_old";
    case Outcome::kWrongDirection: return "wrong_direction";
    case Outcome::kNotSelected: return "not_selected";
    case Outcome::kAutoReply: return "auto_reply";
    case Outcome::kBulk: return "bulk";
    case Outcome::kExcludedAddress: return "excluded_address";
    case Outcome::kExcludedDomain: return "excluded_domain";
    case Outcome::kExcludedSubject: return "excluded_subject";
  }
  return "unknown";
}

std::string NormalizeMessageId(std::string_view internet_message_id) {
  std::string_view id = Trim(internet_message_id);
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  return AsciiLower(id);
}

std::string LeadKeyOf(std::string_view address) { return "lead:" + AsciiLower(address); }

namespace {
bool IsInternal(const Tenant& tenant, std::string_view address) {
  std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view domain = address.substr(at + 1);
  return std::any_of(tenant.domains.begin(), tenant.domains.end(),
                     [&](const std::string& d) { return EqualsNoCase(d, domain); });
}

std::string_view DomainPart(std::string_view address) {
  std::size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

// How far a copy got through the rules: the furthest copy decides a message
// none of whose copies is captured.
int Progress(Outcome o) {
  switch (o) {
    case Outcome::kTooOld: return 0;
    case Outcome::kWrongDirection: return 1;
    case Outcome::kNotSelected: return 2;
    case Outcome::kAutoReply: return 3;
    case Outcome::kBulk: return 4;
    case Outcome::kExcludedAddress: return 5;
    case Outcome::kExcludedDomain: return 6;
    case Outcome::kExcludedSubject: return 7;
    case Outcome::kInternalOnly: return 8;
    case Outcome::kNoCrmMatch: return 9;
    case Outcome::kCaptured: return 10;
  }
  return 0;
}

// The mailbox copies of a message: the sender user's Sent Items copy, each
// recipient user's Inbox copy (Graph); one message per such user (Gmail).
std::vector<CopyVerdict> CopiesOf(const Tenant& tenant, const MessageHeader& h) {
  std::vector<CopyVerdict> copies;
  if (h.from.user >= 0) copies.push_back(CopyVerdict{h.from.user, Folder::kSentItems, Outcome::kCaptured});
  auto add_inbox = [&](const Participant& p) {
    if (p.user < 0) return;
    for (const CopyVerdict& c : copies) {
      if (c.user == p.user && (c.folder == Folder::kInbox || tenant.provider == Provider::kGmail)) return;
    }
    copies.push_back(CopyVerdict{p.user, Folder::kInbox, Outcome::kCaptured});
  };
  for (const Participant& p : h.to) add_inbox(p);
  for (const Participant& p : h.cc) add_inbox(p);
  return copies;
}

// Selective capture reads the folder "CRM" too (Graph and EWS): a user's
// copy there is one more copy of the message, marked by its folder.
void AddCrmFolderCopies(const Corpus& corpus, const MessageHeader& h, std::vector<CopyVerdict>& copies) {
  const std::size_t holders = copies.size();
  for (std::size_t i = 0; i < holders; ++i) {
    const int user = copies[i].user;
    bool listed = false;
    for (std::size_t k = 0; k < i; ++k) listed = listed || copies[k].user == user;
    if (!listed && corpus.CrmFiled(h, user)) copies.push_back(CopyVerdict{user, Folder::kCrm, Outcome::kCaptured});
  }
}

struct Facts {
  bool any_external = false;
  bool crm_match = false;
  bool tenant_address = false, tenant_domain = false;   // tenant-wide exclusions hit
  bool user_domain = false;                             // the designated user's exclusion hit
};

Outcome JudgeCopy(const Corpus& corpus, const Tenant& tenant, const MessageHeader& h, const CopyVerdict& copy,
                  const RuleSet& rules, const Facts& facts) {
  if (rules.too_old_before > 0 && h.sent < rules.too_old_before) return Outcome::kTooOld;
  const bool outgoing = h.from.user == copy.user;
  if ((rules.direction == DirectionRule::kIncoming && outgoing) ||
      (rules.direction == DirectionRule::kOutgoing && !outgoing)) {
    return Outcome::kWrongDirection;
  }
  if (rules.selective) {
    bool marked = copy.folder == Folder::kCrm || (tenant.provider == Provider::kGmail
                                                      ? corpus.CrmLabelled(h, copy.user)
                                                      : corpus.CrmMarked(h, copy.user, copy.folder));
    if (!marked) return Outcome::kNotSelected;
  }
  if (rules.skip_auto_replies && h.traits.auto_reply) return Outcome::kAutoReply;
  if (rules.skip_bulk && h.traits.bulk) return Outcome::kBulk;
  if (rules.exclusions) {
    if (facts.tenant_address) return Outcome::kExcludedAddress;
    if (facts.tenant_domain || (copy.user == tenant.designated.user && facts.user_domain)) {
      return Outcome::kExcludedDomain;
    }
    if (h.traits.confidential) return Outcome::kExcludedSubject;
  }
  if (rules.skip_internal && !facts.any_external) return Outcome::kInternalOnly;
  if (!facts.crm_match) return Outcome::kNoCrmMatch;
  return Outcome::kCaptured;
}
}  // namespace

Judgement Judge(const Corpus& corpus, const MessageHeader& header) {
  return Judge(corpus, header, corpus.options().capture);
}

Judgement Judge(const Corpus& corpus, const MessageHeader& header, const RuleSet& rules) {
  const Tenant& tenant = corpus.tenants()[static_cast<std::size_t>(header.ref.tenant)];
  Judgement j;
  j.key = NormalizeMessageId(header.internet_message_id);

  std::vector<const Participant*> ordered;
  ordered.reserve(1 + header.to.size() + header.cc.size());
  ordered.push_back(&header.from);
  for (const auto& p : header.to) ordered.push_back(&p);
  for (const auto& p : header.cc) ordered.push_back(&p);

  const ExternalPerson* first_contact = nullptr;
  const ExternalPerson* first_lead = nullptr;
  std::string first_lead_id;   // an existing Lead's id, or the key of a Lead to create
  bool any_external = false;
  Facts facts;
  const CaptureDesignations& d = tenant.designated;
  for (const Participant* p : ordered) {
    if (rules.exclusions) {
      std::string_view domain = DomainPart(p->address);
      facts.tenant_address = facts.tenant_address || EqualsNoCase(p->address, d.excluded_address);
      facts.tenant_domain = facts.tenant_domain || EqualsNoCase(domain, d.excluded_domain);
      facts.user_domain = facts.user_domain || EqualsNoCase(domain, d.user_excluded_domain);
    }
    if (IsInternal(tenant, p->address)) {
      if (j.owner_id.empty() && p->user >= 0) {
        j.owner_id = tenant.users[static_cast<std::size_t>(p->user)].sf_user_id;
      }
      continue;
    }
    any_external = true;
    const ExternalPerson* person =
        p->person < 0 ? nullptr : &tenant.people[static_cast<std::size_t>(p->person)];
    const bool unknown = person == nullptr || (person->contact_id.empty() && person->lead_id.empty());
    if (unknown && rules.create_lead) {
      std::string address = AsciiLower(p->address);
      if (std::find(j.new_leads.begin(), j.new_leads.end(), address) == j.new_leads.end()) {
        if (first_lead_id.empty()) first_lead_id = LeadKeyOf(address);
        j.new_leads.push_back(std::move(address));
      }
    }
    if (person == nullptr) continue;
    if (first_contact == nullptr && !person->contact_id.empty()) first_contact = person;
    if (first_lead == nullptr && !person->lead_id.empty()) {
      first_lead = person;
      if (first_lead_id.empty()) first_lead_id = person->lead_id;
    }
  }
  if (first_contact != nullptr) {
    j.who_id = first_contact->contact_id;
  } else if (!first_lead_id.empty()) {
    j.who_id = first_lead_id;
  }
  facts.any_external = any_external;
  facts.crm_match = !j.who_id.empty();

  j.copies = CopiesOf(tenant, header);
  if (rules.selective && tenant.provider != Provider::kGmail) AddCrmFolderCopies(corpus, header, j.copies);
  // A message no mailbox holds (hand-made headers in tests) is judged as one copy.
  if (j.copies.empty()) j.copies.push_back(CopyVerdict{-1, Folder::kInbox, Outcome::kCaptured});
  int best = -1;
  for (CopyVerdict& copy : j.copies) {
    copy.outcome = JudgeCopy(corpus, tenant, header, copy, rules, facts);
    if (Progress(copy.outcome) > best) {
      best = Progress(copy.outcome);
      j.outcome = copy.outcome;
    }
  }
  return j;
}

std::string GmailSnippet(std::string_view body) {
  std::string out;
  std::size_t code_points = 0;
  bool pending_space = false;
  for (char ch : body) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) == 0x80) {   // continuation byte of the code point just added
      if (code_points <= kSnippetCodePoints) out += ch;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      pending_space = !out.empty();
      continue;
    }
    if (code_points + (pending_space ? 1 : 0) >= kSnippetCodePoints) break;
    if (pending_space) {
      out += ' ';
      ++code_points;
      pending_space = false;
    }
    out += ch;
    ++code_points;
  }
  return out;
}

ExpectedTask ExpectedFields(const MessageHeader& header, const Judgement& judgement,
                            const MessageContent& content, Provider provider, std::size_t max_body_chars) {
  const std::size_t limit = std::min(max_body_chars, kDescriptionMaxCodePoints);
  std::string description = provider == Provider::kGmail ? GmailSnippet(content.body) : content.body;
  description = std::string(Utf8Prefix(description, limit));
  return ExpectedTask{
      {"Subject", content.subject},
      {"Description", std::move(description)},
      {"ActivityDate", FormatDate(header.sent)},
      {"WhoId", judgement.who_id},
      {"OwnerId", judgement.owner_id},
      {"TaskSubtype", "Email"},
      {"Status", "Completed"},
  };
}

}  // namespace crmsync::sim
