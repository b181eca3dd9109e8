// unknown_person = "create_lead": the Lead records, their keys, which
// addresses qualify, and the creator's exactly-once bookkeeping (one request
// per address in flight, the cache taught before a page goes on, refusals
// blocking the pages that need the Lead).
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "crmsync/engine/lead_creator.hpp"
#include "crmsync/engine/text.hpp"

using namespace crmsync;
using namespace crmsync::engine;

namespace {

std::map<std::string, std::string> Fields(const salesforce::UpsertRecord& record) {
  std::map<std::string, std::string> out;
  for (const auto& f : record.fields) out[f.name] = f.value;
  return out;
}

// Upserts are held until the test answers them.
struct Held {
  std::vector<salesforce::UpsertRecord> records;
  LeadCreator::UpsertDone done;
};

struct Fixture {
  std::vector<Held> held;
  std::map<std::string, std::string> learnt;
  LeadCreator creator{"acme",
                      [this](std::vector<salesforce::UpsertRecord> records, LeadCreator::UpsertDone done) {
                        held.push_back(Held{std::move(records), std::move(done)});
                      },
                      [this](const std::string& address, const std::string& id) { learnt[address] = id; }};

  // Answers held request `i`: every record succeeds (created) unless listed in `refuse`.
  void Answer(std::size_t i, const std::vector<std::string>& refuse = {}) {
    std::vector<salesforce::UpsertOutcome> outcomes;
    int n = 0;
    for (const auto& r : held[i].records) {
      const std::string email = Fields(r).at("Email");
      salesforce::UpsertOutcome o;
      if (std::find(refuse.begin(), refuse.end(), email) != refuse.end()) {
        o.error_code = "FIELD_CUSTOM_VALIDATION_EXCEPTION";
        o.error_message = "Company looks wrong";
      } else {
        o.success = true;
        o.created = true;
        o.id = "00Q00000000000" + std::to_string(1000 + n++);
      }
      outcomes.push_back(o);
    }
    held[i].done(std::move(outcomes));
  }
};

}  // namespace

TEST_CASE("a Lead record takes its names from the display name, its company from the domain", "[create_lead]") {
  struct Row {
    NewLead lead;
    std::string first, last, company;
  };
  const std::vector<Row> rows = {
      {{"jane.doe@acme-1.example", "Jane Doe"}, "Jane", "Doe", "acme-1.example"},
      {{"jane.doe@acme-1.example", "\"Mary Ann Smith\""}, "Mary Ann", "Smith", "acme-1.example"},
      {{"Zoe@Shop.Example", "Zoë"}, "", "Zoë", "shop.example"},
      {{"bob@x.example", ""}, "", "bob", "x.example"},
      {{"bob@x.example", "bob@x.example"}, "", "bob", "x.example"},   // a name that is only the address
      {{"o@x.example", "  "}, "", "o", "x.example"},
  };
  for (const auto& row : rows) {
    INFO(row.lead.address << " / " << row.lead.name);
    const auto record = BuildLeadRecord(row.lead);
    auto f = Fields(record);
    CHECK(f["LastName"] == row.last);
    CHECK(f.count("FirstName") == (row.first.empty() ? 0u : 1u));
    if (!row.first.empty()) CHECK(f["FirstName"] == row.first);
    CHECK(f["Company"] == row.company);
    CHECK(f["Email"] == AsciiLower(row.lead.address));
    CHECK(f["LeadSource"] == kLeadSource);
    CHECK(record.external_id == "lead:" + AsciiLower(row.lead.address));
  }
  // Long names are cut to the field lengths, at a character boundary.
  const auto long_name = BuildLeadRecord({"x@y.example", std::string(100, 'a') + " " + std::string(100, 'b')});
  CHECK(Fields(long_name)["LastName"].size() == kLeadLastNameMaxChars);
  CHECK(Fields(long_name)["FirstName"].size() == kLeadFirstNameMaxChars);
}

TEST_CASE("lead keys are lower-case and fit the external-ID field", "[create_lead]") {
  CHECK(LeadKey("Jane@Acme.Example") == "lead:jane@acme.example");
  const std::string long_address = std::string(300, 'a') + "@x.example";
  const std::string key = LeadKey(long_address);
  CHECK(key.rfind("sha256:", 0) == 0);
  CHECK(key.size() <= 255);
  CHECK(LeadKey(long_address) == key);   // deterministic
}

