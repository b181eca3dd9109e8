// [tenants.capture]: every key parsed, defaults kept, every bad value a
// configuration error naming the file, line, tenant index, key and value.
#include <catch2/catch.hpp>

#include <string>

#include "crmsync/engine/config.hpp"

using namespace crmsync::engine;

namespace {

const char* kBase = R"([[tenants]]
id = "acme"
domains = ["acme.example"]
[tenants.microsoft]
tenant_id = "t"
client_id = "c"
client_secret = "very-secret-value"
[tenants.salesforce]
client_id = "sc"
client_secret = "ss"
refresh_token = "rt-secret"
)";

// kBase plus a [tenants.capture] table whose first line is line 12.
std::string WithCapture(const std::string& capture) { return std::string(kBase) + "[tenants.capture]\n" + capture; }

}  // namespace

TEST_CASE("capture: defaults when the table is absent or empty", "[config][capture]") {
  for (const std::string& text : {std::string(kBase), WithCapture("")}) {
    auto config = ParseConfig(text, "crmsync.toml");
    REQUIRE(config.ok());
    const CaptureConfig& c = config->tenants[0].capture;
    CHECK(c.mode == CaptureMode::kAutomatic);
    CHECK(c.categories == std::vector<std::string>{"CRM"});
    CHECK(c.labels == std::vector<std::string>{"CRM"});
    CHECK(c.folders.empty());
    CHECK(c.direction == CaptureDirection::kBoth);
    CHECK(c.skip_internal);
    CHECK(c.skip_drafts);
    CHECK(c.skip_auto_replies);
    CHECK(c.skip_bulk);
    CHECK(c.exclude.domains.empty());
    CHECK(c.users.empty());
    CHECK(c.max_age_days == 0);
    CHECK(c.max_body_chars == 32000);
    CHECK(c.match_objects == std::vector<std::string>{"Contact", "Lead"});
    CHECK(c.unknown_person == UnknownPerson::kSkip);
    CHECK(c.calendar == CalendarCapture::kOff);
  }
}

TEST_CASE("capture: every key is read", "[config][capture]") {
  auto config = ParseConfig(WithCapture(R"(mode = "selective"
categories = ["Salesforce", "CRM"]
labels = []
folders = ["Clients"]
direction = "outgoing"
skip_internal = false
skip_drafts = false
skip_auto_replies = false
skip_bulk = false
exclude_domains = ["Lawyers.Example"]
exclude_addresses = ["HR@Acme.example"]
exclude_subjects = ["(?i)confidential", "^\\[private\\]"]
max_age_days = 90
max_body_chars = 500
match_objects = ["Lead", "Contact"]
unknown_person = "skip"
match_ttl_hours = 12
miss_ttl_hours = 2
prime_crm_cache = true
calendar = "off"
[[tenants.capture.users]]
address = "CEO@acme.example"
exclude_domains = ["board.example"]
exclude_addresses = ["wife@home.example"]
exclude_subjects = ["salary"]
[[tenants.capture.users]]
address = "cfo@acme.example"
)"),
                            "crmsync.toml");
  REQUIRE(config.ok());
  const CaptureConfig& c = config->tenants[0].capture;
  CHECK(c.mode == CaptureMode::kSelective);
  CHECK(c.categories == std::vector<std::string>{"Salesforce", "CRM"});
  CHECK(c.labels.empty());
  CHECK(c.folders == std::vector<std::string>{"Clients"});
  CHECK(c.direction == CaptureDirection::kOutgoing);
  CHECK_FALSE(c.skip_internal);
  CHECK_FALSE(c.skip_drafts);
  CHECK_FALSE(c.skip_auto_replies);
  CHECK_FALSE(c.skip_bulk);
  CHECK(c.exclude.domains == std::vector<std::string>{"lawyers.example"});
  CHECK(c.exclude.addresses == std::vector<std::string>{"hr@acme.example"});
  CHECK(c.exclude.subjects == std::vector<std::string>{"(?i)confidential", "^\\[private\\]"});
  CHECK(c.max_age_days == 90);
  CHECK(c.max_body_chars == 500);
  CHECK(c.match_objects == std::vector<std::string>{"Lead", "Contact"});
  CHECK(c.match_ttl_hours == 12);
  CHECK(c.miss_ttl_hours == 2);
  CHECK(c.prime_crm_cache);
  CHECK(c.calendar == CalendarCapture::kOff);
  REQUIRE(c.users.size() == 2);
  CHECK(c.users[0].address == "ceo@acme.example");
  CHECK(c.users[0].exclude.domains == std::vector<std::string>{"board.example"});
  CHECK(c.users[0].exclude.addresses == std::vector<std::string>{"wife@home.example"});
  CHECK(c.users[0].exclude.subjects == std::vector<std::string>{"salary"});
  CHECK(c.users[1].address == "cfo@acme.example");
  CHECK(c.users[1].exclude.subjects.empty());
}

