// Capture rules, table-driven, for messages as the Graph and Gmail parsers
// produce them: every copy is written as the wire JSON of each connector,
// parsed by that connector's parser, then classified.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmsync/engine/capture_rules.hpp"
#include "crmsync/engine/classify.hpp"
#include "crmsync/engine/task_record.hpp"
#include "crmsync/gmail/gmail.hpp"
#include "crmsync/graph/graph.hpp"

using namespace crmsync;
using namespace crmsync::engine;

namespace {

enum class Connector { kGraph, kGmail };
const char* Name(Connector c) { return c == Connector::kGraph ? "graph" : "gmail"; }

// One copy of an email, connector-neutral; turned into each wire format.
struct Copy {
  std::string from = "Zed@Customer.example";
  std::vector<std::string> to = {"ann@acme.example"};
  std::vector<std::string> cc;
  std::vector<std::string> bcc;
  std::string subject = "Quote for Q3";
  std::string sent_at = "2026-05-20T10:00:00Z";
  std::string message_id = "<k1@customer.example>";
  bool draft = false;
  bool marked = false;            // Outlook category "CRM" / Gmail label "CRM"
  std::string folder = "Inbox";   // Graph stream folder (Gmail has none)
  std::vector<std::pair<std::string, std::string>> headers;   // extra internet headers
};

const auto kNow = *CaptureRules::ParseSentAt("2026-06-01T00:00:00Z");

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string GraphRecipients(const std::vector<std::string>& addresses) {
  std::string out = "[";
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    out += fmt::format("{}{{\"emailAddress\":{{\"name\":\"\",\"address\":{}}}}}", i ? "," : "", Quote(addresses[i]));
  }
  return out + "]";
}

Message ViaGraph(const Copy& c) {
  std::string headers = "[";
  for (std::size_t i = 0; i < c.headers.size(); ++i) {
    headers += fmt::format("{}{{\"name\":{},\"value\":{}}}", i ? "," : "", Quote(c.headers[i].first),
                           Quote(c.headers[i].second));
  }
  headers += "]";
  const std::string body = fmt::format(
      R"({{"value":[{{"id":"g1","internetMessageId":{},"subject":{},"sentDateTime":{},)"
      R"("from":{{"emailAddress":{{"address":{}}}}},"toRecipients":{},"ccRecipients":{},"bccRecipients":{},)"
      R"("isDraft":{},"categories":{},"internetMessageHeaders":{},"body":{{"contentType":"text","content":"hi"}}}}],)"
      R"("@odata.deltaLink":"https://g/delta?$deltatoken=1"}})",
      Quote(c.message_id), Quote(c.subject), Quote(c.sent_at), Quote(c.from), GraphRecipients(c.to),
      GraphRecipients(c.cc), GraphRecipients(c.bcc), c.draft ? "true" : "false",
      c.marked ? R"(["Blue","CRM"])" : R"(["Blue"])", headers);
  auto page = graph::ParseDeltaPage(body, c.folder);
  REQUIRE(page.ok());
  REQUIRE(page->messages.size() == 1);
  return page->messages[0];
}

std::string Joined(const std::vector<std::string>& addresses) {
  std::string out;
  for (const auto& a : addresses) out += (out.empty() ? "" : ", ") + a;
  return out;
}

