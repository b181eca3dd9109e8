// sObject Collections upsert of Task on Crmsync_Key__c.
#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>

#include <catch2/catch.hpp>

#include "sim_fixture.hpp"
#include "test_hooks.hpp"

namespace crmsync::sim::testing {
namespace {

std::string TaskJson(const std::string& key, const std::string& extra = R"("Subject":"Hello")") {
  return R"({"attributes":{"type":"Task"},"Crmsync_Key__c":")" + key + "\"" +
         (extra.empty() ? "" : "," + extra) + "}";
}

std::string Body(const std::vector<std::string>& records, bool all_or_none = false) {
  std::string body = std::string(R"({"allOrNone":)") + (all_or_none ? "true" : "false") + R"(,"records":[)";
  for (std::size_t i = 0; i < records.size(); ++i) body += (i ? "," : "") + records[i];
  return body + "]}";
}

struct Outcome {
  bool success = false;
  bool created = false;
  std::string id;
  std::string status_code;   // first error
  std::string message;
  std::string field;         // first field of the first error
};

std::vector<Outcome> Results(const HttpResponse& r) {
  REQUIRE(r.status == 200);
  auto json = ParseJson(r.body);
  std::vector<Outcome> out;
  simdjson::dom::array elements = json->root.get_array().value();
  for (auto element : elements) {
    Outcome o;
    o.success = element["success"].get_bool().value();
    simdjson::dom::array errors = element["errors"].get_array().value();
    if (o.success) {
      o.created = element["created"].get_bool().value();
      o.id = Str(element["id"]);
      CHECK(errors.size() == 0);
    } else {
      REQUIRE(errors.size() >= 1);
      o.status_code = Str(errors.at(0)["statusCode"]);
      o.message = Str(errors.at(0)["message"]);
      auto fields = errors.at(0)["fields"].get_array().value();
      if (fields.size() > 0) o.field = Str(fields.at(0));
    }
    out.push_back(o);
  }
  return out;
}

std::string RestErrorCode(const HttpResponse& r) {
  return Str(ParseJson(r.body)->root.at(0)["errorCode"]);
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce upsert: create, then update the same key in any case", "[sim_salesforce]") {
  std::string token = Login(org1_);
  std::string who = org1_.contact_ids[0];
  auto created = Results(sim_.Handle(Upsert(
      Body({TaskJson("msg-1@x", R"("Subject":"First","WhoId":")" + who + R"(","TaskSubtype":"Email","Status":"Completed","ActivityDate":"2026-02-28")")}),
      token)));
  REQUIRE(created.size() == 1);
  REQUIRE(created[0].success);
  CHECK(created[0].created);
  CHECK(created[0].id.rfind("00T", 0) == 0);
  CHECK(created[0].id.size() == 18);

  auto updated = Results(sim_.Handle(Upsert(
      Body({TaskJson("MSG-1@X", R"("Subject":"Second","Description":null)")}), token)));
  REQUIRE(updated[0].success);
  CHECK_FALSE(updated[0].created);
  CHECK(updated[0].id == created[0].id);

  auto tasks = sim_.TasksByKey();
  REQUIRE(tasks["tenant-1"].size() == 1);
  const auto& stored = tasks["tenant-1"].begin()->second;
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].id == created[0].id);
  CHECK(stored[0].fields.at("Subject") == "Second");
  CHECK(stored[0].fields.at("WhoId") == who);
  CHECK(stored[0].fields.at("TaskSubtype") == "Email");
  CHECK(stored[0].fields.count("Description") == 0);
  CHECK(sim_.counters().records_created == 1);
  CHECK(sim_.counters().records_updated == 1);
  CHECK(sim_.counters().records_failed == 0);
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce upsert: more than 200 records refuse the whole request", "[sim_salesforce]") {
  std::string token = Login(org1_);
  std::vector<std::string> records;
  for (int i = 0; i < 201; ++i) records.push_back(TaskJson("k" + std::to_string(i)));
  HttpResponse r = sim_.Handle(Upsert(Body(records), token));
  REQUIRE(r.status == 400);
  auto json = ParseJson(r.body);
  CHECK(Str(json->root.at(0)["errorCode"]) == "EXCEEDED_ID_LIMIT");
  CHECK(Str(json->root.at(0)["message"]) == "Maximum number of records allowed is 200");
  CHECK(sim_.TasksByKey()["tenant-1"].empty());

  records.pop_back();
  auto ok = Results(sim_.Handle(Upsert(Body(records), token)));
  CHECK(ok.size() == 200);
  CHECK(sim_.TasksByKey()["tenant-1"].size() == 200);
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce upsert: the same key twice in a request fails both", "[sim_salesforce]") {
  std::string token = Login(org1_);
  auto results = Results(sim_.Handle(Upsert(Body({TaskJson("dup"), TaskJson("other"), TaskJson("DUP")}), token)));
  REQUIRE(results.size() == 3);
  CHECK(results[0].status_code == "DUPLICATE_EXTERNAL_ID");
  CHECK(results[0].message == "Duplicate external id specified: dup");
  CHECK(results[1].success);
  CHECK(results[2].status_code == "DUPLICATE_EXTERNAL_ID");
  CHECK(results[2].message == "Duplicate external id specified: DUP");
  auto tasks = sim_.TasksByKey()["tenant-1"];
  CHECK(tasks.size() == 1);
  CHECK(tasks.count("other") == 1);
  CHECK(sim_.counters().records_failed == 2);
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce upsert: per-record validation like Salesforce", "[sim_salesforce]") {
  std::string token = Login(org1_);
  std::string too_long(256, 'a');
  std::string accented_255;
  for (int i = 0; i < 255; ++i) accented_255 += "\xC3\xA9";   // é: 2 bytes, 1 code point
  std::string accented_256 = accented_255 + "\xC3\xA9";
  auto results = Results(sim_.Handle(Upsert(
      Body({
          TaskJson("a", R"("Foo__c":"x")"),                                 // 0
          TaskJson("b", "\"Subject\":\"" + accented_255 + "\""),            // 1 ok: 255 code points
          TaskJson("c", "\"Subject\":\"" + accented_256 + "\""),            // 2
          TaskJson("d", R"("ActivityDate":"2026-02-30")"),                  // 3
          TaskJson("e", R"("Status":"Done")"),                              // 4
          TaskJson("f", R"("Priority":"Urgent")"),                          // 5
          R"({"Crmsync_Key__c":"g"})",                                      // 6
          R"({"attributes":{"type":"Event"},"Crmsync_Key__c":"h"})",        // 7
          R"({"attributes":{"type":"Task"},"Id":"00T000000000001AAA","Crmsync_Key__c":"i"})",   // 8
          R"({"attributes":{"type":"Task"},"Subject":"no key"})",           // 9
          TaskJson(""),                                                     // 10
          TaskJson(too_long),                                               // 11
          TaskJson("l", R"("Subject":42)"),                                 // 12
          TaskJson("m", R"("TaskSubtype":"Fax")"),                          // 13
          TaskJson("n", std::string(R"("Description":")") + std::string(32001, 'd') + "\""),   // 14
          TaskJson("o", R"("ActivityDate":"2024-02-29","Type":"Email","Priority":"High")"),    // 15 ok
      }),
      token)));
  REQUIRE(results.size() == 16);
  CHECK(results[0].status_code == "INVALID_FIELD");
  CHECK(results[0].message == "No such column 'Foo__c' on sobject of type Task");
  CHECK(results[1].success);
  CHECK(results[2].status_code == "STRING_TOO_LONG");
  CHECK(results[2].field == "Subject");
  CHECK_THAT(results[2].message, Catch::Contains("Subject"));
  CHECK(results[3].status_code == "INVALID_TYPE_ON_FIELD_IN_RECORD");
  CHECK(results[3].field == "ActivityDate");
  CHECK(results[4].status_code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  CHECK(results[4].field == "Status");
  CHECK(results[5].status_code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  CHECK(results[6].status_code == "INVALID_TYPE");
  CHECK(results[7].status_code == "INVALID_TYPE");
  CHECK(results[8].status_code == "INVALID_FIELD");
  CHECK(results[8].field == "Id");
  CHECK(results[9].status_code == "MISSING_ARGUMENT");
  CHECK(results[10].status_code == "MISSING_ARGUMENT");
  CHECK(results[11].status_code == "STRING_TOO_LONG");
  CHECK(results[11].field == "Crmsync_Key__c");
  CHECK(results[12].status_code == "INVALID_TYPE_ON_FIELD_IN_RECORD");
  CHECK(results[13].status_code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  CHECK(results[14].status_code == "STRING_TOO_LONG");
  CHECK(results[14].field == "Description");
  CHECK(results[15].success);
  CHECK(sim_.TasksByKey()["tenant-1"].size() == 2);
  CHECK(sim_.counters().records_failed == 14);
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce upsert: WhoId and OwnerId must be records of this org", "[sim_salesforce]") {
  std::string token = Login(org1_);
  std::string unknown_contact = sf::MakeSalesforceId("003", 77, 12345);
  std::string bad_suffix = org1_.contact_ids[1].substr(0, 15) + "ZZZ";
  auto results = Results(sim_.Handle(Upsert(
      Body({
          TaskJson("w1", R"("WhoId":"not-an-id")"),
          TaskJson("w2", R"("WhoId":")" + unknown_contact + "\""),
          TaskJson("w3", R"("WhoId":")" + org2_.contact_ids[1] + "\""),   // another org's contact
          TaskJson("w4", R"("WhoId":")" + org1_.user_ids[0] + "\""),      // a User is not a Who
          TaskJson("w5", R"("WhoId":")" + org1_.lead_ids[1] + R"(","OwnerId":")" + org1_.user_ids[1] + "\""),
          TaskJson("w6", R"("WhoId":")" + org1_.contact_ids[1].substr(0, 15) + "\""),   // 15-char form
          TaskJson("w7", R"("OwnerId":")" + org1_.contact_ids[0] + "\""),
          TaskJson("w8", R"("OwnerId":")" + org1_.setup.integration_user_id + "\""),
          TaskJson("w9", R"("WhoId":")" + bad_suffix + "\""),
      }),
      token)));
  CHECK(results[0].status_code == "MALFORMED_ID");
  CHECK(results[0].field == "WhoId");
  CHECK(results[1].status_code == "INVALID_CROSS_REFERENCE_KEY");
  CHECK(results[2].status_code == "INVALID_CROSS_REFERENCE_KEY");
  CHECK(results[3].status_code == "INVALID_CROSS_REFERENCE_KEY");
  CHECK(results[4].success);
  CHECK(results[5].success);
  CHECK(results[6].status_code == "INVALID_CROSS_REFERENCE_KEY");
  CHECK(results[6].field == "OwnerId");
  CHECK(results[7].success);
  CHECK(results[8].status_code == "MALFORMED_ID");
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce upsert: TaskSubtype only on create", "[sim_salesforce]") {
  std::string token = Login(org1_);
  REQUIRE(Results(sim_.Handle(Upsert(Body({TaskJson("t1", R"("Subject":"Hello","TaskSubtype":"Email")")}), token)))[0].success);
  auto update = Results(sim_.Handle(Upsert(Body({TaskJson("t1", R"("Subject":"x","TaskSubtype":"Email")")}), token)));
  CHECK(update[0].status_code == "INVALID_FIELD_FOR_INSERT_UPDATE");
  CHECK(update[0].message ==
        "Unable to create/update fields: TaskSubtype. Please check the security settings of this field and "
        "verify that it is read/write for your profile or permission set.");
  CHECK(update[0].field == "TaskSubtype");
  CHECK(sim_.TasksByKey()["tenant-1"]["t1"][0].fields.at("Subject") == "Hello");
  // Without the create-only field, the update goes through.
  CHECK(Results(sim_.Handle(Upsert(Body({TaskJson("t1", R"("Subject":"x")")}), token)))[0].success);
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce upsert: allOrNone rolls everything back on one failure", "[sim_salesforce]") {
  std::string token = Login(org1_);
  REQUIRE(Results(sim_.Handle(Upsert(Body({TaskJson("existing")}), token)))[0].success);
  auto results = Results(sim_.Handle(Upsert(
      Body({TaskJson("new-1"), TaskJson("existing", R"("Subject":"changed")"), TaskJson("bad", R"("Nope":1)")},
           true),
      token)));
  REQUIRE(results.size() == 3);
  CHECK(results[0].status_code == "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  CHECK(results[1].status_code == "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  CHECK(results[2].status_code == "INVALID_FIELD");
  auto tasks = sim_.TasksByKey()["tenant-1"];
  CHECK(tasks.size() == 1);
  CHECK(tasks["existing"][0].fields.at("Subject") == "Hello");
  // allOrNone:false keeps the valid ones.
  auto partial = Results(sim_.Handle(Upsert(Body({TaskJson("new-1"), TaskJson("bad", R"("Nope":1)")}), token)));
  CHECK(partial[0].success);
  CHECK(partial[0].created);   // the rolled-back create left no record and no create in flight
  CHECK_FALSE(partial[1].success);
  CHECK(SalesforceSimTestAccess::RaceCreates(sim_, org1_.setup.org_id) == 0);
  CHECK(sim_.TasksByKey()["tenant-1"]["new-1"].size() == 1);
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce upsert: request-level refusals", "[sim_salesforce]") {
  std::string token = Login(org1_);
  auto code = [&](const std::string& body, const std::string& target = "Task/Crmsync_Key__c") {
    HttpResponse r = sim_.Handle(Upsert(body, token, target));
    return std::to_string(r.status) + " " + RestErrorCode(r);
  };
  CHECK(code("{\"records\":[") == "400 JSON_PARSER_ERROR");
  CHECK(code("") == "400 JSON_PARSER_ERROR");
  CHECK(code("{\"records\":[]} x") == "400 JSON_PARSER_ERROR");
  CHECK(code(Body({TaskJson("k", "\"Subject\":\"bad \xC3\x28 utf8\"")})) == "400 JSON_PARSER_ERROR");
  CHECK(code(Body({TaskJson("k", R"("Subject":"lone \ud800 surrogate")")})) == "400 JSON_PARSER_ERROR");
  CHECK(code(Body({TaskJson("k", R"("Subject":{"nested":1})")})) == "400 JSON_PARSER_ERROR");
  CHECK(code(Body({TaskJson("k", R"("Subject":tru)")})) == "400 JSON_PARSER_ERROR");
  CHECK(code(R"({"records":[{"attributes":{"type":"Task"},"Crmsync_Key__c":"k","Subject":"a","subject":"b"}]})") ==
        "400 JSON_PARSER_ERROR");
  CHECK(code(R"({"records":{}})") == "400 JSON_PARSER_ERROR");
  CHECK(code(R"({"records":[], "extra":1})") == "400 JSON_PARSER_ERROR");
  CHECK(code(R"({"allOrNone":"yes","records":[]})") == "400 JSON_PARSER_ERROR");
  CHECK(code(R"({"allOrNone":false})") == "400 INVALID_FIELD");
  CHECK(code(Body({TaskJson("k")}), "Contact/Crmsync_Key__c") == "404 NOT_FOUND");
  CHECK(code(Body({TaskJson("k")}), "Task/Subject") == "400 INVALID_FIELD");
  CHECK(code(Body({TaskJson("k")}), "Task/Other_Key__c") == "404 NOT_FOUND");
  CHECK(sim_.TasksByKey()["tenant-1"].empty());
  // An empty collection is a valid, empty answer.
  HttpResponse empty = sim_.Handle(Upsert(R"({"records":[]})", token));
  CHECK(empty.status == 200);
  CHECK(empty.body == "[]");
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce upsert: a key of org A is invisible to org B", "[sim_salesforce]") {
  std::string token1 = Login(org1_);
  std::string token2 = Login(org2_);
  auto a = Results(sim_.Handle(Upsert(Body({TaskJson("shared-key", R"("Subject":"A")")}), token1)));
  auto b = Results(sim_.Handle(Upsert(Body({TaskJson("shared-key", R"("Subject":"B")")}), token2)));
  CHECK(a[0].created);
  CHECK(b[0].created);
  CHECK(a[0].id != b[0].id);
  auto tasks = sim_.TasksByKey();
  REQUIRE(tasks["tenant-1"]["shared-key"].size() == 1);
  REQUIRE(tasks["tenant-2"]["shared-key"].size() == 1);
  CHECK(tasks["tenant-1"]["shared-key"][0].fields.at("Subject") == "A");
  CHECK(tasks["tenant-2"]["shared-key"][0].fields.at("Subject") == "B");
  // Org 2 cannot reference org 1's contact either (checked above), nor update org 1's record.
  auto again = Results(sim_.Handle(Upsert(Body({TaskJson("shared-key", R"("Subject":"B2")")}), token2)));
  CHECK_FALSE(again[0].created);
  CHECK(sim_.TasksByKey()["tenant-1"]["shared-key"][0].fields.at("Subject") == "A");
}

