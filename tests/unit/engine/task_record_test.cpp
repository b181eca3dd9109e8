#include <catch2/catch.hpp>

#include <algorithm>

#include "crmsync/engine/task_record.hpp"
#include "crmsync/engine/text.hpp"

using namespace crmsync;
using namespace crmsync::engine;

namespace {

// The record with its rendered fields listed as Field values.
salesforce::UpsertRecord Listed(salesforce::UpsertRecord r) {
  REQUIRE(salesforce::MaterializeFields(r).ok());
  return r;
}

const salesforce::Field* Find(const salesforce::UpsertRecord& r, const std::string& name) {
  for (const auto& f : r.fields) if (f.name == name) return &f;
  return nullptr;
}

}  // namespace

TEST_CASE("a captured email becomes a completed Email task", "[task]") {
  Message m;
  m.subject = "Quarterly review \xf0\x9f\x93\x88";
  m.body_text = "Hello";
  m.sent_at = "2026-10-05T23:59:59Z";
  auto r = Listed(BuildTaskRecord("key@x", m, "003A", "005B"));
  CHECK(r.external_id == "key@x");
  REQUIRE(Find(r, "TaskSubtype"));
  CHECK(Find(r, "TaskSubtype")->value == "Email");
  CHECK(Find(r, "TaskSubtype")->create_only);
  CHECK(Find(r, "Status")->value == "Completed");
  CHECK(Find(r, "Subject")->value == m.subject);
  CHECK(Find(r, "ActivityDate")->value == "2026-10-05");
  CHECK(Find(r, "WhoId")->value == "003A");
  CHECK(Find(r, "OwnerId")->value == "005B");
}

TEST_CASE("long text is truncated to the field limit at a code-point boundary", "[task]") {
  Message m;
  std::string body;
  for (int i = 0; i < 20000; ++i) body += "\xc3\xa9";  // é, two bytes
  body += std::string(20000, 'a');
  m.body_text = body;
  m.subject = std::string(300, 's');
  auto r = Listed(BuildTaskRecord("k", m, "003A", ""));
  CHECK(CountCodePoints(Find(r, "Description")->value) == kDescriptionMaxChars);
  CHECK(body.rfind(Find(r, "Description")->value, 0) == 0);
  CHECK(Find(r, "Subject")->value.size() == kSubjectMaxChars);
  CHECK(Find(r, "OwnerId") == nullptr);
  CHECK(TruncateCodePoints("\xc3\xa9\xc3\xa9", 1) == "\xc3\xa9");
}

namespace {

// The Task as BuildTaskRecord listed it before its JSON was rendered directly:
// the reference the rendered record must match byte for byte.
salesforce::UpsertRecord ListedTaskReference(const std::string& key, const Message& message, const std::string& who,
                                             const std::string& owner, std::size_t description_max_chars) {
  salesforce::UpsertRecord record;
  record.external_id = key;
  auto& f = record.fields;
  f.push_back({"TaskSubtype", "Email", false, /*create_only=*/true});
  f.push_back({"Status", "Completed"});
  f.push_back({"Subject", std::string(TruncateCodePoints(message.subject, kSubjectMaxChars))});
  f.push_back({"Description", std::string(TruncateCodePoints(
                                  message.body_text, std::min(description_max_chars, kDescriptionMaxChars)))});
  if (message.sent_at.size() >= 10) f.push_back({"ActivityDate", message.sent_at.substr(0, 10)});
  if (!who.empty()) f.push_back({"WhoId", who});
  if (!owner.empty()) f.push_back({"OwnerId", owner});
  return record;
}

}  // namespace