Message ViaGmail(const Copy& c) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"From", c.from}, {"To", Joined(c.to)}, {"Message-ID", c.message_id}, {"Subject", c.subject}};
  if (!c.cc.empty()) headers.emplace_back("Cc", Joined(c.cc));
  if (!c.bcc.empty()) headers.emplace_back("Bcc", Joined(c.bcc));
  for (const auto& h : c.headers) headers.push_back(h);
  std::string header_json = "[";
  for (std::size_t i = 0; i < headers.size(); ++i) {
    header_json += fmt::format("{}{{\"name\":{},\"value\":{}}}", i ? "," : "", Quote(headers[i].first),
                               Quote(headers[i].second));
  }
  header_json += "]";
  std::string labels = c.folder == "Sent Items" ? R"(["SENT")" : R"(["INBOX")";
  if (c.draft) labels += R"(,"DRAFT")";
  if (c.marked) labels += R"(,"CRM")";
  labels += "]";
  const auto sent = CaptureRules::ParseSentAt(c.sent_at);
  REQUIRE(sent.has_value());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(sent->time_since_epoch()).count();
  const std::string body =
      fmt::format(R"({{"id":"m1","labelIds":{},"snippet":"hi","internalDate":"{}","payload":{{"headers":{}}}}})",
                  labels, ms, header_json);
  auto parsed = gmail::ParseMessageMetadata(body);
  REQUIRE(parsed.ok());
  return parsed->message;
}

Message Via(Connector connector, const Copy& c) { return connector == Connector::kGraph ? ViaGraph(c) : ViaGmail(c); }

TenantDirectory MakeDirectory() {
  std::vector<MailboxUser> users;
  users.push_back({{"u1", "ann@acme.example", {"ann@acme.example", "a.smith@acme-alias.example"}, true}, "005A"});
  users.push_back({{"u2", "bob@acme.example", {"bob@acme.example"}, true}, "005B"});
  return TenantDirectory({"acme.example", "acme-alias.example"}, std::move(users));
}

std::unique_ptr<CaptureRules> Compiled(const CaptureConfig& config, const TenantDirectory& directory) {
  auto rules = CaptureRules::Compile("acme", config, directory);
  REQUIRE(rules.ok());
  return std::move(rules.value());
}

using Tweak = std::function<void(CaptureConfig&)>;
const Tweak kDefaults = [](CaptureConfig&) {};

struct Row {
  const char* name;
  Tweak tweak;
  Copy copy;
  SkipReason graph;   // expected for the Graph copy
  SkipReason gmail;   // expected for the Gmail copy
  std::size_t mailbox = 0;   // 0 ann, 1 bob
};

Copy Outgoing() {
  Copy c;
  c.from = "A.Smith@ACME-alias.example";
  c.to = {"zed@customer.example"};
  c.folder = "Sent Items";
  return c;
}
Copy Internal() {
  Copy c;
  c.from = "bob@acme.example";
  c.to = {"ann@acme.example"};
  return c;
}
Copy With(Copy c, const std::function<void(Copy&)>& change) {
  change(c);
  return c;
}
Copy Header(std::string name, std::string value, Copy c = Copy{}) {
  c.headers.emplace_back(std::move(name), std::move(value));
  return c;
}

constexpr SkipReason kNone = SkipReason::kNone;

}  // namespace

