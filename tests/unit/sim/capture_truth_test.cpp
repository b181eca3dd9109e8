// Capture-rule corpus features (bulk, auto replies, confidential subjects,
// CRM marks, designated exclusions, the max-age gap) and the ground truth of
// each rule set crmsync-sim can emit.
#include <algorithm>
#include <cmath>

#include <toml++/toml.h>

#include "capture_rule_set.hpp"
#include "config_writer.hpp"
#include "ground_truth.hpp"
#include "sim_test_support.hpp"
#include "text_util.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

constexpr std::int64_t kDay = 86400;

std::string Upper(std::string text) {
  for (char& ch : text) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  return text;
}

bool HasHeader(const MessageHeader& h, std::string_view name) {
  return std::any_of(h.traits.headers.begin(), h.traits.headers.end(),
                     [&](const auto& kv) { return EqualsNoCase(kv.first, name); });
}

std::string HeaderValue(const MessageHeader& h, std::string_view name) {
  for (const auto& [n, v] : h.traits.headers) {
    if (EqualsNoCase(n, name)) return v;
  }
  return {};
}

bool NamesAddress(const MessageHeader& h, std::string_view address) {
  if (EqualsNoCase(h.from.address, address)) return true;
  for (const auto* list : {&h.to, &h.cc}) {
    for (const Participant& p : *list) {
      if (EqualsNoCase(p.address, address)) return true;
    }
  }
  return false;
}

bool NamesDomain(const MessageHeader& h, std::string_view domain) {
  auto in = [&](const Participant& p) {
    std::size_t at = p.address.rfind('@');
    return at != std::string::npos && EqualsNoCase(std::string_view(p.address).substr(at + 1), domain);
  };
  return in(h.from) || std::any_of(h.to.begin(), h.to.end(), in) || std::any_of(h.cc.begin(), h.cc.end(), in);
}

RuleSet RulesFor(RuleSetKind kind, const Corpus& c) {
  // A real clock 23 days after the corpus start, like the day these tests were written.
  return MakeRuleSet(kind, c.epochs()[0].clock, c.epochs()[0].clock + 23 * kDay + 5000);
}

}  // namespace

TEST_CASE("the corpus carries bulk mail, automatic replies, decoys and confidential subjects", "[sim][capture]") {
  Corpus c(CorpusOptions{17, 1, 6, 300, 0});
  const Epochs epochs = c.epochs();
  int bulk = 0, auto_replies = 0, confidential = 0, decoys = 0, total = 0;
  c.ForEachMessage(0, 0, 1, epochs, [&](const MessageHeader& h) {
    ++total;
    MessageContent content = c.Content(h);
    const bool subject_says = AsciiLower(content.subject).find("confidential") != std::string::npos;
    CHECK(subject_says == h.traits.confidential);
    confidential += h.traits.confidential;
    CHECK_FALSE((h.traits.bulk && h.traits.auto_reply));
    if (h.traits.bulk) {
      ++bulk;
      CHECK(h.kind == MessageKind::kInbound);
      const std::string precedence = AsciiLower(HeaderValue(h, "Precedence"));
      CHECK((HasHeader(h, "List-Unsubscribe") || precedence == "bulk" || precedence == "list" || precedence == "junk"));
    } else {
      const std::string precedence = AsciiLower(HeaderValue(h, "Precedence"));
      CHECK_FALSE(HasHeader(h, "List-Unsubscribe"));
      CHECK((precedence.empty() || precedence == "first-class"));
    }
    const std::string auto_submitted = AsciiLower(HeaderValue(h, "Auto-Submitted"));
    if (h.traits.auto_reply) {
      ++auto_replies;
      CHECK(h.kind != MessageKind::kInternal);
      CHECK(auto_submitted == "auto-replied");
      CHECK(content.subject.rfind("Automatic reply: ", 0) == 0);
    } else {
      CHECK((auto_submitted.empty() || auto_submitted == "no"));
    }
    if (auto_submitted == "no" || AsciiLower(HeaderValue(h, "Precedence")) == "first-class") ++decoys;
  });
  CHECK(total == 1800);
  CHECK(bulk > 20);
  CHECK(auto_replies > 20);
  CHECK(confidential > 40);
  CHECK(decoys > 20);
  // A pure function of the seed.
  Corpus again(CorpusOptions{17, 1, 6, 300, 0});
  MessageHeader a = c.Header(MessageRef{0, 2, 0, 77}, epochs), b = again.Header(MessageRef{0, 2, 0, 77}, epochs);
  CHECK(a.traits.headers == b.traits.headers);
  CHECK(c.Content(a).subject == again.Content(b).subject);
}