TEST_CASE("the rendered Task body is byte-identical to the listed fields' body, for tricky text", "[task]") {
  struct Case {
    std::string name;
    std::string subject;
    std::string body;
    std::string sent_at;
    std::string who;
    std::string owner;
    std::size_t limit;
  };
  std::string long_body;
  for (int i = 0; i < 17000; ++i) long_body += "\xc3\xa9";   // 34,000 bytes of é: cut at 32,000 code points
  const std::vector<Case> cases = {
      {"plain", "Hello", "Body", "2026-10-05T23:59:59Z", "003A", "005B", kDescriptionMaxChars},
      {"quotes and backslashes", "say \"hi\" \\ there", "C:\\path \"q\"", "2026-01-01T00:00:00Z", "003A", "005B",
       kDescriptionMaxChars},
      {"control characters", std::string("tab\tnul\0bel\x07", 12), "line\r\nnext\x1f\b\f", "2026-01-01T00:00:00Z",
       "003A", "005B", kDescriptionMaxChars},
      {"invalid UTF-8 replaced", "bad \xC3\x28 \xF8", "caf\xC3 \xED\xA0\x80 \xC0\xAF end", "2026-01-01T00:00:00Z",
       "003A", "005B", kDescriptionMaxChars},
      {"truncated on a code-point boundary", std::string(300, 's'), long_body, "2026-01-01T00:00:00Z", "003A", "",
       kDescriptionMaxChars},
      {"max_body_chars cuts inside multi-byte text", "\xf0\x9f\x93\x88 chart",
       "h\xc3\xa9llo \xf0\x9f\x98\x80 w\xc3\xb6rld", "2026-01-01T00:00:00Z", "003A", "005B", 7},
      {"no WhoId, no OwnerId, short sent_at", "", "", "2026", "", "", kDescriptionMaxChars},
      {"emoji at the subject limit", std::string(254, 'x') + "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", "b",
       "2026-01-01T00:00:00Z", "003A", "005B", 0},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Message m;
    m.subject = c.subject;
    m.body_text = c.body;
    m.sent_at = c.sent_at;
    const std::vector<salesforce::UpsertRecord> rendered = {
        BuildTaskRecord("<key \"1\"@x>", m, c.who, c.owner, c.limit), BuildTaskRecord("k2", m, c.who, c.owner, c.limit)};
    const std::vector<salesforce::UpsertRecord> listed = {
        ListedTaskReference("<key \"1\"@x>", m, c.who, c.owner, c.limit),
        ListedTaskReference("k2", m, c.who, c.owner, c.limit)};
    CHECK(rendered[0].fields.empty());
    for (const bool create_only : {true, false}) {
      CHECK(salesforce::BuildUpsertBody(kTaskSobject, kKeyField, rendered, create_only) ==
            salesforce::BuildUpsertBody(kTaskSobject, kKeyField, listed, create_only));
    }
  }
}

TEST_CASE("a rendered Task lists the same fields as the reference once materialized", "[task]") {
  Message m;
  m.subject = "q\"uote \xC3\x28";
  m.body_text = std::string("nul\0end", 7);
  m.sent_at = "2026-10-05T23:59:59Z";
  auto record = BuildTaskRecord("k", m, "003A", "005B");
  CHECK(salesforce::HasCreateOnlyField(record));
  REQUIRE(salesforce::MaterializeFields(record).ok());
  CHECK(record.rendered_fields.empty());
  CHECK(salesforce::HasCreateOnlyField(record));
  const auto reference = ListedTaskReference("k", m, "003A", "005B", kDescriptionMaxChars);
  REQUIRE(record.fields.size() == reference.fields.size());
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    INFO(reference.fields[i].name);
    CHECK(record.fields[i].name == reference.fields[i].name);
    CHECK(record.fields[i].create_only == reference.fields[i].create_only);
    CHECK_FALSE(record.fields[i].null);
    CHECK_FALSE(record.fields[i].literal);
    if (reference.fields[i].name == "Subject") {
      CHECK(record.fields[i].value == "q\"uote \xEF\xBF\xBD(");   // what Salesforce was sent
    } else {
      CHECK(record.fields[i].value == reference.fields[i].value);
    }
  }
}

TEST_CASE("TruncateCodePoints counts code points, with or without the short-text shortcut", "[task][text]") {
  CHECK(TruncateCodePoints("", 0).empty());
  CHECK(TruncateCodePoints("abc", 0).empty());
  CHECK(TruncateCodePoints("abc", 3) == "abc");          // as many bytes as the limit
  CHECK(TruncateCodePoints("abcd", 3) == "abc");
  CHECK(TruncateCodePoints("\xc3\xa9" "ab", 3) == "\xc3\xa9" "ab");   // 4 bytes, 3 code points
  CHECK(TruncateCodePoints("\xc3\xa9" "abc", 3) == "\xc3\xa9" "ab");
  CHECK(TruncateCodePoints("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 1) == "\xf0\x9f\x98\x80");
  CHECK(TruncateCodePoints("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 7) == "\xf0\x9f\x98\x80\xf0\x9f\x98\x80");
}

TEST_CASE("TruncateCodePoints matches a byte-by-byte count on long random text", "[task][text]") {
  // The reference: cut before the (limit + 1)-th byte that is not 10xxxxxx.
  const auto reference = [](std::string_view text, std::size_t limit) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
      if (seen == limit) return text.substr(0, i);
      ++seen;
    }
    return text;
  };
  // ASCII, 2-, 3- and 4-byte sequences, and stray continuation bytes.
  const std::vector<std::string> pieces = {"a", " ", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80", "\xbf"};
  std::uint32_t state = 12345;
  const auto next = [&state] { return state = state * 1664525u + 1013904223u; };
  for (int round = 0; round < 500; ++round) {
    std::string text;
    for (std::uint32_t n = next() % 120; n > 0; --n) text += pieces[next() % pieces.size()];
    for (std::size_t limit = 0; limit <= text.size() + 1; limit += 1 + next() % 7) {
      INFO("round " << round << " limit " << limit);
      REQUIRE(TruncateCodePoints(text, limit) == reference(text, limit));
    }
  }
}
