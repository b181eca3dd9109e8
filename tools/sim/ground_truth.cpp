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
  }
  return "unknown";
}

std::string NormalizeMessageId(std::string_view internet_message_id) {
  std::string_view id = Trim(internet_message_id);
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  return AsciiLower(id);
}

namespace {
bool IsInternal(const Tenant& tenant, std::string_view address) {
  std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view domain = address.substr(at + 1);
  return std::any_of(tenant.domains.begin(), tenant.domains.end(),
                     [&](const std::string& d) { return EqualsNoCase(d, domain); });
}
}  // namespace

Judgement Judge(const Corpus& corpus, const MessageHeader& header) {
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
  bool any_external = false;
  for (const Participant* p : ordered) {
    if (IsInternal(tenant, p->address)) {
      if (j.owner_id.empty() && p->user >= 0) {
        j.owner_id = tenant.users[static_cast<std::size_t>(p->user)].sf_user_id;
      }
      continue;
    }
    any_external = true;
    if (p->person < 0) continue;
    const ExternalPerson& person = tenant.people[static_cast<std::size_t>(p->person)];
    if (first_contact == nullptr && !person.contact_id.empty()) first_contact = &person;
    if (first_lead == nullptr && !person.lead_id.empty()) first_lead = &person;
  }
  if (!any_external) {
    j.outcome = Outcome::kInternalOnly;
  } else if (first_contact != nullptr) {
    j.outcome = Outcome::kCaptured;
    j.who_id = first_contact->contact_id;
  } else if (first_lead != nullptr) {
    j.outcome = Outcome::kCaptured;
    j.who_id = first_lead->lead_id;
  } else {
    j.outcome = Outcome::kNoCrmMatch;
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
                            const MessageContent& content, Provider provider) {
  std::string description = provider == Provider::kGmail
                                ? GmailSnippet(content.body)
                                : std::string(Utf8Prefix(content.body, kDescriptionMaxCodePoints));
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