TEST_CASE("CRM marks are decided per mailbox copy", "[sim][capture]") {
  Corpus c(CorpusOptions{5, 1, 4, 200, 0});
  const Epochs epochs = c.epochs();
  int sent_only = 0, inbox_only = 0, marked = 0, copies = 0;
  c.ForEachMessage(0, 0, 1, epochs, [&](const MessageHeader& h) {
    if (h.kind != MessageKind::kInternal) return;
    const int sender = h.from.user, recipient = h.to[0].user;
    bool s = c.CrmMarked(h, sender, Folder::kSentItems), i = c.CrmMarked(h, recipient, Folder::kInbox);
    sent_only += s && !i;
    inbox_only += i && !s;
    marked += s + i;
    copies += 2;
    CHECK(c.CrmLabelled(h, sender) == s);
    CHECK(c.CrmLabelled(h, recipient) == i);
  });
  CHECK(sent_only > 0);
  CHECK(inbox_only > 0);
  CHECK(marked > copies / 5);
  CHECK(marked < copies / 2);
}

TEST_CASE("designated exclusions are existing people in user 0's own mail", "[sim][capture]") {
  Corpus c(CorpusOptions{3, 2, 8, 20, 0});
  const Epochs epochs = c.epochs();
  for (const Tenant& t : c.tenants()) {
    const CaptureDesignations& d = t.designated;
    INFO(t.id);
    CHECK(d.excluded_domain == fmt::format("acme-{}-0.example", t.index + 1));
    CHECK(d.excluded_address == AsciiLower(d.excluded_address));
    CHECK(d.user_excluded_domain != d.excluded_domain);
    auto person = std::find_if(t.people.begin(), t.people.end(),
                               [&](const ExternalPerson& p) { return EqualsNoCase(p.address, d.excluded_address); });
    REQUIRE(person != t.people.end());
    CHECK_FALSE(person->contact_id.empty());
    bool address_seen = false, domain_seen = false;
    for (int k = 0; k < epochs[0].messages; ++k) {
      MessageHeader h = c.Header(MessageRef{t.index, 0, 0, k}, epochs);
      address_seen = address_seen || NamesAddress(h, d.excluded_address);
      domain_seen = domain_seen || NamesDomain(h, d.user_excluded_domain);
    }
    CHECK(address_seen);
    CHECK(domain_seen);
  }
}

TEST_CASE("the max-age cutoff never lands within a day of a message", "[sim][capture]") {
  Corpus c(CorpusOptions{23, 1, 5, 400, 0});
  const Epochs epochs = c.epochs();
  const std::int64_t start = epochs[0].clock;
  CHECK(Corpus::StartClock(23) == start);
  for (std::int64_t elapsed : {std::int64_t{0}, 3 * kDay + 7000, 23 * kDay + 43000, 400 * kDay + 86000}) {
    RuleSet rules = MakeRuleSet(RuleSetKind::kExclusions, start, start + elapsed);
    INFO("elapsed " << elapsed);
    CHECK(rules.max_age_days > 0);
    CHECK(rules.too_old_before == start + elapsed - rules.max_age_days * kDay);
    CHECK(std::llabs(rules.too_old_before - (start - 30 * kDay)) <= kDay / 2);
    std::int64_t nearest = INT64_MAX;
    c.ForEachMessage(0, 0, 1, epochs, [&](const MessageHeader& h) {
      nearest = std::min<std::int64_t>(nearest, std::llabs(h.sent - rules.too_old_before));
    });
    CHECK(nearest >= kDay);
  }
  CHECK(MakeRuleSet(RuleSetKind::kAutomatic, start, start).too_old_before == 0);
  CHECK(MakeRuleSet(RuleSetKind::kSelective, start, start).max_age_days == 0);
}