TEST_CASE("only addresses Lead.Email can hold become Leads", "[create_lead]") {
  CHECK(CanBeLead("a@b.example"));
  CHECK_FALSE(CanBeLead(""));
  CHECK_FALSE(CanBeLead("nobody"));
  CHECK_FALSE(CanBeLead("@b.example"));
  CHECK_FALSE(CanBeLead("a@"));
  CHECK_FALSE(CanBeLead("a@b@c.example"));
  CHECK_FALSE(CanBeLead("a b@c.example"));
  CHECK_FALSE(CanBeLead("j\xC3\xBC@c.example"));   // not ASCII
  CHECK_FALSE(CanBeLead(std::string(75, 'a') + "@c.example"));   // over 80 characters
}

TEST_CASE("each address is written once, even when pages ask for it at the same time", "[create_lead]") {
  Fixture f;
  std::vector<Status> first, second;
  f.creator.Create({{"a@x.example", "A"}, {"b@x.example", "B"}, {"A@X.example", "dup"}},
                   [&](Status s) { first.push_back(s); });
  f.creator.Create({{"b@x.example", "B"}, {"c@x.example", "C"}}, [&](Status s) { second.push_back(s); });
  REQUIRE(f.held.size() == 2);
  CHECK(f.held[0].records.size() == 2);   // a, b (the upper-case copy of a folded)
  REQUIRE(f.held[1].records.size() == 1);   // c only: b is in flight
  CHECK(f.held[1].records[0].external_id == "lead:c@x.example");

  f.Answer(1);   // c done, but the second page still waits for b
  CHECK(second.empty());
  CHECK(f.learnt.count("c@x.example") == 1);
  f.Answer(0);
  REQUIRE(first.size() == 1);
  REQUIRE(second.size() == 1);
  CHECK(first[0].ok());
  CHECK(second[0].ok());
  CHECK(f.learnt.size() == 3);
  CHECK(f.creator.created() == 3);

  // Known now: nothing is sent again, the callback runs at once.
  bool called = false;
  f.creator.Create({{"a@x.example", ""}, {"c@x.example", ""}}, [&](Status s) {
    called = true;
    CHECK(s.ok());
  });
  CHECK(called);
  CHECK(f.held.size() == 2);
  // Nothing to create at all: at once too.
  called = false;
  f.creator.Create({}, [&](Status s) { called = s.ok(); });
  CHECK(called);
}

TEST_CASE("a refused Lead fails the pages that need it and is not retried in the run", "[create_lead]") {
  Fixture f;
  std::vector<Status> results;
  f.creator.Create({{"ok@x.example", ""}, {"bad@x.example", ""}}, [&](Status s) { results.push_back(s); });
  REQUIRE(f.held.size() == 1);
  f.Answer(0, {"bad@x.example"});
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].ok());
  CHECK_THAT(results[0].message(), Catch::Contains("bad@x.example"));
  CHECK_THAT(results[0].message(), Catch::Contains("FIELD_CUSTOM_VALIDATION_EXCEPTION"));
  CHECK(f.learnt.count("ok@x.example") == 1);
  CHECK(f.learnt.count("bad@x.example") == 0);
  CHECK(f.creator.created() == 1);

  f.creator.Create({{"bad@x.example", ""}}, [&](Status s) { results.push_back(s); });
  REQUIRE(results.size() == 2);
  CHECK_FALSE(results[1].ok());
  CHECK(f.held.size() == 1);   // not sent again
}

TEST_CASE("a failed request fails its pages, the next page tries again", "[create_lead]") {
  Fixture f;
  std::vector<Status> results;
  f.creator.Create({{"a@x.example", ""}}, [&](Status s) { results.push_back(s); });
  REQUIRE(f.held.size() == 1);
  f.held[0].done(Status::Transient("503 Service Unavailable"));
  REQUIRE(results.size() == 1);
  CHECK(results[0].code() == StatusCode::kTransient);
  CHECK_THAT(results[0].message(), Catch::Contains("a@x.example"));
  f.creator.Create({{"a@x.example", ""}}, [&](Status s) { results.push_back(s); });
  REQUIRE(f.held.size() == 2);
  f.Answer(1);
  REQUIRE(results.size() == 2);
  CHECK(results[1].ok());
}

TEST_CASE("more than 200 unknown people go out in requests of at most 200", "[create_lead]") {
  Fixture f;
  std::vector<NewLead> leads;
  for (int i = 0; i < 450; ++i) leads.push_back({"p" + std::to_string(i) + "@x.example", ""});
  int calls = 0;
  f.creator.Create(leads, [&](Status s) {
    ++calls;
    CHECK(s.ok());
  });
  REQUIRE(f.held.size() == 3);
  CHECK(f.held[0].records.size() == kLeadsPerUpsert);
  CHECK(f.held[1].records.size() == kLeadsPerUpsert);
  CHECK(f.held[2].records.size() == 50);
  f.Answer(0);
  f.Answer(1);
  CHECK(calls == 0);
  f.Answer(2);
  CHECK(calls == 1);
  CHECK(f.creator.created() == 450);
}