TEST_CASE("each capture rule, for Graph and Gmail copies", "[capture_rules]") {
  const TenantDirectory directory = MakeDirectory();
  const std::vector<Row> rows = {
      {"default: external incoming is a candidate", kDefaults, Copy{}, kNone, kNone},
      {"default: outgoing under an alias is a candidate", kDefaults, Outgoing(), kNone, kNone},
      {"internal-only skipped", kDefaults, Internal(), SkipReason::kInternalOnly, SkipReason::kInternalOnly},
      {"internal-only kept when skip_internal=false", [](CaptureConfig& c) { c.skip_internal = false; }, Internal(),
       kNone, kNone},
      {"draft skipped", kDefaults, With(Copy{}, [](Copy& c) { c.draft = true; }), SkipReason::kDraft,
       SkipReason::kDraft},
      {"draft kept when skip_drafts=false", [](CaptureConfig& c) { c.skip_drafts = false; },
       With(Copy{}, [](Copy& c) { c.draft = true; }), kNone, kNone},
      {"Auto-Submitted auto-replied", kDefaults, Header("Auto-Submitted", "auto-replied"), SkipReason::kAutoReply,
       SkipReason::kAutoReply},
      {"Auto-Submitted auto-generated, any case", kDefaults, Header("auto-submitted", "Auto-Generated"),
       SkipReason::kAutoReply, SkipReason::kAutoReply},
      {"Auto-Submitted: no is a person", kDefaults, Header("Auto-Submitted", " No "), kNone, kNone},
      {"auto replies kept when skip_auto_replies=false", [](CaptureConfig& c) { c.skip_auto_replies = false; },
       Header("Auto-Submitted", "auto-replied"), kNone, kNone},
      {"List-Unsubscribe is bulk", kDefaults, Header("List-Unsubscribe", "<mailto:u@news.example>"),
       SkipReason::kBulk, SkipReason::kBulk},
      {"Precedence: bulk", kDefaults, Header("Precedence", "Bulk"), SkipReason::kBulk, SkipReason::kBulk},
      {"Precedence: list", kDefaults, Header("Precedence", "list"), SkipReason::kBulk, SkipReason::kBulk},
      {"Precedence: junk", kDefaults, Header("Precedence", "JUNK"), SkipReason::kBulk, SkipReason::kBulk},
      {"Precedence: first-class is not bulk", kDefaults, Header("Precedence", "first-class"), kNone, kNone},
      {"bulk kept when skip_bulk=false", [](CaptureConfig& c) { c.skip_bulk = false; },
       Header("Precedence", "bulk"), kNone, kNone},
      {"direction incoming skips outgoing", [](CaptureConfig& c) { c.direction = CaptureDirection::kIncoming; },
       Outgoing(), SkipReason::kWrongDirection, SkipReason::kWrongDirection},
      {"direction incoming keeps incoming", [](CaptureConfig& c) { c.direction = CaptureDirection::kIncoming; },
       Copy{}, kNone, kNone},
      {"direction outgoing skips incoming", [](CaptureConfig& c) { c.direction = CaptureDirection::kOutgoing; },
       Copy{}, SkipReason::kWrongDirection, SkipReason::kWrongDirection},
      {"direction outgoing keeps outgoing", [](CaptureConfig& c) { c.direction = CaptureDirection::kOutgoing; },
       Outgoing(), kNone, kNone},
      {"mail from another user is incoming in this mailbox",
       [](CaptureConfig& c) { c.direction = CaptureDirection::kOutgoing; },
       With(Copy{}, [](Copy& c) { c.from = "bob@acme.example"; c.cc = {"zed@customer.example"}; }),
       SkipReason::kWrongDirection, SkipReason::kWrongDirection},
      {"too old", [](CaptureConfig& c) { c.max_age_days = 30; },
       With(Copy{}, [](Copy& c) { c.sent_at = "2026-04-01T23:59:59Z"; }), SkipReason::kTooOld,
       SkipReason::kTooOld},
      {"young enough", [](CaptureConfig& c) { c.max_age_days = 30; },
       With(Copy{}, [](Copy& c) { c.sent_at = "2026-05-02T00:00:01Z"; }), kNone, kNone},
      {"no age limit by default", kDefaults, With(Copy{}, [](Copy& c) { c.sent_at = "2001-01-01T00:00:00Z"; }),
       kNone, kNone},
      {"selective: unmarked skipped", [](CaptureConfig& c) { c.mode = CaptureMode::kSelective; }, Copy{},
       SkipReason::kNotSelected, SkipReason::kNotSelected},
      {"selective: marked kept (category / label CRM)", [](CaptureConfig& c) { c.mode = CaptureMode::kSelective; },
       With(Copy{}, [](Copy& c) { c.marked = true; }), kNone, kNone},
      {"selective: names compare case-insensitively",
       [](CaptureConfig& c) {
         c.mode = CaptureMode::kSelective;
         c.categories = {"crm"};
         c.labels = {"crm"};
       },
       With(Copy{}, [](Copy& c) { c.marked = true; }), kNone, kNone},
      {"selective: a category does not select Gmail, a label does not select Graph",
       [](CaptureConfig& c) {
         c.mode = CaptureMode::kSelective;
         c.labels = {"Blue"};
         c.categories = {"INBOX"};
       },
       Copy{}, SkipReason::kNotSelected, SkipReason::kNotSelected},
      {"selective: folder (Graph only; Gmail has labels, not folders)",
       [](CaptureConfig& c) {
         c.mode = CaptureMode::kSelective;
         c.categories.clear();
         c.labels.clear();
         c.folders = {"inbox"};
       },
       Copy{}, kNone, SkipReason::kNotSelected},
      {"selective: Gmail system label by name",
       [](CaptureConfig& c) {
         c.mode = CaptureMode::kSelective;
         c.categories.clear();
         c.labels = {"SENT"};
       },
       Outgoing(), SkipReason::kNotSelected, kNone},
      {"excluded address (from)", [](CaptureConfig& c) { c.exclude.addresses = {"zed@customer.example"}; }, Copy{},
       SkipReason::kExcludedAddress, SkipReason::kExcludedAddress},
      {"excluded address (bcc)", [](CaptureConfig& c) { c.exclude.addresses = {"hr@acme.example"}; },
       With(Copy{}, [](Copy& c) { c.bcc = {"HR@acme.example"}; }), SkipReason::kExcludedAddress,
       SkipReason::kExcludedAddress},
      {"excluded domain (cc)", [](CaptureConfig& c) { c.exclude.domains = {"lawyers.example"}; },
       With(Copy{}, [](Copy& c) { c.cc = {"Sue@Lawyers.Example"}; }), SkipReason::kExcludedDomain,
       SkipReason::kExcludedDomain},
      {"excluded domain is exact: subdomains pass", [](CaptureConfig& c) { c.exclude.domains = {"customer.example"}; },
       With(Copy{}, [](Copy& c) { c.from = "zed@eu.customer.example"; }), kNone, kNone},
      {"excluded subject (unanchored)", [](CaptureConfig& c) { c.exclude.subjects = {"(?i)confidential"}; },
       With(Copy{}, [](Copy& c) { c.subject = "Re: CONFIDENTIAL terms"; }), SkipReason::kExcludedSubject,
       SkipReason::kExcludedSubject},
      {"excluded subject: no match", [](CaptureConfig& c) { c.exclude.subjects = {"^Payroll", "salary"}; },
       With(Copy{}, [](Copy& c) { c.subject = "Re: Payroll"; }), kNone, kNone},
      {"excluded subject: Unicode", [](CaptureConfig& c) { c.exclude.subjects = {"Gehalt\\s+\xc3\xbc"}; },
       With(Copy{}, [](Copy& c) { c.subject = "Gehalt \xc3\xbc" "ber alles"; }), SkipReason::kExcludedSubject,
       SkipReason::kExcludedSubject},
      {"user exclusion applies in that user's mailbox (named by alias)",
       [](CaptureConfig& c) { c.users = {{"a.smith@acme-alias.example", {{"customer.example"}, {}, {}}}}; }, Copy{},
       SkipReason::kExcludedDomain, SkipReason::kExcludedDomain},
      {"user exclusion does not apply in another mailbox",
       [](CaptureConfig& c) { c.users = {{"a.smith@acme-alias.example", {{"customer.example"}, {}, {}}}}; },
       With(Copy{}, [](Copy& c) { c.to = {"bob@acme.example"}; }), kNone, kNone, 1},
      {"user address and subject exclusions",
       [](CaptureConfig& c) { c.users = {{"bob@acme.example", {{}, {"zed@customer.example"}, {}}}}; },
       With(Copy{}, [](Copy& c) { c.to = {"bob@acme.example"}; }), SkipReason::kExcludedAddress,
       SkipReason::kExcludedAddress, 1},
      {"user subject exclusion", [](CaptureConfig& c) { c.users = {{"ann@acme.example", {{}, {}, {"Quote"}}}}; },
       Copy{}, SkipReason::kExcludedSubject, SkipReason::kExcludedSubject},
      {"user that is not a mailbox user matches nothing",
       [](CaptureConfig& c) { c.users = {{"gone@acme.example", {{"customer.example"}, {}, {}}}}; }, Copy{}, kNone,
       kNone},
      // Evaluation order: the first that applies is reported.
      {"order: draft before too_old", [](CaptureConfig& c) { c.max_age_days = 1; },
       With(Copy{}, [](Copy& c) { c.draft = true; c.sent_at = "2020-01-01T00:00:00Z"; }), SkipReason::kDraft,
       SkipReason::kDraft},
      {"order: no_message_id before too_old", [](CaptureConfig& c) { c.max_age_days = 1; },
       With(Copy{}, [](Copy& c) { c.message_id = ""; c.sent_at = "2020-01-01T00:00:00Z"; }),
       SkipReason::kNoMessageId, SkipReason::kNoMessageId},
      {"order: too_old before wrong_direction",
       [](CaptureConfig& c) { c.max_age_days = 1; c.direction = CaptureDirection::kOutgoing; },
       With(Copy{}, [](Copy& c) { c.sent_at = "2020-01-01T00:00:00Z"; }), SkipReason::kTooOld, SkipReason::kTooOld},
      {"order: wrong_direction before not_selected",
       [](CaptureConfig& c) { c.mode = CaptureMode::kSelective; c.direction = CaptureDirection::kOutgoing; },
       Copy{}, SkipReason::kWrongDirection, SkipReason::kWrongDirection},
      {"order: not_selected before auto_reply", [](CaptureConfig& c) { c.mode = CaptureMode::kSelective; },
       Header("Auto-Submitted", "auto-replied"), SkipReason::kNotSelected, SkipReason::kNotSelected},
      {"order: auto_reply before bulk", kDefaults,
       Header("Auto-Submitted", "auto-replied", Header("Precedence", "bulk")), SkipReason::kAutoReply,
       SkipReason::kAutoReply},
      {"order: bulk before excluded_address", [](CaptureConfig& c) { c.exclude.addresses = {"zed@customer.example"}; },
       Header("Precedence", "bulk"), SkipReason::kBulk, SkipReason::kBulk},
      {"order: excluded_address before excluded_domain",
       [](CaptureConfig& c) {
         c.exclude.domains = {"customer.example"};
         c.exclude.addresses = {"ann@acme.example"};
       },
       Copy{}, SkipReason::kExcludedAddress, SkipReason::kExcludedAddress},
      {"order: excluded_domain before excluded_subject",
       [](CaptureConfig& c) {
         c.exclude.domains = {"customer.example"};
         c.exclude.subjects = {"Quote"};
       },
       Copy{}, SkipReason::kExcludedDomain, SkipReason::kExcludedDomain},
      {"order: excluded_subject before internal_only", [](CaptureConfig& c) { c.exclude.subjects = {"Quote"}; },
       Internal(), SkipReason::kExcludedSubject, SkipReason::kExcludedSubject},
      {"order: an internal excluded domain applies to internal-only mail",
       [](CaptureConfig& c) { c.exclude.domains = {"acme.example"}; }, Internal(), SkipReason::kExcludedDomain,
       SkipReason::kExcludedDomain},
  };
  for (const Connector connector : {Connector::kGraph, Connector::kGmail}) {
    for (const Row& row : rows) {
      CaptureConfig config;
      row.tweak(config);
      const auto rules = Compiled(config, directory);
      const Message message = Via(connector, row.copy);
      const auto c = Classify(message, directory, directory.users()[row.mailbox], *rules, kNow);
      INFO(Name(connector) << ": " << row.name);
      CHECK(SkipReasonName(c.skip) == std::string(SkipReasonName(connector == Connector::kGraph ? row.graph : row.gmail)));
    }
  }
}