TEST_CASE("rule sets parse by name and freebusy is not one of them yet", "[sim][capture]") {
  CHECK(ParseRuleSetKind("automatic") == RuleSetKind::kAutomatic);
  CHECK(ParseRuleSetKind("selective") == RuleSetKind::kSelective);
  CHECK(ParseRuleSetKind("exclusions") == RuleSetKind::kExclusions);
  CHECK_FALSE(ParseRuleSetKind("freebusy").has_value());
  CHECK_FALSE(ParseRuleSetKind("Selective").has_value());
  CHECK(std::string(RuleSetName(RuleSetKind::kExclusions)) == "exclusions");
}

TEST_CASE("evaluation order decides the reported reason of a hand-made message", "[sim][capture][truth]") {
  Corpus c(CorpusOptions{2, 1, 3, 1, 0});
  const Tenant& t = c.tenants()[0];
  const RuleSet exclusions = RulesFor(RuleSetKind::kExclusions, c);
  const RuleSet automatic = RulesFor(RuleSetKind::kAutomatic, c);
  int contact = -1;
  for (std::size_t p = 0; p < t.people.size(); ++p) {
    if (!t.people[p].contact_id.empty() && !EqualsNoCase(t.people[p].address, t.designated.excluded_address) &&
        t.people[p].address.find(t.designated.excluded_domain) == std::string::npos &&
        t.people[p].address.find(t.designated.user_excluded_domain) == std::string::npos) {
      contact = static_cast<int>(p);
      break;
    }
  }
  REQUIRE(contact >= 0);
  auto person = [&](int p) { return Participant{"", t.people[static_cast<std::size_t>(p)].address, -1, p}; };
  MessageHeader h;
  h.internet_message_id = "<x@y>";
  h.sent = c.epochs()[0].clock - kDay;
  h.from = person(contact);
  h.to = {Participant{"", t.users[1].primary, 1, -1}};
  CHECK(Judge(c, h, automatic).outcome == Outcome::kCaptured);
  CHECK(Judge(c, h, exclusions).outcome == Outcome::kCaptured);

  h.traits.confidential = true;
  CHECK(Judge(c, h, exclusions).outcome == Outcome::kExcludedSubject);
  CHECK(Judge(c, h, automatic).outcome == Outcome::kCaptured);
  // Participant views its strings: these outlive the header.
  const std::string in_excluded_domain = "Someone@" + Upper(t.designated.excluded_domain);
  const std::string excluded_address = Upper(t.designated.excluded_address);
  h.to.push_back(Participant{"", in_excluded_domain, -1, -1});
  CHECK(Judge(c, h, exclusions).outcome == Outcome::kExcludedDomain);
  h.cc = {Participant{"", excluded_address, -1, -1}};
  CHECK(Judge(c, h, exclusions).outcome == Outcome::kExcludedAddress);
  h.traits.bulk = true;
  CHECK(Judge(c, h, exclusions).outcome == Outcome::kBulk);
  CHECK(Judge(c, h, automatic).outcome == Outcome::kBulk);
  h.traits.auto_reply = true;
  CHECK(Judge(c, h, exclusions).outcome == Outcome::kAutoReply);
  h.sent = exclusions.too_old_before - 1;
  CHECK(Judge(c, h, exclusions).outcome == Outcome::kTooOld);
  CHECK(Judge(c, h, automatic).outcome == Outcome::kAutoReply);

  // The designated user's own exclusion applies to its copies only.
  MessageHeader u;
  u.internet_message_id = "<u@y>";
  u.sent = c.epochs()[0].clock - kDay;
  u.from = person(contact);
  const std::string in_user_excluded_domain = "x@" + t.designated.user_excluded_domain;
  u.to = {Participant{"", in_user_excluded_domain, -1, -1}, Participant{"", t.users[0].primary, 0, -1}};
  Judgement only_user0 = Judge(c, u, exclusions);
  CHECK(only_user0.outcome == Outcome::kExcludedDomain);
  REQUIRE(only_user0.copies.size() == 1);
  u.cc = {Participant{"", t.users[1].aliases.empty() ? t.users[1].primary : t.users[1].aliases[0], 1, -1}};
  Judgement both = Judge(c, u, exclusions);
  CHECK(both.outcome == Outcome::kCaptured);
  REQUIRE(both.copies.size() == 2);
  CHECK(both.copies[0].outcome == Outcome::kExcludedDomain);
  CHECK(both.copies[1].outcome == Outcome::kCaptured);
}

