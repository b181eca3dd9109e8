#include <catch2/catch.hpp>
#include <simdjson.h>

#include "crmsync/salesforce/salesforce.hpp"

using crmsync::salesforce::BuildUpsertBody;
using crmsync::salesforce::Field;
using crmsync::salesforce::UpsertRecord;

namespace {

UpsertRecord Task(std::string key, std::vector<Field> fields) {
  return UpsertRecord{std::move(key), std::move(fields)};
}

// Reads records[0][field] back with a real JSON parser.
std::string RoundTrip(const std::string& body, const char* field) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(body).get(doc) == simdjson::SUCCESS);
  std::string_view value;
  REQUIRE(doc["records"].at(0)[field].get(value) == simdjson::SUCCESS);
  return std::string(value);
}

}  // namespace

TEST_CASE("upsert body layout", "[salesforce][upsert]") {
  const std::vector<UpsertRecord> records = {
      Task("k1", {{"Subject", "Hello", false, false},
                  {"TaskSubtype", "Email", false, true},
                  {"WhoId", "", true, false}}),
      Task("k2", {{"Subject", "Second", false, false}}),
  };
  CHECK(BuildUpsertBody("Task", "Crmsync_Key__c", records) ==
        R"({"allOrNone":false,"records":[)"
        R"({"attributes":{"type":"Task"},"Crmsync_Key__c":"k1","Subject":"Hello","TaskSubtype":"Email","WhoId":null},)"
        R"({"attributes":{"type":"Task"},"Crmsync_Key__c":"k2","Subject":"Second"}]})");
}

TEST_CASE("create-only fields are omitted when asked", "[salesforce][upsert]") {
  const std::vector<UpsertRecord> records = {
      Task("k1", {{"TaskSubtype", "Email", false, true}, {"Subject", "S", false, false}})};
  CHECK(BuildUpsertBody("Task", "Crmsync_Key__c", records, false) ==
        R"({"allOrNone":false,"records":[{"attributes":{"type":"Task"},"Crmsync_Key__c":"k1","Subject":"S"}]})");
}

TEST_CASE("an empty batch is still a valid body", "[salesforce][upsert]") {
  CHECK(BuildUpsertBody("Task", "Crmsync_Key__c", {}) == R"({"allOrNone":false,"records":[]})");
}