TEST_CASE("direction follows the mailbox: the same email is outgoing for its sender only", "[capture_rules]") {
  const TenantDirectory directory = MakeDirectory();
  const Copy copy = With(Outgoing(), [](Copy& c) { c.cc = {"bob@acme.example"}; });
  for (const Connector connector : {Connector::kGraph, Connector::kGmail}) {
    INFO(Name(connector));
    const Message message = Via(connector, copy);
    const auto& rules = CaptureRules::Default();
    CHECK(Classify(message, directory, directory.users()[0], rules, kNow).direction == Direction::kOutgoing);
    CHECK(Classify(message, directory, directory.users()[1], rules, kNow).direction == Direction::kIncoming);
  }
}

// Every combination the configuration allows, against messages carrying
// every combination of facts. The expectation is the specification's order,
// stated independently of the engine's code.
TEST_CASE("every combination of mode, direction, skip flags and exclusion scope", "[capture_rules]") {
  const TenantDirectory directory = MakeDirectory();
  struct Facts {
    bool outgoing, marked, draft, auto_reply, bulk, internal_only, partner;
  };
  std::vector<Facts> all;
  for (int bits = 0; bits < 128; ++bits) {
    Facts f{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0, (bits & 16) != 0,
            (bits & 32) != 0, (bits & 64) != 0};
    all.push_back(f);
  }
  enum class Scope { kNone, kTenant, kThisUser, kOtherUser };
  std::size_t evaluated = 0;
  for (const Connector connector : {Connector::kGraph, Connector::kGmail}) {
    std::vector<Message> messages;
    for (const Facts& f : all) {
      Copy c;
      c.from = f.outgoing ? "ann@acme.example" : (f.internal_only ? "bob@acme.example" : "zed@customer.example");
      c.to = {f.outgoing ? (f.internal_only ? "bob@acme.example" : "zed@customer.example") : "ann@acme.example"};
      if (f.partner) c.cc = {"pat@partner.example"};
      c.folder = f.outgoing ? "Sent Items" : "Inbox";
      c.draft = f.draft;
      c.marked = f.marked;
      if (f.auto_reply) c.headers.emplace_back("Auto-Submitted", "auto-replied");
      if (f.bulk) c.headers.emplace_back("List-Unsubscribe", "<mailto:u@x.example>");
      messages.push_back(Via(connector, c));
    }
    for (const CaptureMode mode : {CaptureMode::kAutomatic, CaptureMode::kSelective}) {
      for (const CaptureDirection direction :
           {CaptureDirection::kBoth, CaptureDirection::kIncoming, CaptureDirection::kOutgoing}) {
        for (int flags = 0; flags < 16; ++flags) {
          for (const Scope scope : {Scope::kNone, Scope::kTenant, Scope::kThisUser, Scope::kOtherUser}) {
            CaptureConfig config;
            config.mode = mode;
            config.direction = direction;
            config.skip_internal = (flags & 1) != 0;
            config.skip_drafts = (flags & 2) != 0;
            config.skip_auto_replies = (flags & 4) != 0;
            config.skip_bulk = (flags & 8) != 0;
            if (scope == Scope::kTenant) config.exclude.domains = {"partner.example"};
            if (scope == Scope::kThisUser) config.users = {{"ann@acme.example", {{"partner.example"}, {}, {}}}};
            if (scope == Scope::kOtherUser) config.users = {{"bob@acme.example", {{"partner.example"}, {}, {}}}};
            const auto rules = Compiled(config, directory);
            for (std::size_t i = 0; i < all.size(); ++i) {
              const Facts& f = all[i];
              // internal_only means no external participant at all.
              const bool internal_only = f.internal_only && !f.partner;
              SkipReason expected = kNone;
              if (f.draft && config.skip_drafts) {
                expected = SkipReason::kDraft;
              } else if ((direction == CaptureDirection::kIncoming && f.outgoing) ||
                         (direction == CaptureDirection::kOutgoing && !f.outgoing)) {
                expected = SkipReason::kWrongDirection;
              } else if (mode == CaptureMode::kSelective && !f.marked) {
                expected = SkipReason::kNotSelected;
              } else if (f.auto_reply && config.skip_auto_replies) {
                expected = SkipReason::kAutoReply;
              } else if (f.bulk && config.skip_bulk) {
                expected = SkipReason::kBulk;
              } else if (f.partner && (scope == Scope::kTenant || scope == Scope::kThisUser)) {
                expected = SkipReason::kExcludedDomain;
              } else if (internal_only && config.skip_internal) {
                expected = SkipReason::kInternalOnly;
              }
              const auto c = Classify(messages[i], directory, directory.users()[0], *rules, kNow);
              if (c.skip != expected) {
                FAIL_CHECK(fmt::format("{} facts={} mode={} direction={} flags={} scope={}: got {}, expected {}",
                                       Name(connector), i, static_cast<int>(mode), static_cast<int>(direction),
                                       flags, static_cast<int>(scope), SkipReasonName(c.skip),
                                       SkipReasonName(expected)));
              }
              // A skipped draft is decided before its direction is looked at.
              if (expected != SkipReason::kDraft) CHECK((c.direction == Direction::kOutgoing) == f.outgoing);
              ++evaluated;
            }
          }
        }
      }
    }
  }
  CHECK(evaluated == 2u * 2 * 3 * 16 * 4 * 128);
}