TEST_CASE("ground truth of each rule set follows the generator's facts", "[sim][capture][truth]") {
  Corpus c(CorpusOptions{31, 1, 8, 120, 0});
  const Epochs epochs = c.epochs();
  const Tenant& t = c.tenants()[0];
  const RuleSet automatic = RulesFor(RuleSetKind::kAutomatic, c);
  const RuleSet selective = RulesFor(RuleSetKind::kSelective, c);
  const RuleSet exclusions = RulesFor(RuleSetKind::kExclusions, c);
  TruthCounts a, s, e;
  c.ForEachMessage(0, 0, 1, epochs, [&](const MessageHeader& h) {
    Judgement ja = Judge(c, h, automatic), js = Judge(c, h, selective), je = Judge(c, h, exclusions);
    a.Add(ja);
    s.Add(js);
    e.Add(je);
    // Each copy is one mailbox message the engine reads.
    for (const CopyVerdict& copy : ja.copies) {
      CHECK(c.InView(h, copy.user, copy.folder));
    }
    // Selective adds the copies filed in the folder CRM after the others.
    REQUIRE(js.copies.size() >= ja.copies.size());
    for (std::size_t i = 0; i < js.copies.size(); ++i) CHECK((js.copies[i].folder == Folder::kCrm) == (i >= ja.copies.size()));
    if (h.traits.bulk) CHECK(ja.outcome == Outcome::kBulk);
    if (h.traits.auto_reply) CHECK(ja.outcome == Outcome::kAutoReply);
    if (ja.outcome == Outcome::kCaptured) CHECK((!h.traits.bulk && !h.traits.auto_reply && h.kind != MessageKind::kInternal));
    // Selective: captured only through a marked copy, and exactly when automatic would capture it through one.
    bool marked_capture = false;
    for (std::size_t i = 0; i < js.copies.size(); ++i) {
      const CopyVerdict& copy = js.copies[i];
      bool marked = copy.folder == Folder::kCrm || c.CrmMarked(h, copy.user, copy.folder);
      CHECK((copy.outcome == Outcome::kNotSelected) == !marked);
      // The automatic verdict of the same mailbox (a CRM copy's user holds another copy).
      const CopyVerdict* same = i < ja.copies.size() ? &ja.copies[i] : nullptr;
      for (std::size_t k = 0; same == nullptr && k < ja.copies.size(); ++k) {
        if (ja.copies[k].user == copy.user) same = &ja.copies[k];
      }
      REQUIRE(same != nullptr);
      if (marked) CHECK(copy.outcome == same->outcome);
      marked_capture = marked_capture || (marked && same->outcome == Outcome::kCaptured);
    }
    CHECK((js.outcome == Outcome::kCaptured) == marked_capture);
    // Exclusions never capture what the designated lists or the subject exclude.
    if (je.outcome == Outcome::kCaptured) {
      CHECK(ja.outcome == Outcome::kCaptured);
      CHECK_FALSE(h.traits.confidential);
      CHECK_FALSE(NamesAddress(h, t.designated.excluded_address));
      CHECK_FALSE(NamesDomain(h, t.designated.excluded_domain));
      CHECK(h.sent >= exclusions.too_old_before);
    }
    if (ja.outcome == Outcome::kCaptured && !h.traits.confidential && h.sent >= exclusions.too_old_before &&
        !NamesAddress(h, t.designated.excluded_address) && !NamesDomain(h, t.designated.excluded_domain) &&
        !NamesDomain(h, t.designated.user_excluded_domain)) {
      CHECK(je.outcome == Outcome::kCaptured);
    }
  });
  CHECK(a.messages.captured > 0);
  CHECK(s.messages.captured > 0);
  CHECK(s.messages.captured < a.messages.captured);
  CHECK(e.messages.captured < a.messages.captured);
  for (Outcome o : {Outcome::kBulk, Outcome::kAutoReply, Outcome::kInternalOnly, Outcome::kNoCrmMatch}) {
    INFO(OutcomeName(o));
    CHECK(a.copies.of(o) > 0);
  }
  CHECK(s.copies.of(Outcome::kNotSelected) > 0);
  for (Outcome o : {Outcome::kTooOld, Outcome::kExcludedAddress, Outcome::kExcludedDomain, Outcome::kExcludedSubject}) {
    INFO(OutcomeName(o));
    CHECK(e.copies.of(o) > 0);
    CHECK(a.copies.of(o) == 0);
  }
  CHECK(a.copies.of(Outcome::kWrongDirection) == 0);
  CHECK(a.messages.total() == 960u);
  CHECK(a.copies.total() == e.copies.total());
}