TEST_CASE_METHOD(SimFixture, "sim_salesforce upsert: two in-flight requests creating one new key both create",
                 "[sim_salesforce]") {
  std::string token = Login(org1_);
  // Each request waits in the hook (after deciding, lock released) until
  // both have decided; a server that held the org lock across the whole
  // request would let only one decide and the wait would time out.
  std::mutex mu;
  std::condition_variable cv;
  int decided = 0;
  bool both_in_flight = true;
  SalesforceSimTestAccess::SetUpsertDecidedHook(sim_, [&](const std::string&) {
    std::unique_lock lock(mu);
    ++decided;
    cv.notify_all();
    if (!cv.wait_for(lock, std::chrono::seconds(5), [&] { return decided >= 2; })) both_in_flight = false;
  });
  auto send = [&] { return sim_.Handle(Upsert(Body({TaskJson("race-key")}), token)); };
  auto first = std::async(std::launch::async, send);
  auto second = std::async(std::launch::async, send);
  REQUIRE(first.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  REQUIRE(second.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  SalesforceSimTestAccess::SetUpsertDecidedHook(sim_, nullptr);
  CHECK(both_in_flight);
  auto r1 = Results(first.get());
  auto r2 = Results(second.get());
  CHECK(r1[0].created);
  CHECK(r2[0].created);
  CHECK(r1[0].id != r2[0].id);
  CHECK(sim_.TasksByKey()["tenant-1"]["race-key"].size() == 2);
  CHECK(sim_.TaskCount() == 2);
  CHECK(SalesforceSimTestAccess::RaceCreates(sim_, org1_.setup.org_id) == 1);
  // From then on the key is ambiguous, as on a real org.
  auto after = Results(sim_.Handle(Upsert(Body({TaskJson("race-key")}), token)));
  CHECK(after[0].status_code == "DUPLICATE_EXTERNAL_ID");
  // Both records, in creation order (ids are given in that order).
  const auto [older, newer] = std::minmax(r1[0].id, r2[0].id);
  CHECK(after[0].message ==
        "Crmsync_Key__c: more than one record found for external id field: [" + older + ", " + newer + "]");
}

}  // namespace
TEST_CASE_METHOD(SimFixture, "sim_salesforce per-user tokens: act as their user, one user revoked, other tenants refused",
                 "[sim_salesforce]") {
  const std::string ann = sim_.ReissueUserRefreshToken("tenant-1", "USER0@org1.example");
  const std::string bob = sim_.ReissueUserRefreshToken("tenant-1", "user1@org1.example");
  REQUIRE_FALSE(ann.empty());
  REQUIRE_FALSE(bob.empty());
  CHECK(sim_.ReissueUserRefreshToken("tenant-1", "nobody@org1.example").empty());   // no such Salesforce User
  auto login = [&](const OrgFixture& org, const std::string& refresh) {
    return sim_.Handle(TokenRequest(org.setup.client_id, org.setup.client_secret, refresh));
  };
  HttpResponse granted = login(org1_, ann);
  REQUIRE(granted.status == 200);
  CHECK(Str(ParseJson(granted.body)->root["id"]) ==
        std::string(kOrigin) + "/id/" + org1_.setup.org_id + "/" + org1_.user_ids[0]);
  const std::string token = Str(ParseJson(granted.body)->root["access_token"]);

  // Own Task: written; another user's: refused and counted.
  auto results = Results(sim_.Handle(Upsert(
      Body({TaskJson("own", R"("OwnerId":")" + org1_.user_ids[0] + "\""),
            TaskJson("theirs", R"("OwnerId":")" + org1_.user_ids[1] + "\""), TaskJson("unowned")}),
      token)));
  REQUIRE(results.size() == 3);
  CHECK(results[0].success);
  CHECK_FALSE(results[1].success);
  CHECK(results[1].status_code == "INSUFFICIENT_ACCESS_OR_READONLY");
  CHECK(results[2].success);
  CHECK(sim_.OwnerViolations() == 1);
  // The service account may own anyone's Task.
  auto service = Results(sim_.Handle(Upsert(Body({TaskJson("theirs", R"("OwnerId":")" + org1_.user_ids[1] + "\"")}),
                                            Login(org1_))));
  CHECK(service[0].success);
  CHECK(sim_.OwnerViolations() == 1);

  // A user token presented to another tenant's org: refused, an isolation violation.
  std::vector<std::string> victims;
  sim_.SetForeignReferenceHook([&victims](const std::string& tenant) { victims.push_back(tenant); });
  HttpResponse foreign = login(org2_, ann);
  CHECK(foreign.status == 400);
  CHECK(Str(ParseJson(foreign.body)->root["error"]) == "invalid_grant");
  CHECK(victims == std::vector<std::string>{"tenant-2"});

  // Revoking one user: their session and token stop, the other user's work.
  REQUIRE(sim_.RevokeUserRefreshToken("tenant-1", "user0@org1.example"));
  CHECK(sim_.Handle(Upsert(Body({TaskJson("own")}), token)).status == 401);
  HttpResponse revoked = login(org1_, ann);
  CHECK(revoked.status == 400);
  CHECK(Str(ParseJson(revoked.body)->root["error"]) == "invalid_grant");
  CHECK(login(org1_, bob).status == 200);
  CHECK(login(org1_, org1_.setup.refresh_token).status == 200);
  const auto grants = sim_.UserTokenGrants("tenant-1");
  // A revoked token names no user any more: its refusal counts for the org only.
  CHECK(grants.at("user0@org1.example") == 1);
  CHECK(grants.at("user1@org1.example") == 1);
  CHECK(victims.size() == 1);
}