TEST_CASE("match_objects order decides WhoId", "[capture_rules]") {
  const TenantDirectory directory = MakeDirectory();
  struct Row {
    std::vector<std::string> order;
    std::string contact, lead, expected;
  };
  const std::vector<Row> rows = {
      {{"Contact", "Lead"}, "003C", "00QL", "003C"}, {{"Contact", "Lead"}, "", "00QL", "00QL"},
      {{"Contact", "Lead"}, "003C", "", "003C"},     {{"Contact", "Lead"}, "", "", ""},
      {{"Lead", "Contact"}, "003C", "00QL", "00QL"}, {{"Lead", "Contact"}, "003C", "", "003C"},
      {{"Contact"}, "", "00QL", ""},                 {{"Contact"}, "003C", "00QL", "003C"},
      {{"Lead"}, "003C", "", ""},                    {{"Lead"}, "003C", "00QL", "00QL"},
  };
  for (const auto& row : rows) {
    CaptureConfig config;
    config.match_objects = row.order;
    const auto rules = Compiled(config, directory);
    INFO(fmt::format("{} contact={} lead={}", fmt::join(row.order, ","), row.contact, row.lead));
    CHECK(rules->ChooseWho(row.contact, row.lead) == row.expected);
  }
}

TEST_CASE("Description is truncated to max_body_chars code points, never failed", "[capture_rules]") {
  Message m;
  m.subject = "s";
  m.body_text = "h\xc3\xa9llo w\xc3\xb6rld";   // héllo wörld
  m.sent_at = "2026-05-01T10:00:00Z";
  struct Row {
    std::size_t limit;
    std::string expected;
  };
  for (const Row& row : {Row{5, "h\xc3\xa9llo"}, Row{1, "h"}, Row{2, "h\xc3\xa9"}, Row{100, m.body_text}}) {
    auto record = BuildTaskRecord("k", m, "003C", "005A", row.limit);
    REQUIRE(salesforce::MaterializeFields(record).ok());
    const auto it = std::find_if(record.fields.begin(), record.fields.end(),
                                 [](const auto& f) { return f.name == "Description"; });
    REQUIRE(it != record.fields.end());
    CHECK(it->value == row.expected);
  }
  // Never above the Salesforce field limit, whatever the caller asks.
  m.body_text = std::string(40000, 'x');
  auto record = BuildTaskRecord("k", m, "003C", "005A", 1000000);
  REQUIRE(salesforce::MaterializeFields(record).ok());
  for (const auto& f : record.fields) {
    if (f.name == "Description") CHECK(f.value.size() == kDescriptionMaxChars);
  }
}

