#include "corpus.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include <fmt/core.h>

#include "json_escape.hpp"
#include "prng.hpp"
#include "text_util.hpp"

namespace crmsync::sim {
namespace {

struct Name {
  const char* display;
  const char* ascii;
};

constexpr std::array<Name, 20> kGivenNames{{
    {"Zoë", "zoe"}, {"José", "jose"}, {"Åsa", "asa"}, {"Łukasz", "lukasz"}, {"Anna", "anna"},
    {"Mei", "mei"}, {"Oluwaseun", "oluwaseun"}, {"François", "francois"}, {"Søren", "soren"},
    {"Priya", "priya"}, {"Hiroshi", "hiroshi"}, {"Chloé", "chloe"}, {"Björn", "bjorn"},
    {"Ana", "ana"}, {"Mohammed", "mohammed"}, {"Elif", "elif"}, {"芳", "fang"}, {"翔太", "shota"},
    {"Dmitri", "dmitri"}, {"Grace", "grace"}}};

constexpr std::array<Name, 18> kSurnames{{
    {"Müller", "muller"}, {"García", "garcia"}, {"Nguyễn", "nguyen"}, {"O'Brien", "obrien"},
    {"Kowalski", "kowalski"}, {"Smith", "smith"}, {"Dubois", "dubois"}, {"Østergaard", "ostergaard"},
    {"Yılmaz", "yilmaz"}, {"Tanaka", "tanaka"}, {"Rossi", "rossi"}, {"Ivanova", "ivanova"},
    {"Papadopoulos", "papadopoulos"}, {"Silva", "silva"}, {"王", "wang"}, {"佐藤", "sato"},
    {"Johnson", "johnson"}, {"Šimůnek", "simunek"}}};

struct OrgName {
  const char* name;
  const char* abbr;
};
constexpr std::array<OrgName, 8> kOrgNames{{{"northwind", "nw"}, {"contoso", "cso"},
                                            {"fabrikam", "fab"}, {"adatum", "adt"},
                                            {"litware", "lit"}, {"tailspin", "tsp"},
                                            {"woodgrove", "wgb"}, {"proseware", "pro"}}};

constexpr std::array<const char*, 12> kCompanies{{"acme", "globex", "initech", "umbrella", "hooli",
                                                  "vandelay", "soylent", "cyberdyne", "wonka",
                                                  "gringotts", "tyrell", "oscorp"}};

constexpr std::array<std::string_view, 18> kSubjects{{
    "Quarterly business review",
    "Angebot für Q3 – Überarbeitung",
    "Réunion de suivi — budget 2027",
    "見積もりのご依頼",
    "合同续签讨论",
    "🚀 Launch plan for the new region",
    "Invoice overdue ⚠️ please check",
    "Ñandú project kickoff",
    "Zusammenfassung: Müller & Söhne",
    "Pricing for the \"enterprise\" tier",
    "Café meeting ☕ next Tuesday?",
    "Προσφορά για την ανανέωση",
    "Договор на поставку оборудования",
    "Renewal <urgent> & follow-up",
    "Lunch? 🍣🍜",
    "Contract redlines v2 (legal review) / C:\\shared\\contracts",
    "Re-introduction: our solutions team would love to walk you through the roadmap, the "
    "integration options, the migration timeline and the support model in one session",
    "Status update"}};

constexpr std::array<std::string_view, 12> kBodyLines{{
    "Thanks for the call — let's follow up next week.",
    "Preis: 1.200 € (inkl. MwSt.), gültig bis Monatsende.",
    "請確認附件中的報價。",
    "Quote: \"best effort\" \\ see C:\\path\\file.txt",
    "Item\tQty\tPrice",
    "🙂 Looking forward to it!",
    "Ça marche, à demain.",
    "Can you send the signed copy by Friday?",
    "Ιδού τα στοιχεία που ζητήσατε.",
    "Мы согласны с условиями.",
    "<b>not html</b> & not an entity: &amp;",
    "Best regards"}};

constexpr const char* kLongParagraph =
    "This is a long message body used to check truncation — ünïcödé, 日本語, emoji 🎉, "
    "and plain ASCII mixed together so that byte and code-point counts differ. ";

constexpr std::int64_t kStartClock = 1793491200;   // 2026-11-01T00:00:00Z
constexpr std::int64_t kEpochSeconds = 3600;
constexpr std::int64_t kHistorySeconds = 60 * 86400;

std::string SecretString(std::uint64_t seed, int tenant, std::uint64_t which, std::size_t length) {
  Rng rng(HashOf(seed, Tag::kSecret, {static_cast<std::uint64_t>(tenant), which}));
  return Base62(rng, length);
}

// Capitalizes the first letter of each dot- or dash-separated part.
std::string Capitalized(std::string_view text) {
  std::string out(text);
  bool start = true;
  for (char& c : out) {
    if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    start = (c == '.' || c == '-' || c == '@');
  }
  return out;
}

bool JsonPlain(std::string_view text) { return NextJsonEscape(text.data(), 0, text.size()) == text.size(); }

std::string_view DomainOf(std::string_view address) {
  std::size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

// The next message a view walks: epoch by epoch, the user's own messages
// (slot 0), then the previous user's (slot 1) when `slots` is 2.
std::optional<MessageRef> NextRef(int tenant, int user, int previous, int slots, int to_epoch, const Epochs& epochs,
                                  ViewCursor& cursor) {
  while (cursor.epoch < to_epoch) {
    if (cursor.slot >= slots) {
      ++cursor.epoch;
      cursor.slot = 0;
      cursor.index = 0;
      continue;
    }
    if (cursor.index >= epochs[static_cast<std::size_t>(cursor.epoch)].messages) {
      ++cursor.slot;
      cursor.index = 0;
      continue;
    }
    MessageRef ref{tenant, cursor.slot == 0 ? user : previous, cursor.epoch, cursor.index};
    ++cursor.index;
    return ref;
  }
  return std::nullopt;
}

}  // namespace

const char* ProviderName(Provider provider) {
  switch (provider) {
    case Provider::kGmail: return "gmail";
    case Provider::kEws: return "ews";
    case Provider::kGraph: break;
  }
  return "graph";
}

Corpus::Corpus(CorpusOptions options) : options_(options) {
  const std::uint64_t seed = options_.seed;
  const int contacts = options_.contacts_per_tenant > 0 ? options_.contacts_per_tenant
                                                        : std::max(50, 2 * options_.users);
  tenants_.reserve(static_cast<std::size_t>(options_.tenants));
  for (int t = 0; t < options_.tenants; ++t) {
    Tenant tenant;
    tenant.index = t;
    tenant.id = fmt::format("tenant-{}", t + 1);
    if (!options_.providers.empty()) {
      tenant.provider = options_.providers[static_cast<std::size_t>(t) % options_.providers.size()];
    }
    auto ut = static_cast<std::uint64_t>(t);
    Rng rng(HashOf(seed, Tag::kTenant, {ut}));
    const OrgName& org = kOrgNames[static_cast<std::size_t>(t) % kOrgNames.size()];
    tenant.domains.push_back(fmt::format("{}{}.example", org.name, t + 1));
    if (rng.Below(4) != 0) tenant.domains.push_back(fmt::format("{}{}.example", org.abbr, t + 1));
    tenant.ms_tenant_id = UuidFromHash(HashOf(seed, Tag::kGraphId, {ut, 1}));
    tenant.ms_client_id = UuidFromHash(HashOf(seed, Tag::kGraphId, {ut, 2}));
    tenant.ms_client_secret = SecretString(seed, t, 1, 3) + "8Q~" + SecretString(seed, t, 2, 34);
    tenant.sf_org_id = SalesforceId("00D", HashOf(seed, Tag::kSfId, {ut, 0, 0}));
    tenant.sf_client_id = "3MVG9" + SecretString(seed, t, 3, 80);
    tenant.sf_client_secret = SecretString(seed, t, 4, 64);
    tenant.sf_refresh_token = "5Aep861" + SecretString(seed, t, 5, 80);
    tenant.sf_integration_user_id = SalesforceId("005", HashOf(seed, Tag::kSfId, {ut, 1, 0}));

    for (int u = 0; u < options_.users; ++u) {
      auto uu = static_cast<std::uint64_t>(u);
      Rng urng(HashOf(seed, Tag::kUser, {ut, uu}));
      const Name& given = kGivenNames[urng.Below(kGivenNames.size())];
      const Name& sur = kSurnames[urng.Below(kSurnames.size())];
      MailUser user;
      user.index = u;
      user.graph_id = UuidFromHash(HashOf(seed, Tag::kGraphId, {ut, 3, uu}));
      user.given_name = given.display;
      user.surname = sur.display;
      user.display_name = fmt::format("{} {}", given.display, sur.display);
      user.primary = fmt::format("{}.{}{}@{}", given.ascii, sur.ascii, u, tenant.domains[0]);
      user.sf_user_id = SalesforceId("005", HashOf(seed, Tag::kSfId, {ut, 2, uu}));
      std::vector<std::string> candidates;
      if (tenant.domains.size() > 1) {
        candidates.push_back(fmt::format("{}.{}{}@{}", given.ascii, sur.ascii, u, tenant.domains[1]));
      }
      candidates.push_back(fmt::format("{}{}@{}", given.ascii, u, tenant.domains[0]));
      candidates.push_back(fmt::format("{}{}{}@{}", given.ascii[0], sur.ascii, u, tenant.domains[0]));
      std::size_t alias_count = urng.Below(4);
      for (std::size_t i = 0; i < alias_count && i < candidates.size(); ++i) {
        user.aliases.push_back(candidates[i]);
      }
      user.json_plain = JsonPlain(user.display_name) && JsonPlain(user.primary) &&
                        std::all_of(user.aliases.begin(), user.aliases.end(), JsonPlain);
      tenant.users.push_back(std::move(user));
    }

    const int company_count = std::clamp(contacts / 8, 3, 40);
    for (int p = 0; p < contacts; ++p) {
      auto up = static_cast<std::uint64_t>(p);
      Rng prng(HashOf(seed, Tag::kPerson, {ut, up}));
      const Name& given = kGivenNames[prng.Below(kGivenNames.size())];
      const Name& sur = kSurnames[prng.Below(kSurnames.size())];
      int company = static_cast<int>(prng.Below(static_cast<std::uint64_t>(company_count)));
      std::string domain = fmt::format("{}-{}-{}.example", kCompanies[static_cast<std::size_t>(company) % kCompanies.size()],
                                       t + 1, company);
      ExternalPerson person;
      person.first_name = given.display;
      person.last_name = sur.display;
      person.display_name = fmt::format("{} {}", given.display, sur.display);
      std::string address = fmt::format("{}.{}{}@{}", given.ascii, sur.ascii, p, domain);
      person.address = prng.Chance(20) ? Capitalized(address) : address;
      // The CRM's spelling may differ in case from the mail's.
      std::uint64_t case_pick = prng.Below(10);
      person.crm_email = case_pick < 3 ? AsciiLower(person.address)
                         : case_pick == 3 ? Capitalized(address)
                                          : person.address;
      std::uint64_t kind = prng.Below(100);
      if (kind < 50) {
        person.contact_id = SalesforceId("003", HashOf(seed, Tag::kSfId, {ut, 3, up}));
        if (prng.Chance(15)) person.lead_id = SalesforceId("00Q", HashOf(seed, Tag::kSfId, {ut, 4, up}));
      } else if (kind < 75) {
        person.lead_id = SalesforceId("00Q", HashOf(seed, Tag::kSfId, {ut, 4, up}));
      }
      person.json_plain = JsonPlain(person.display_name) && JsonPlain(person.address);
      tenant.people.push_back(std::move(person));
    }

    tenants_by_key_.emplace(AsciiLower(tenant.ms_tenant_id), t);
    for (const auto& d : tenant.domains) tenants_by_key_.emplace(d, t);
    for (auto& user : tenant.users) {
      users_by_key_.emplace(AsciiLower(user.graph_id), std::make_pair(t, user.index));
      users_by_key_.emplace(AsciiLower(user.primary), std::make_pair(t, user.index));
    }
    people_modulus_.emplace_back(std::max<std::uint64_t>(1, tenant.people.size()));
    tenants_.push_back(std::move(tenant));
  }
  PackPersonDraws();   // before anything draws a message (Designate does)
  epochs_.push_back(Epoch{options_.messages, StartClock(seed)});
  for (Tenant& tenant : tenants_) Designate(tenant);
}

void Corpus::PackPersonDraws() {
  for (const Tenant& tenant : tenants_) {
    std::size_t bytes = 0;
    for (const ExternalPerson& person : tenant.people) bytes += person.display_name.size() + person.address.size();
    auto text = std::make_shared<std::string>();
    text->reserve(bytes);   // never reallocated: the views below stay valid
    std::vector<PersonDraw>& draws = person_draws_.emplace_back();
    draws.reserve(tenant.people.size());
    for (const ExternalPerson& person : tenant.people) {
      const std::size_t at = text->size();
      *text += person.display_name;
      *text += person.address;
      const std::string_view packed(text->data() + at, person.display_name.size() + person.address.size());
      draws.push_back(PersonDraw{packed.substr(0, person.display_name.size()),
                                 packed.substr(person.display_name.size()), person.json_plain});
    }
    person_texts_.push_back(std::move(text));
  }
}

void Corpus::Designate(Tenant& tenant) const {
  CaptureDesignations& d = tenant.designated;
  d.excluded_domain = fmt::format("{}-{}-0.example", kCompanies[0], tenant.index + 1);
  d.user = 0;
  const Epochs epochs = epochs_;
  auto domain_of = [](const Participant& p) { return AsciiLower(DomainOf(p.address)); };
  // From user 0's own epoch 0 mail, so both rules are sure to apply.
  for (int k = 0; k < epochs[0].messages && d.excluded_address.empty(); ++k) {
    MessageHeader h = Header(MessageRef{tenant.index, 0, 0, k}, epochs);
    if (h.kind != MessageKind::kInbound || h.from.person < 0 || h.traits.bulk || h.traits.auto_reply) continue;
    const ExternalPerson& person = tenant.people[static_cast<std::size_t>(h.from.person)];
    if (person.contact_id.empty() || domain_of(h.from) == d.excluded_domain) continue;
    d.excluded_address = AsciiLower(person.address);
  }
  for (int k = 0; k < epochs[0].messages && d.user_excluded_domain.empty(); ++k) {
    MessageHeader h = Header(MessageRef{tenant.index, 0, 0, k}, epochs);
    std::vector<const Participant*> all{&h.from};
    for (const auto& p : h.to) all.push_back(&p);
    for (const auto& p : h.cc) all.push_back(&p);
    for (const Participant* p : all) {
      if (p->person < 0) continue;
      std::string domain = domain_of(*p);
      if (domain == d.excluded_domain || domain == AsciiLower(DomainOf(d.excluded_address))) continue;
      d.user_excluded_domain = domain;
      break;
    }
  }
  // Tiny corpora: fall back to people who may not appear in user 0's mail.
  for (const ExternalPerson& person : tenant.people) {
    std::string domain = AsciiLower(DomainOf(person.address));
    if (d.excluded_address.empty() && !person.contact_id.empty() && domain != d.excluded_domain) {
      d.excluded_address = AsciiLower(person.address);
    }
  }
  if (d.user_excluded_domain.empty()) d.user_excluded_domain = fmt::format("{}-{}-1.example", kCompanies[1], tenant.index + 1);
}

MessageTraits Corpus::Traits(const MessageRef& ref, MessageKind kind, std::string_view sender_domain_as_written) const {
  Rng rng(HashOf(options_.seed, Tag::kCaptureTraits,
                 {static_cast<std::uint64_t>(ref.tenant), static_cast<std::uint64_t>(ref.owner),
                  static_cast<std::uint64_t>(ref.epoch), static_cast<std::uint64_t>(ref.index)}));
  MessageTraits t;
  const std::uint64_t pick = rng.Below(100);
  const std::uint64_t style = rng.Below(5);
  const std::uint64_t token = rng.Next();
  if (kind == MessageKind::kInbound && pick < 10) {
    t.bulk = true;
    const std::string sender_domain = AsciiLower(sender_domain_as_written);
    std::string unsubscribe = fmt::format("<mailto:unsubscribe@{}?subject=u{}>, <https://{}/unsubscribe/{}>",
                                          sender_domain, token % 100000, sender_domain, token % 1000003);
    switch (style) {
      case 0: t.headers.emplace_back("List-Unsubscribe", unsubscribe); break;
      case 1: t.headers.emplace_back("Precedence", "bulk"); break;
      case 2: t.headers.emplace_back("Precedence", "list"); break;
      case 3:
        t.headers.emplace_back("List-Unsubscribe", unsubscribe);
        t.headers.emplace_back("Precedence", "Bulk");
        break;
      default: t.headers.emplace_back("Precedence", "JUNK"); break;
    }
  } else if (kind != MessageKind::kInternal && pick >= 10 && pick < 15) {
    t.auto_reply = true;
    t.headers.emplace_back("Auto-Submitted", style % 2 == 0 ? "auto-replied" : "Auto-Replied");
  } else if (pick >= 15 && pick < 18) {
    t.headers.emplace_back("Auto-Submitted", "no");
  } else if (pick >= 18 && pick < 21) {
    t.headers.emplace_back("Precedence", "first-class");
  }
  t.confidential = rng.Chance(7);
  t.confidential_style = static_cast<int>(rng.Below(4));
  return t;
}

bool Corpus::CrmMarked(const MessageHeader& header, int user, Folder folder) const {
  // The folder marks its copies; they carry no category of their own.
  if (folder == Folder::kCrm) return false;
  const MessageRef& r = header.ref;
  return HashOf(options_.seed, Tag::kCaptureTraits,
                {static_cast<std::uint64_t>(r.tenant), static_cast<std::uint64_t>(r.owner),
                 static_cast<std::uint64_t>(r.epoch), static_cast<std::uint64_t>(r.index),
                 static_cast<std::uint64_t>(user), static_cast<std::uint64_t>(folder), 0xC0FFEEULL}) %
             100 <
         35;
}

bool Corpus::CrmFiledDraw(const MessageRef& r, int user) const {
  return HasCrmFolder(user) &&
         HashOf(options_.seed, Tag::kCaptureTraits,
                {static_cast<std::uint64_t>(r.tenant), static_cast<std::uint64_t>(r.owner),
                 static_cast<std::uint64_t>(r.epoch), static_cast<std::uint64_t>(r.index),
                 static_cast<std::uint64_t>(user), 0xF11EDULL}) %
                 100 <
             25;
}

bool Corpus::CrmFiled(const MessageHeader& header, int user) const {
  if (!HasCrmFolder(user)) return false;
  if (!InView(header, user, Folder::kInbox) && !InView(header, user, Folder::kSentItems)) return false;
  return CrmFiledDraw(header.ref, user);
}

bool Corpus::CrmLabelled(const MessageHeader& header, int user) const {
  return (InView(header, user, Folder::kInbox) && CrmMarked(header, user, Folder::kInbox)) ||
         (InView(header, user, Folder::kSentItems) && CrmMarked(header, user, Folder::kSentItems));
}

std::int64_t Corpus::StartClock(std::uint64_t seed) {
  return kStartClock + static_cast<std::int64_t>(HashOf(seed, Tag::kClock, {}) % 86400);
}

Epochs Corpus::epochs() const {
  std::shared_lock lock(epochs_mutex_);
  return epochs_;
}

std::int64_t Corpus::clock() const {
  std::shared_lock lock(epochs_mutex_);
  return epochs_.back().clock;
}

int Corpus::Advance(int messages) {
  std::unique_lock lock(epochs_mutex_);
  epochs_.push_back(Epoch{messages, epochs_.back().clock + kEpochSeconds});
  return static_cast<int>(epochs_.size()) - 1;
}

std::optional<std::pair<int, int>> Corpus::FindUser(std::string_view id_or_upn) const {
  auto it = users_by_key_.find(AsciiLower(id_or_upn));
  if (it == users_by_key_.end()) return std::nullopt;
  return it->second;
}

std::optional<int> Corpus::FindTenant(std::string_view tenant_id_or_domain) const {
  auto it = tenants_by_key_.find(AsciiLower(tenant_id_or_domain));
  if (it == tenants_by_key_.end()) return std::nullopt;
  return it->second;
}

std::optional<int> Corpus::FindTenantById(std::string_view id) const {
  constexpr std::string_view kPrefix = "tenant-";
  if (id.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  auto n = ParseUint(id.substr(kPrefix.size()));
  if (!n || *n < 1 || *n > tenants_.size() || id.substr(kPrefix.size())[0] == '0') return std::nullopt;
  return static_cast<int>(*n - 1);
}

Participant Corpus::UserParticipant(const Tenant& tenant, int user, bool may_use_alias,
                                    std::uint64_t pick) const {
  const MailUser& u = tenant.users[static_cast<std::size_t>(user)];
  Participant p;
  p.name = u.display_name;
  p.user = user;
  p.json_plain = u.json_plain;
  if (may_use_alias && !u.aliases.empty() && pick % 100 < 20) {
    p.address = u.aliases[(pick / 100) % u.aliases.size()];
  } else {
    p.address = u.primary;
  }
  return p;
}

Rng Corpus::MessageRng(const MessageRef& ref) const {
  return Rng(HashOf(options_.seed, Tag::kMessage,
                    {static_cast<std::uint64_t>(ref.tenant), static_cast<std::uint64_t>(ref.owner),
                     static_cast<std::uint64_t>(ref.epoch), static_cast<std::uint64_t>(ref.index)}));
}

MessageKind Corpus::KindOf(Rng& rng) {
  const std::uint64_t kind = rng.Below(100);
  return kind < 40 ? MessageKind::kInbound : kind < 75 ? MessageKind::kOutbound : MessageKind::kInternal;
}

MessageKind Corpus::Kind(const MessageRef& ref) const {
  Rng rng = MessageRng(ref);
  return KindOf(rng);
}

MessageHeader Corpus::Header(const MessageRef& ref, const Epochs& epochs) const {
  MessageHeader h;
  const std::uint64_t id_seed = HeaderCore(ref, epochs, h);
  FinishHeader(h, id_seed);
  return h;
}

std::uint64_t Corpus::HeaderCore(const MessageRef& ref, const Epochs& epochs, MessageHeader& h) const {
  const Tenant& tenant = tenants_[static_cast<std::size_t>(ref.tenant)];
  const int users = static_cast<int>(tenant.users.size());
  const Modulus& people = people_modulus_[static_cast<std::size_t>(ref.tenant)];
  const std::vector<PersonDraw>& draws = person_draws_[static_cast<std::size_t>(ref.tenant)];
  Rng rng = MessageRng(ref);
  h.ref = ref;
  h.to.clear();
  h.cc.clear();
  h.internet_message_id.clear();
  h.traits = MessageTraits{};
  const bool has_peer = users > 1;
  const int peer = has_peer ? (ref.owner + 1) % users : ref.owner;

  h.kind = KindOf(rng);
  std::uint64_t size = rng.Below(100);
  int recipients = size < 55 ? 1 : size < 80 ? 2 + static_cast<int>(rng.Below(2))
                 : size < 95 ? 4 + static_cast<int>(rng.Below(3)) : 7 + static_cast<int>(rng.Below(2));

  // At most 9 externals per message (a sender and 8 recipients): no heap.
  std::array<int, 16> used_people{};
  std::size_t used_count = 0;
  auto external = [&]() -> std::optional<Participant> {
    for (int attempt = 0; attempt < 4; ++attempt) {
      int p = static_cast<int>(rng.Below(people));
      if (std::find(used_people.begin(), used_people.begin() + used_count, p) != used_people.begin() + used_count) {
        continue;
      }
      if (used_count < used_people.size()) used_people[used_count++] = p;
      const PersonDraw& person = draws[static_cast<std::size_t>(p)];
      // Some senders put no display name; Graph then repeats the address.
      std::string_view name = rng.Chance(10) ? person.address : person.display_name;
      return Participant{name, person.address, -1, p, person.json_plain};
    }
    return std::nullopt;
  };
  h.to.reserve(static_cast<std::size_t>(recipients));

  switch (h.kind) {
    case MessageKind::kInbound: {
      h.from = *external();
      h.to.push_back(UserParticipant(tenant, ref.owner, true, rng.Next()));
      bool cc_peer = false;
      for (int i = 1; i < recipients; ++i) {
        if (has_peer && !cc_peer && rng.Chance(30)) {
          h.cc.push_back(UserParticipant(tenant, peer, true, rng.Next()));
          cc_peer = true;
        } else if (auto e = external()) {
          (rng.Chance(50) ? h.to : h.cc).push_back(*e);
        }
      }
      if (has_peer && !cc_peer && recipients == 1 && rng.Chance(30)) {
        h.cc.push_back(UserParticipant(tenant, peer, true, rng.Next()));
      }
      break;
    }
    case MessageKind::kOutbound: {
      h.from = UserParticipant(tenant, ref.owner, true, rng.Next());
      bool cc_peer = has_peer && rng.Chance(25);
      int externals = std::max(1, recipients - (cc_peer ? 1 : 0));
      for (int i = 0; i < externals; ++i) {
        if (auto e = external()) (i == 0 || rng.Chance(60) ? h.to : h.cc).push_back(*e);
      }
      if (cc_peer) h.cc.push_back(UserParticipant(tenant, peer, true, rng.Next()));
      break;
    }
    case MessageKind::kInternal:
      h.from = UserParticipant(tenant, ref.owner, true, rng.Next());
      h.to.push_back(UserParticipant(tenant, peer, true, rng.Next()));
      break;
  }

  const Epoch& epoch = epochs[static_cast<std::size_t>(ref.epoch)];
  std::int64_t age = ref.epoch == 0 ? 200 + static_cast<std::int64_t>(rng.Below(kHistorySeconds))
                                    : 200 + static_cast<std::int64_t>(rng.Below(1800));
  // Keep clear of the max-age cutoff band (capture_rule_set.hpp).
  constexpr std::int64_t kGapAge = kMaxAgeGapDays * 86400;
  if (ref.epoch == 0 && age >= kGapAge - kMaxAgeGapHalfWidth && age < kGapAge + kMaxAgeGapHalfWidth) {
    age += 2 * kMaxAgeGapHalfWidth;
  }
  h.sent = epoch.clock - age;
  h.received = h.sent + 1 + static_cast<std::int64_t>(rng.Below(120));
  return rng.Next();
}

void Corpus::FinishHeader(MessageHeader& h, std::uint64_t id_seed) const {
  const MessageRef& ref = h.ref;
  Rng id_rng(id_seed);
  // "<{12 base62}.T{tenant}U{owner}E{epoch}K{index}@{sender domain}>", appended piece by piece (every
  // candidate of a mailbox view is generated, so this runs several times per message served).
  std::string& id = h.internet_message_id;
  const std::string_view domain = DomainOf(h.from.address);
  id.reserve(48 + domain.size());
  id += '<';
  AppendBase62(id, id_rng, 12);
  for (auto [tag, value] : {std::pair{".T", ref.tenant}, {"U", ref.owner}, {"E", ref.epoch}, {"K", ref.index}}) {
    id += tag;
    char digits[16];
    id.append(digits, static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, value).ptr - digits));
  }
  id += '@';
  id += domain;
  id += '>';
  h.traits = Traits(ref, h.kind, domain);
}

MessageContent Corpus::Content(const MessageHeader& header) const {
  MessageContent c;
  Content(header, c);
  return c;
}

void Corpus::Content(const MessageHeader& header, MessageContent& c) const {
  const MessageRef& ref = header.ref;
  Rng rng(HashOf(options_.seed, Tag::kMessageText,
                 {static_cast<std::uint64_t>(ref.tenant), static_cast<std::uint64_t>(ref.owner),
                  static_cast<std::uint64_t>(ref.epoch), static_cast<std::uint64_t>(ref.index)}));
  std::uint64_t base = rng.Below(kSubjects.size());
  std::uint64_t thread = rng.Below(1000);
  std::uint64_t depth_pick = rng.Below(100);
  int depth = depth_pick < 65 ? 0 : depth_pick < 90 ? 1 + static_cast<int>(rng.Below(3))
                                                    : 4 + static_cast<int>(rng.Below(9));
  std::string& subject = c.subject;
  subject.clear();
  if (depth > 0 && rng.Chance(15)) subject += "FW: ";
  for (int i = 0; i < depth; ++i) subject += "RE: ";
  if (header.traits.auto_reply) subject = "Automatic reply: " + subject;
  if (header.traits.confidential) {
    static constexpr std::array<const char*, 4> kConfidential{
        {"Confidential: ", "[CONFIDENTIAL] ", "Strictly confidential – ", "ConfidentialNDA "}};
    subject += kConfidential[static_cast<std::size_t>(header.traits.confidential_style) % kConfidential.size()];
  }
  subject += kSubjects[base];
  if (rng.Chance(50)) {
    char digits[24] = {' ', '#'};
    subject.append(digits, static_cast<std::size_t>(std::to_chars(digits + 2, digits + sizeof digits, thread).ptr - digits));
  }
  subject.resize(Utf8Prefix(subject, 200).size());
  Rng conv(HashOf(options_.seed, Tag::kMessageText, {static_cast<std::uint64_t>(ref.tenant), base, thread}));
  c.conversation_id.reserve(45);
  c.conversation_id = "AAQkA";
  AppendBase62(c.conversation_id, conv, 40);

  std::uint64_t importance = rng.Below(100);
  c.importance = importance < 85 ? "normal" : importance < 95 ? "high" : "low";
  c.has_attachments = rng.Chance(10);
  c.categories.clear();
  if (rng.Chance(10)) c.categories.push_back("Red category");

  if (rng.Below(200) == 0) {
    // Longer than the 32,000 code points a Task Description holds.
    std::size_t target = 32001 + rng.Below(15000);
    // Counted per paragraph: rescanning the growing body was quadratic and
    // made these 0.5 % of messages most of the simulator's CPU.
    // The body is the first `target` code points of the paragraph repeated:
    // whole paragraphs, then a prefix of one (scanning the 50 KB body for
    // its cut cost as much as rendering it).
    static const std::size_t kParagraphLength = Utf8Length(kLongParagraph);
    const std::string_view paragraph = kLongParagraph;
    const std::size_t whole = target / kParagraphLength;
    const std::string_view tail = Utf8Prefix(paragraph, target % kParagraphLength);
    std::string& body = c.body;
    body.clear();
    body.reserve(whole * paragraph.size() + tail.size());
    for (std::size_t i = 0; i < whole; ++i) body += paragraph;
    body += tail;
  } else {
    std::string& body = c.body;
    body.reserve(512);
    body = "Hello,\r\n\r\n";
    int lines = 1 + static_cast<int>(rng.Below(4));
    for (int i = 0; i < lines; ++i) {
      body += kBodyLines[rng.Below(kBodyLines.size())];
      body += "\r\n";
    }
    body += "\r\n-- \r\n";
    body += header.from.name;
  }
}

bool Corpus::InView(const MessageHeader& header, int user, Folder folder) const {
  if (folder == Folder::kCrm) return CrmFiled(header, user);
  if (folder == Folder::kSentItems) {
    return header.ref.owner == user && header.kind != MessageKind::kInbound;
  }
  auto names = [user](const std::vector<Participant>& list) {
    return std::any_of(list.begin(), list.end(), [user](const Participant& p) { return p.user == user; });
  };
  return names(header.to) || names(header.cc);
}

std::optional<MessageHeader> Corpus::NextCandidate(int tenant, int user, bool include_previous, int to_epoch,
                                                   const Epochs& epochs, ViewCursor& cursor,
                                                   const std::function<bool(const MessageHeader&)>& accept) const {
  return NextCandidate(tenant, user, include_previous, to_epoch, epochs, cursor, nullptr, accept);
}

std::optional<MessageHeader> Corpus::NextCandidate(int tenant, int user, bool include_previous, int to_epoch,
                                                   const Epochs& epochs, ViewCursor& cursor,
                                                   const std::function<bool(const MessageRef&)>& skip,
                                                   const std::function<bool(const MessageHeader&)>& accept) const {
  const int users = static_cast<int>(tenants_[static_cast<std::size_t>(tenant)].users.size());
  const int previous = (user + users - 1) % users;
  const int slots = include_previous && previous != user ? 2 : 1;
  while (auto next = NextRef(tenant, user, previous, slots, to_epoch, epochs, cursor)) {
    const MessageRef& ref = *next;
    if (skip && skip(ref)) continue;
    MessageHeader h = Header(ref, epochs);
    if (accept(h)) return h;
  }
  return std::nullopt;
}

std::optional<MessageHeader> Corpus::NextInView(int tenant, int user, Folder folder, int to_epoch,
                                                const Epochs& epochs, ViewCursor& cursor) const {
  thread_local MessageHeader header;   // its buffers serve every call of the thread
  if (!NextInView(tenant, user, folder, to_epoch, epochs, cursor, header)) return std::nullopt;
  return header;
}

bool Corpus::NextInView(int tenant, int user, Folder folder, int to_epoch, const Epochs& epochs, ViewCursor& cursor,
                        MessageHeader& out) const {
  const int users = static_cast<int>(tenants_[static_cast<std::size_t>(tenant)].users.size());
  const int previous = (user + users - 1) % users;
  const int slots = folder != Folder::kSentItems && previous != user ? 2 : 1;
  const bool alone = users == 1;
  // Rejects from the message's kind and hashes alone what InView would
  // reject, so that only candidates that may be in view are generated
  // (Header() is most of a page's cost). See the view rules at the top of
  // corpus.hpp and Header(): a user's own message names it as a recipient
  // only when inbound (or, alone in its tenant, internal: u -> u).
  auto skip = [&](const MessageRef& ref) {
    if (folder == Folder::kCrm && !CrmFiledDraw(ref, user)) return true;
    if (ref.owner != user) return false;
    const MessageKind kind = Kind(ref);
    switch (folder) {
      case Folder::kSentItems: return kind == MessageKind::kInbound;
      case Folder::kInbox: return alone ? kind == MessageKind::kOutbound : kind != MessageKind::kInbound;
      case Folder::kCrm: return false;
    }
    return false;
  };
  // The candidates' participants are drawn into `out`; InView looks at
  // nothing else, so the message id and traits are built only for the
  // candidate it takes (about half of the previous user's are not).
  while (auto next = NextRef(tenant, user, previous, slots, to_epoch, epochs, cursor)) {
    const MessageRef& ref = *next;
    if (skip(ref)) continue;
    const std::uint64_t id_seed = HeaderCore(ref, epochs, out);
    if (!InView(out, user, folder)) continue;
    FinishHeader(out, id_seed);
    return true;
  }
  return false;
}

std::string Corpus::MailboxMessageId(const MessageHeader& header, int user, Folder folder) const {
  return std::string(MailboxMessageIdText(header, user, folder).view());
}

Corpus::MessageIdText Corpus::MailboxMessageIdText(const MessageHeader& header, int user, Folder folder) const {
  const MessageRef& r = header.ref;
  std::uint64_t a = HashOf(options_.seed, Tag::kMailboxCopy,
                           {static_cast<std::uint64_t>(r.tenant), static_cast<std::uint64_t>(user),
                            static_cast<std::uint64_t>(folder), static_cast<std::uint64_t>(r.owner),
                            static_cast<std::uint64_t>(r.epoch), static_cast<std::uint64_t>(r.index)});
  std::uint64_t b = Mix64(a ^ 0x243f6a8885a308d3ULL);
  unsigned char raw[16];
  for (int i = 0; i < 8; ++i) {
    raw[i] = static_cast<unsigned char>(a >> (8 * i));
    raw[8 + i] = static_cast<unsigned char>(b >> (8 * i));
  }
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  MessageIdText id;
  std::memcpy(id.data, "AAMkAG", 6);
  char* out = id.data + 6;
  for (int i = 0; i < 15; i += 3) {   // five whole 3-byte groups
    const unsigned group = (unsigned{raw[i]} << 16) | (unsigned{raw[i + 1]} << 8) | raw[i + 2];
    *out++ = kAlphabet[(group >> 18) & 63];
    *out++ = kAlphabet[(group >> 12) & 63];
    *out++ = kAlphabet[(group >> 6) & 63];
    *out++ = kAlphabet[group & 63];
  }
  *out++ = kAlphabet[raw[15] >> 2];   // the 16th byte: two characters, padding dropped
  *out = kAlphabet[(raw[15] & 3) << 4];
  return id;
}

std::string Corpus::FolderId(int tenant, int user, Folder folder) const {
  Rng rng(HashOf(options_.seed, Tag::kMailboxCopy,
                 {static_cast<std::uint64_t>(tenant), static_cast<std::uint64_t>(user),
                  static_cast<std::uint64_t>(folder), 0xf01de5ULL}));
  return "AQMkAD" + Base62(rng, 40);
}

}  // namespace crmsync::sim