TEST_CASE("expected Description honours max_body_chars", "[sim][capture][truth]") {
  Corpus c(CorpusOptions{9, 1, 4, 1, 0});
  const Epochs probe{Epoch{5000, c.epochs()[0].clock}};
  bool checked = false;
  for (int k = 0; k < 5000 && !checked; ++k) {
    MessageHeader h = c.Header(MessageRef{0, 1, 0, k}, probe);
    MessageContent content = c.Content(h);
    if (Utf8Length(content.body) <= 2000) continue;
    Judgement j = Judge(c, h);
    CHECK(Utf8Length(ExpectedFields(h, j, content, Provider::kGraph, 2000)["Description"]) == 2000);
    CHECK(Utf8Length(ExpectedFields(h, j, content, Provider::kGraph)["Description"]) ==
          std::min<std::size_t>(Utf8Length(content.body), kDescriptionMaxCodePoints));
    CHECK(ExpectedFields(h, j, content, Provider::kGmail, 20)["Description"] ==
          std::string(Utf8Prefix(GmailSnippet(content.body), 20)));
    checked = true;
  }
  CHECK(checked);
}

TEST_CASE("the written configuration holds the capture table of each rule set", "[sim][capture][config]") {
  for (RuleSetKind kind : {RuleSetKind::kAutomatic, RuleSetKind::kSelective, RuleSetKind::kExclusions}) {
    CorpusOptions options{4, 2, 3, 2, 0, {Provider::kGraph, Provider::kGmail}};
    options.capture = MakeRuleSet(kind, Corpus::StartClock(4), Corpus::StartClock(4) + 20 * kDay);
    Corpus c(options);
    ConfigTarget target{"https://127.0.0.1:1", "/tmp/ca.pem", "60.0", "/tmp"};
    target.object_model = kind == RuleSetKind::kSelective ? "enhanced_email" : "";
    const std::string text = RenderConfig(c, target);
    INFO(text);
    toml::table doc;
    REQUIRE_NOTHROW(doc = toml::parse(text));
    auto* tenants = doc["tenants"].as_array();
    REQUIRE(tenants != nullptr);
    REQUIRE(tenants->size() == 2);
    for (std::size_t i = 0; i < tenants->size(); ++i) {
      const Tenant& t = c.tenants()[i];
      toml::table& tenant = *tenants->get(i)->as_table();
      CHECK(tenant["salesforce"]["object_model"].value<std::string>() ==
            (kind == RuleSetKind::kSelective ? std::optional<std::string>("enhanced_email") : std::nullopt));
      auto* capture = tenant["capture"].as_table();
      if (kind == RuleSetKind::kAutomatic) {
        CHECK(capture == nullptr);
        continue;
      }
      REQUIRE(capture != nullptr);
      if (kind == RuleSetKind::kSelective) {
        CHECK((*capture)["mode"].value<std::string>() == "selective");
        CHECK((*capture)["categories"][0].value<std::string>() == "CRM");
        CHECK((*capture)["labels"][0].value<std::string>() == "CRM");
        CHECK((*capture)["folders"][0].value<std::string>() == "CRM");
        CHECK(capture->size() == 4);
      } else {
        CHECK(!(*capture)["mode"]);
        CHECK((*capture)["exclude_domains"][0].value<std::string>() == t.designated.excluded_domain);
        CHECK((*capture)["exclude_addresses"][0].value<std::string>() == t.designated.excluded_address);
        CHECK((*capture)["exclude_subjects"][0].value<std::string>() == "(?i)confidential");
        CHECK((*capture)["max_age_days"].value<int>() == options.capture.max_age_days);
        CHECK((*capture)["max_body_chars"].value<int>() == 2000);
        CHECK((*capture)["users"][0]["address"].value<std::string>() == t.users[0].primary);
        CHECK((*capture)["users"][0]["exclude_domains"][0].value<std::string>() == t.designated.user_excluded_domain);
      }
    }
  }
}