TEST_CASE("string escaping", "[salesforce][upsert]") {
  const auto body_with = [](std::string value) {
    return BuildUpsertBody("Task", "K", std::vector<UpsertRecord>{Task("k", {{"Description", value}})});
  };
  const auto escaped = [&](std::string value) {
    const std::string body = body_with(std::move(value));
    const std::string prefix = R"("Description":)";
    const std::size_t start = body.find(prefix) + prefix.size();
    return body.substr(start, body.size() - start - 3);  // drop "}]}"
  };
  CHECK(escaped("say \"hi\"") == R"("say \"hi\"")");
  CHECK(escaped("C:\\path") == R"("C:\\path")");
  CHECK(escaped("a\nb\r\tc") == R"("a\nb\r\tc")");
  CHECK(escaped(std::string("nul\0bel\x07", 8)) == R"("nul\u0000bel\u0007")");
  CHECK(escaped("\x1f\b\f") == R"("\u001f\b\f")");
  // Valid multi-byte UTF-8 (emoji, CJK) passes through unchanged.
  CHECK(escaped("ok \xF0\x9F\x98\x80 \xE6\x97\xA5") == "\"ok \xF0\x9F\x98\x80 \xE6\x97\xA5\"");
  // Invalid sequences become U+FFFD, one per maximal invalid subpart.
  CHECK(escaped("a\xFF" "b") == "\"a\xEF\xBF\xBD" "b\"");
  CHECK(escaped("caf\xC3") == "\"caf\xEF\xBF\xBD\"");               // truncated at the end
  CHECK(escaped("\xE6\x97" "x") == "\"\xEF\xBF\xBD" "x\"");          // 3-byte lead, 2 bytes only
  CHECK(escaped("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
  CHECK(escaped("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");      // overlong
  CHECK(escaped("\"\xFE\n") == "\"\\\"\xEF\xBF\xBD\\n\"");           // slow path still escapes
}

TEST_CASE("escaped bodies parse back to the original strings", "[salesforce][upsert]") {
  const std::string nasty = "q\"b\\s/n\n\x01 \xF0\x9F\x91\x8D end";
  const std::string body = BuildUpsertBody(
      "Task", "Crmsync_Key__c",
      std::vector<UpsertRecord>{Task("<id@x>", {{"Subject", nasty}, {"Field \"odd\"", "v"}})});
  CHECK(RoundTrip(body, "Subject") == nasty);
  CHECK(RoundTrip(body, "Crmsync_Key__c") == "<id@x>");
  CHECK(RoundTrip(body, "Field \"odd\"") == "v");
  // Invalid UTF-8 input still yields a document a strict parser accepts.
  const std::string repaired = BuildUpsertBody(
      "Task", "K", std::vector<UpsertRecord>{Task("k", {{"Subject", "bad \xC3\x28 \xF8"}})});
  CHECK(RoundTrip(repaired, "Subject") == "bad \xEF\xBF\xBD( \xEF\xBF\xBD");
}

TEST_CASE("rendered fields come after the external id, create-only ones dropped on request", "[salesforce][upsert]") {
  UpsertRecord record{"k1", {{"WhoId", "", true, false}}};
  crmsync::salesforce::AppendRenderedField(record.rendered_fields, "TaskSubtype", "Email");
  record.rendered_create_only_bytes = record.rendered_fields.size();
  crmsync::salesforce::AppendRenderedField(record.rendered_fields, "Subject", "say \"hi\"\n");
  const std::vector<UpsertRecord> records = {record};
  CHECK(BuildUpsertBody("Task", "K", records) ==
        R"({"allOrNone":false,"records":[{"attributes":{"type":"Task"},"K":"k1",)"
        R"("TaskSubtype":"Email","Subject":"say \"hi\"\n","WhoId":null}]})");
  CHECK(BuildUpsertBody("Task", "K", records, false) ==
        R"({"allOrNone":false,"records":[{"attributes":{"type":"Task"},"K":"k1","Subject":"say \"hi\"\n","WhoId":null}]})");
  CHECK(crmsync::salesforce::HasCreateOnlyField(record));
}

TEST_CASE("materializing rendered fields lists them first, with their kinds, and keeps the body", "[salesforce][upsert]") {
  UpsertRecord record{"k1", {{"Listed", "v"}}};
  record.rendered_fields = R"(,"Sub":"Email","Null":null,"Flag":true,"Count":12,"Text":"a\"b \u0001")";
  record.rendered_create_only_bytes = std::string(R"(,"Sub":"Email")").size();
  const std::string before = BuildUpsertBody("Task", "K", std::vector<UpsertRecord>{record});
  REQUIRE(crmsync::salesforce::MaterializeFields(record).ok());
  CHECK(record.rendered_fields.empty());
  CHECK(record.rendered_create_only_bytes == 0);
  REQUIRE(record.fields.size() == 6);
  CHECK(record.fields[0].name == "Sub");
  CHECK(record.fields[0].create_only);
  CHECK(record.fields[1].null);
  CHECK_FALSE(record.fields[1].create_only);
  CHECK(record.fields[2].literal);
  CHECK(record.fields[2].value == "true");
  CHECK(record.fields[3].value == "12");
  CHECK(record.fields[4].value == "a\"b \x01");
  CHECK(record.fields[5].name == "Listed");
  CHECK(BuildUpsertBody("Task", "K", std::vector<UpsertRecord>{record}) == before);
  CHECK(crmsync::salesforce::HasCreateOnlyField(record));
}

TEST_CASE("rendered fields that are not JSON are refused and the record left as it was", "[salesforce][upsert]") {
  UpsertRecord record{"k1", {}};
  record.rendered_fields = R"(,"Subject":"unterminated)";
  const auto status = crmsync::salesforce::MaterializeFields(record);
  CHECK_FALSE(status.ok());
  CHECK(record.rendered_fields == R"(,"Subject":"unterminated)");
  CHECK(record.fields.empty());
  record.rendered_fields = R"("Subject":"no comma")";
  CHECK_FALSE(crmsync::salesforce::MaterializeFields(record).ok());
  CHECK_FALSE(crmsync::salesforce::HasCreateOnlyField(record));
}