TEST_CASE("rules built in code are checked when compiled", "[capture_rules]") {
  const TenantDirectory directory = MakeDirectory();
  CaptureConfig bad_pattern;
  bad_pattern.exclude.subjects = {"ok", "(unclosed"};
  auto r1 = CaptureRules::Compile("acme", bad_pattern, directory);
  REQUIRE_FALSE(r1.ok());
  CHECK_THAT(r1.status().message(),
             Catch::Matchers::Contains("tenant acme: capture.exclude_subjects[1] = \"(unclosed\" does not compile"));
  CaptureConfig bad_user;
  bad_user.users = {{"ann@acme.example", {{}, {}, {"a**"}}}};
  CHECK_FALSE(CaptureRules::Compile("acme", bad_user, directory).ok());
  CaptureConfig no_objects;
  no_objects.match_objects.clear();
  CHECK_FALSE(CaptureRules::Compile("acme", no_objects, directory).ok());
  CaptureConfig account;
  account.match_objects = {"Account"};
  CHECK_FALSE(CaptureRules::Compile("acme", account, directory).ok());
  CaptureConfig create_lead;
  create_lead.unknown_person = UnknownPerson::kCreateLead;
  CHECK(CaptureRules::Compile("acme", create_lead, directory).ok());
  create_lead.match_objects = {"Contact"};
  auto r2 = CaptureRules::Compile("acme", create_lead, directory);
  REQUIRE_FALSE(r2.ok());
  CHECK_THAT(r2.status().message(), Catch::Matchers::Contains("needs \"Lead\" in capture.match_objects"));
}