TEST_CASE("capture: each choice accepts exactly its documented values", "[config][capture]") {
  struct Row {
    std::string line;
    bool ok;
  };
  const std::vector<Row> rows = {
      {"mode = \"automatic\"", true},         {"mode = \"selective\"", true},
      {"mode = \"manual\"", false},           {"direction = \"both\"", true},
      {"direction = \"incoming\"", true},     {"direction = \"outgoing\"", true},
      {"direction = \"inbound\"", false},     {"calendar = \"off\"", true},
      {"calendar = \"free_busy\"", true},      {"calendar = \"all\"", false},
      {"calendar = \"meetings\"", true},       {"calendar_anchor = \"2026-11-01\"", true},
      {"calendar_anchor = \"2026-13-01\"", false}, {"calendar_anchor = \"Nov 1\"", false},
      {"freebusy_days = 62", true},           {"freebusy_days = 63", false},
      {"calendar_past_days = 0", true},       {"calendar_future_days = 0", false},
      {"unknown_person = \"skip\"", true},    {"unknown_person = \"ignore\"", false},
      {"unknown_person = \"create_lead\"", true},
      {"unknown_person = \"create_lead\"\nmatch_objects = [\"Lead\", \"Contact\"]", true},
      {"unknown_person = \"create_lead\"\nmatch_objects = [\"Contact\"]", false},
      {"match_objects = [\"Contact\"]", true}, {"match_objects = [\"Lead\"]", true},
      {"max_body_chars = 1", true},           {"max_body_chars = 32000", true},
      {"max_age_days = 0", true},             {"max_age_days = -1", false},
  };
  for (const auto& row : rows) {
    INFO(row.line);
    auto config = ParseConfig(WithCapture(row.line + "\n"), "crmsync.toml");
    CHECK(config.ok() == row.ok);
  }
}

TEST_CASE("capture: errors name file, line, tenant, key and value", "[config][capture]") {
  struct Row {
    std::string capture;
    std::string expected;   // a substring of the error message
  };
  const std::vector<Row> rows = {
      {"exclude_subjects = [\"ok\", \"(\"]\n",
       "crmsync.toml:13: tenants[0].capture.exclude_subjects[1] = \"(\" does not compile: missing )"},
      {"max_age_days = 5\nmode = \"sometimes\"\n", "crmsync.toml:14: tenants[0].capture.mode = \"sometimes\" is not one of"},
      {"max_body_chars = 32001\n", "crmsync.toml:13: tenants[0].capture.max_body_chars = 32001 is out of range 1..32000"},
      {"max_body_chars = 0\n", "tenants[0].capture.max_body_chars = 0 is out of range"},
      {"match_objects = []\n", "tenants[0].capture.match_objects is empty"},
      {"match_objects = [\"Contact\", \"Account\"]\n",
       "tenants[0].capture.match_objects[1] = \"Account\" is not one of \"Contact\", \"Lead\""},
      {"match_objects = [\"Lead\", \"Lead\"]\n", "tenants[0].capture.match_objects[1] = \"Lead\" is listed twice"},
      {"match_objects = [\"Contact\"]\nunknown_person = \"create_lead\"\n",
       "tenants[0].capture.unknown_person = \"create_lead\" needs \"Lead\" in match_objects"},
      {"skip_bulk = \"yes\"\n", "tenants[0].capture.skip_bulk must be true or false"},
      {"exclude_domains = [\"@bad\"]\n", "tenants[0].capture.exclude_domains[0] = \"@bad\" is not a mail domain"},
      {"exclude_addresses = [\"nobody\"]\n",
       "tenants[0].capture.exclude_addresses[0] = \"nobody\" is not a mail address"},
      {"skip_internals = true\n", "crmsync.toml:13: unknown key 'tenants[0].capture.skip_internals'"},
      {"mode = \"selective\"\ncategories = []\nlabels = []\n",
       "tenants[0].capture.mode = \"selective\" needs at least one marker"},
      {"match_ttl_hours = 0\n", "tenants[0].capture.match_ttl_hours = 0 is out of range"},
      {"[[tenants.capture.users]]\nexclude_domains = [\"x.example\"]\n",
       "tenants[0].capture.users[0].address missing"},
      {"[[tenants.capture.users]]\naddress = \"a@acme.example\"\nexclude_subjects = [\"[z-a]\"]\n",
       "tenants[0].capture.users[0].exclude_subjects[0] = \"[z-a]\" does not compile: invalid character class range"},
      {"[[tenants.capture.users]]\naddress = \"a@acme.example\"\ncolour = \"red\"\n",
       "unknown key 'tenants[0].capture.users[0].colour'"},
      {"[[tenants.capture.users]]\naddress = \"a@acme.example\"\n[[tenants.capture.users]]\naddress = \"A@acme.example\"\n",
       "tenants[0].capture.users[1].address = \"a@acme.example\" is listed twice"},
  };
  for (const auto& row : rows) {
    INFO(row.capture);
    auto config = ParseConfig(WithCapture(row.capture), "crmsync.toml");
    REQUIRE_FALSE(config.ok());
    CHECK_THAT(config.status().message(), Catch::Matchers::Contains(row.expected));
  }
}

TEST_CASE("capture: the second tenant's errors name tenants[1]", "[config][capture]") {
  std::string second = kBase;
  second.replace(second.find("\"acme\""), 6, "\"globex\"");
  const std::string text = WithCapture("direction = \"both\"\n") + second + "[tenants.capture]\nexclude_subjects = [\"a{2,1}\"]\n";
  auto config = ParseConfig(text, "crmsync.toml");
  REQUIRE_FALSE(config.ok());
  CHECK_THAT(config.status().message(), Catch::Matchers::Contains("tenants[1].capture.exclude_subjects[0] = \"a{2,1}\""));
}
