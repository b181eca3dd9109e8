// The record kept with a quarantine entry: round trip, and bad input refused.
#include "crmsync/engine/quarantine.hpp"

#include <catch2/catch.hpp>

namespace crmsync::engine {
namespace {

TEST_CASE("quarantined record: every field and child survives the round trip", "[engine][quarantine]") {
  salesforce::UpsertRecord record;
  record.external_id = "<a\"b@x>";
  record.fields = {{"Subject", "Hé \"quoted\"\n\ttab \x01", false, false, false},
                   {"WhoId", "", true, false, false},
                   {"TaskSubtype", "Email", false, true, false},
                   {"IsReminderSet", "false", false, false, true}};
  record.children = {salesforce::ChildRecord{"EmailMessageRelation", "k-1", "EmailMessageId",
                                             {{"RelationType", "ToAddress", false, false, false}}}};
  auto decoded = DecodeQuarantinedRecord(EncodeQuarantinedRecord(record));
  REQUIRE(decoded.ok());
  const auto& r = decoded.value();
  CHECK(r.external_id == record.external_id);
  REQUIRE(r.fields.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(r.fields[i].name == record.fields[i].name);
    CHECK(r.fields[i].value == record.fields[i].value);
    CHECK(r.fields[i].null == record.fields[i].null);
    CHECK(r.fields[i].create_only == record.fields[i].create_only);
    CHECK(r.fields[i].literal == record.fields[i].literal);
  }
  REQUIRE(r.children.size() == 1);
  CHECK(r.children[0].parent_field == "EmailMessageId");
  CHECK(r.children[0].fields[0].value == "ToAddress");
}

TEST_CASE("quarantined record: invalid UTF-8 is kept as U+FFFD, bad input is refused", "[engine][quarantine]") {
  salesforce::UpsertRecord record;
  record.external_id = "k";
  record.fields = {{"Description", "ok \xff\xfe end", false, false, false}};
  auto decoded = DecodeQuarantinedRecord(EncodeQuarantinedRecord(record));
  REQUIRE(decoded.ok());
  CHECK(decoded.value().fields[0].value == "ok \xEF\xBF\xBD\xEF\xBF\xBD end");

  const std::string good = EncodeQuarantinedRecord(record);
  for (const std::string& bad : {std::string(), good.substr(0, good.size() / 2), std::string("[]"),
                                std::string(R"({"external_id":"","fields":[],"children":[]})"),
                                std::string(R"({"external_id":"k","fields":[{"name":"a"}],"children":[]})"),
                                std::string("{\"external_id\":\"\xff\"}")}) {
    INFO(bad);
    auto result = DecodeQuarantinedRecord(bad);
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().code() == StatusCode::kCorruption);
    CHECK(result.status().message().find("quarantined record") != std::string::npos);
  }
}

}  // namespace
}  // namespace crmsync::engine