// The server reads bodies with room for simdjson's padding and the upsert
// parses them in place; a body without that room is copied. Both read alike,
// and a body cut short or malformed is refused either way.
TEST_CASE_METHOD(SimFixture, "sim_salesforce upsert: a body with read-ahead room parses in place like a copied one",
                 "[sim_salesforce]") {
  std::string token = Login(org1_);
  const std::string who = org1_.contact_ids[0];
  const std::string subject = R"("Subject":"Caf\u00e9 \"quoted\"","WhoId":")" + who + "\"";
  const std::string description = R"("Subject":"Second","Description":"line\r\nline")";
  const std::string body = Body({TaskJson("inplace-1", subject), TaskJson("inplace-2", description)});
  HttpRequest roomy = Upsert(body, token);
  roomy.body.reserve(body.size() + 4096);
  HttpRequest tight = Upsert(Body({TaskJson("inplace-3", subject), TaskJson("inplace-4", description)}), token);
  tight.body.shrink_to_fit();
  REQUIRE(roomy.body.capacity() >= roomy.body.size() + 64);
  REQUIRE(tight.body.capacity() < tight.body.size() + 64);
  auto a = Results(sim_.Handle(roomy));
  auto b = Results(sim_.Handle(tight));
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(a[i].success);
    CHECK(b[i].success);
  }
  auto tasks = sim_.TasksByKey();
  const auto& stored = tasks["tenant-1"];
  REQUIRE(stored.count("inplace-1") == 1);
  REQUIRE(stored.count("inplace-3") == 1);
  CHECK(stored.at("inplace-1")[0].fields.at("Subject") == "Caf\xc3\xa9 \"quoted\"");
  CHECK(stored.at("inplace-1")[0].fields.at("Subject") == stored.at("inplace-3")[0].fields.at("Subject"));
  CHECK(stored.at("inplace-2")[0].fields.at("Description") == "line\r\nline");

  // Cut short inside a string, with spare capacity behind it: still refused.
  HttpRequest cut = Upsert(body.substr(0, body.size() / 2), token);
  cut.body.reserve(body.size() + 4096);
  HttpResponse refused = sim_.Handle(cut);
  CHECK(refused.status == 400);
  CHECK(RestErrorCode(refused) == "JSON_PARSER_ERROR");
}

}  // namespace crmsync::sim::testing