TEST_CASE("header facts and sent times", "[capture_rules]") {
  Message m;
  CHECK_FALSE(CaptureRules::IsAutoReply(m));
  CHECK_FALSE(CaptureRules::IsBulk(m));
  m.is_auto_reply = true;
  CHECK(CaptureRules::IsAutoReply(m));
  m.has_list_unsubscribe = true;
  CHECK(CaptureRules::IsBulk(m));

  using std::chrono::hours;
  const auto base = *CaptureRules::ParseSentAt("2026-05-01T10:00:00Z");
  CHECK(CaptureRules::ParseSentAt("2026-05-01T10:00:00.1234567Z") == base);
  CHECK(CaptureRules::ParseSentAt("2026-05-01T12:00:00+02:00") == base);
  CHECK(CaptureRules::ParseSentAt("2026-05-01T08:30:00-01:30") == base);
  CHECK(CaptureRules::ParseSentAt("2026-05-01T10:00:00") == base);
  CHECK(*CaptureRules::ParseSentAt("2026-05-02T10:00:00Z") - base == hours(24));
  for (const char* bad : {"", "2026-05-01", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-05-01T25:00:00Z",
                          "2026-05-01T10:00:00Zjunk", "2026-05-01T10:00:00+0200", "yesterday", "\xff\xfe"}) {
    INFO(bad);
    CHECK_FALSE(CaptureRules::ParseSentAt(bad).has_value());
  }
  // An unreadable date is not evidence of age.
  const TenantDirectory directory = MakeDirectory();
  CaptureConfig config;
  config.max_age_days = 1;
  const auto rules = Compiled(config, directory);
  Message undated;
  undated.internet_message_id = "<x@customer.example>";
  undated.from.address = "zed@customer.example";
  undated.to.push_back({"ann@acme.example", ""});
  CHECK(Classify(undated, directory, directory.users()[0], *rules, kNow).skip == kNone);
}

TEST_CASE("skip reason names are stable and distinct", "[capture_rules]") {
  const std::vector<std::string> expected = {"none",          "removed",        "draft",
                                             "no_message_id", "internal_only",  "no_crm_match",
                                             "already_captured", "too_old",     "wrong_direction",
                                             "not_selected",  "auto_reply",     "bulk",
                                             "excluded_address", "excluded_domain", "excluded_subject"};
  REQUIRE(expected.size() == static_cast<std::size_t>(kSkipReasonCount));
  for (int i = 0; i < kSkipReasonCount; ++i) CHECK(SkipReasonName(static_cast<SkipReason>(i)) == expected[i]);
}
