// sObject Collections upsert of Event on Crmsync_Key__c, fed by the engine's
// calendar record builders.
#include <array>

#include <catch2/catch.hpp>

#include "crmsync/engine/event_record.hpp"
#include "sim_fixture.hpp"

namespace crmsync::sim::testing {
namespace {

struct Outcome {
  bool success = false;
  bool created = false;
  std::string status_code;
  std::string field;
};

std::vector<Outcome> Results(const HttpResponse& r) {
  REQUIRE(r.status == 200);
  auto json = ParseJson(r.body);
  std::vector<Outcome> out;
  simdjson::dom::array elements = json->root.get_array().value();
  for (auto element : elements) {
    Outcome o;
    o.success = element["success"].get_bool().value();
    if (o.success) {
      o.created = element["created"].get_bool().value();
    } else {
      simdjson::dom::array errors = element["errors"].get_array().value();
      simdjson::dom::element error = errors.at(0).value();
      o.status_code = Str(error["statusCode"]);
      simdjson::dom::array fields = error["fields"].get_array().value();
      if (fields.size() > 0) o.field = Str(fields.at(0));
    }
    out.push_back(o);
  }
  return out;
}

std::string EventBody(std::span<const salesforce::UpsertRecord> records) {
  return salesforce::BuildUpsertBody(engine::kEventSobject, "Crmsync_Key__c", records);
}

Meeting SampleMeeting() {
  Meeting m;
  m.source_id = "EV1";
  m.ical_uid = "UID-1";
  m.subject = "Démo 🚀";
  m.location = "Room 1";
  m.start = "2026-05-01T10:00:00Z";
  m.end = "2026-05-01T11:00:00Z";
  return m;
}

const std::string kEventTarget = "Event/Crmsync_Key__c";

}  // namespace

TEST_CASE_METHOD(SimFixture, "Event upsert: the builders' records create, then update", "[sim][salesforce][event]") {
  const std::string token = Login(org1_);
  auto meeting = engine::BuildMeetingEventRecord(SampleMeeting(), org1_.contact_ids[0], org1_.user_ids[0]);
  REQUIRE(meeting.ok());
  auto busy = engine::BuildBusyEventRecord("user0@org1.example",
                                           BusySlot{"2026-05-01T12:00:00Z", "2026-05-01T13:00:00Z", "busy"},
                                           org1_.user_ids[0]);
  REQUIRE(busy.ok());
  std::array<salesforce::UpsertRecord, 2> records = {*meeting, *busy};
  auto first = Results(sim_.Handle(Upsert(EventBody(records), token, kEventTarget)));
  REQUIRE(first.size() == 2);
  CHECK(first[0].success);
  CHECK(first[0].created);
  CHECK(first[1].success);
  CHECK(first[1].created);

  Meeting cancelled = SampleMeeting();
  cancelled.cancelled = true;
  auto update = engine::BuildMeetingEventRecord(cancelled, org1_.contact_ids[0], org1_.user_ids[0]);
  REQUIRE(update.ok());
  std::array<salesforce::UpsertRecord, 1> again = {*update};
  auto second = Results(sim_.Handle(Upsert(EventBody(again), token, kEventTarget)));
  REQUIRE(second.size() == 1);
  CHECK(second[0].success);
  CHECK_FALSE(second[0].created);   // same iCalUId: the same record

  // Events are not Tasks: the mail ground truth store stays empty.
  std::size_t tasks = 0;
  for (const auto& [org, by_key] : sim_.TasksByKey()) tasks += by_key.size();
  CHECK(tasks == 0);
}

TEST_CASE_METHOD(SimFixture, "Event upsert: field validation", "[sim][salesforce][event]") {
  const std::string token = Login(org1_);
  auto body = [](const std::string& fields) {
    return R"({"allOrNone":false,"records":[{"attributes":{"type":"Event"},"Crmsync_Key__c":"k1",)" + fields + "}]}";
  };
  const std::string times = R"("StartDateTime":"2026-05-01T10:00:00Z","EndDateTime":"2026-05-01T11:00:00Z")";
  struct Case {
    std::string fields, code, field;
  };
  const std::vector<Case> cases = {
      {times + R"(,"Subject":")" + std::string(256, 'x') + "\"", "STRING_TOO_LONG", "Subject"},
      {times + R"(,"Location":")" + std::string(256, 'x') + "\"", "STRING_TOO_LONG", "Location"},
      {times + R"(,"ShowAs":"Sleeping")", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "ShowAs"},
      {times + R"(,"Bogus__c":"1")", "INVALID_FIELD", "Bogus__c"},
      {times + R"(,"IsAllDayEvent":"yes")", "INVALID_TYPE_ON_FIELD_IN_RECORD", "IsAllDayEvent"},
      {times + R"(,"WhoId":"003000000000000AAA")", "INVALID_CROSS_REFERENCE_KEY", "WhoId"},
      {R"("StartDateTime":"2026-05-01 10:00","EndDateTime":"2026-05-01T11:00:00Z")", "INVALID_TYPE_ON_FIELD_IN_RECORD",
       "StartDateTime"},
      {R"("StartDateTime":"2026-05-01T10:00:00Z")", "REQUIRED_FIELD_MISSING", "StartDateTime"},
      {R"("StartDateTime":"2026-05-01T12:00:00Z","EndDateTime":"2026-05-01T11:00:00Z")", "FIELD_INTEGRITY_EXCEPTION",
       "EndDateTime"},
  };
  for (const Case& c : cases) {
    INFO(c.fields);
    auto outcomes = Results(sim_.Handle(Upsert(body(c.fields), token, kEventTarget)));
    REQUIRE(outcomes.size() == 1);
    CHECK_FALSE(outcomes[0].success);
    CHECK(outcomes[0].status_code == c.code);
    CHECK(outcomes[0].field == c.field);
  }
  // A valid one still goes through after all those failures.
  auto ok = Results(sim_.Handle(Upsert(body(times + R"(,"ShowAs":"Busy","IsAllDayEvent":false)"), token, kEventTarget)));
  CHECK(ok[0].success);
  CHECK(sim_.Handle(Upsert("{\"records\":[", token, kEventTarget)).status == 400);
  CHECK(sim_.Handle(Upsert(body(times), token, "Event/Subject")).status == 404);
}

TEST_CASE_METHOD(SimFixture, "Event upsert: allOrNone rolls back every record", "[sim][salesforce][event]") {
  const std::string token = Login(org1_);
  const std::string body =
      R"({"allOrNone":true,"records":[)"
      R"({"attributes":{"type":"Event"},"Crmsync_Key__c":"a","StartDateTime":"2026-05-01T10:00:00Z","EndDateTime":"2026-05-01T11:00:00Z"},)"
      R"({"attributes":{"type":"Event"},"Crmsync_Key__c":"b","StartDateTime":"2026-05-01T10:00:00Z"}]})";
  auto outcomes = Results(sim_.Handle(Upsert(body, token, kEventTarget)));
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].status_code == "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  CHECK(outcomes[1].status_code == "REQUIRED_FIELD_MISSING");
  // Nothing was created: "a" is created now.
  const std::string single =
      R"({"allOrNone":false,"records":[{"attributes":{"type":"Event"},"Crmsync_Key__c":"a","StartDateTime":"2026-05-01T10:00:00Z","EndDateTime":"2026-05-01T11:00:00Z"}]})";
  auto created = Results(sim_.Handle(Upsert(single, token, kEventTarget)));
  CHECK(created[0].created);
}

}  // namespace crmsync::sim::testing
