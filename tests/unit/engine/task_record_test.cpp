#include <catch2/catch.hpp>

#include "crmsync/engine/task_record.hpp"
#include "crmsync/engine/text.hpp"

using namespace crmsync;
using namespace crmsync::engine;

namespace {
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
  auto r = BuildTaskRecord("key@x", m, "003A", "005B");
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
  auto r = BuildTaskRecord("k", m, "003A", "");
  CHECK(CountCodePoints(Find(r, "Description")->value) == kDescriptionMaxChars);
  CHECK(body.rfind(Find(r, "Description")->value, 0) == 0);
  CHECK(Find(r, "Subject")->value.size() == kSubjectMaxChars);
  CHECK(Find(r, "OwnerId") == nullptr);
  CHECK(TruncateCodePoints("\xc3\xa9\xc3\xa9", 1) == "\xc3\xa9");
}