TEST_CASE("create-lead: unknown external people become Leads and make their mail capturable",
          "[sim][capture][truth][create_lead]") {
  Corpus c(CorpusOptions{31, 1, 8, 60, 0});
  const Epochs epochs = c.epochs();
  const Tenant& t = c.tenants()[0];
  const RuleSet automatic = RulesFor(RuleSetKind::kAutomatic, c);
  const RuleSet create_lead = RulesFor(RuleSetKind::kCreateLead, c);
  CHECK(ParseRuleSetKind("create-lead") == RuleSetKind::kCreateLead);
  CHECK(create_lead.create_lead);
  CHECK_FALSE(automatic.create_lead);
  std::uint64_t only_through_leads = 0, new_lead_messages = 0;
  c.ForEachMessage(0, 0, 1, epochs, [&](const MessageHeader& h) {
    const Judgement ja = Judge(c, h, automatic), jl = Judge(c, h, create_lead);
    CHECK(ja.new_leads.empty());
    // The rules before the CRM match are unchanged; no_crm_match disappears.
    if (ja.outcome == Outcome::kCaptured) {
      CHECK(jl.outcome == Outcome::kCaptured);
      if (ja.who_id.rfind("003", 0) == 0) CHECK(jl.who_id == ja.who_id);   // a Contact still wins
    } else if (ja.outcome == Outcome::kNoCrmMatch) {
      CHECK(jl.outcome == Outcome::kCaptured);
      REQUIRE_FALSE(jl.new_leads.empty());
      // WhoId is the Lead of the first unknown person.
      CHECK(jl.who_id == LeadKeyOf(jl.new_leads.front()));
      ++only_through_leads;
    } else {
      CHECK(jl.outcome == ja.outcome);
    }
    CHECK(jl.outcome != Outcome::kNoCrmMatch);
    // Every new Lead is an external participant no Contact or Lead has.
    for (const std::string& address : jl.new_leads) {
      CHECK(address == AsciiLower(address));
      CHECK_FALSE(EqualsNoCase(address.substr(address.rfind('@') + 1), t.domains[0]));
      for (const ExternalPerson& p : t.people) {
        if (EqualsNoCase(p.address, address)) CHECK((p.contact_id.empty() && p.lead_id.empty()));
      }
    }
    if (!jl.new_leads.empty()) ++new_lead_messages;
  });
  CHECK(only_through_leads > 0);
  CHECK(new_lead_messages > only_through_leads);   // captured mail with a Contact can add Leads too

  // The written configuration asks the engine for the same.
  CorpusOptions options{4, 1, 3, 2, 0};
  options.capture = MakeRuleSet(RuleSetKind::kCreateLead, Corpus::StartClock(4), Corpus::StartClock(4) + 20 * kDay);
  Corpus lc(options);
  const std::string table = CaptureTableToml(lc.tenants()[0], options.capture);
  CHECK(table.find("unknown_person = \"create_lead\"") != std::string::npos);
  CHECK(table.find("mode") == std::string::npos);
}
