#include <catch2/catch.hpp>

#include <set>

#include "crmsync/engine/batcher.hpp"

using namespace crmsync;
using namespace crmsync::engine;

namespace {

salesforce::UpsertRecord Rec(const std::string& key, std::size_t body = 10) {
  salesforce::UpsertRecord r;
  r.external_id = key;
  r.fields.push_back({"Description", std::string(body, 'x')});
  return r;
}

std::vector<salesforce::UpsertOutcome> AllOk(std::size_t n) {
  std::vector<salesforce::UpsertOutcome> out(n);
  for (auto& o : out) {
    o.success = true;
    o.created = true;
    o.id = "00T";
  }
  return out;
}

}  // namespace

TEST_CASE("batches hold at most 200 records and partial batches wait for drain", "[batch]") {
  Batcher batcher(BatcherLimits{200, 64u << 20, 100});
  for (int i = 0; i < 450; ++i) batcher.Add(Rec("k" + std::to_string(i)), "u", PageRef{0, 0});
  auto ready = batcher.TakeReady(false);
  REQUIRE(ready.size() == 2);
  CHECK(ready[0].records.size() == 200);
  CHECK(ready[1].records.size() == 200);
  CHECK(batcher.queued() == 50);
  auto rest = batcher.TakeReady(true);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].records.size() == 50);
}

TEST_CASE("a key is never twice in a request nor in two requests in flight", "[batch]") {
  Batcher batcher(BatcherLimits{200, 64u << 20, 8});
  CHECK(batcher.Add(Rec("same"), "u1", PageRef{0, 0}) == Batcher::Added::kQueued);
  CHECK(batcher.Add(Rec("same"), "u2", PageRef{1, 0}) == Batcher::Added::kAttached);
  auto first = batcher.TakeReady(true);
  REQUIRE(first.size() == 1);
  REQUIRE(first[0].records.size() == 1);
  // While in flight, another copy attaches instead of starting a second request.
  CHECK(batcher.Add(Rec("same"), "u3", PageRef{2, 0}) == Batcher::Added::kAttached);
  CHECK(batcher.TakeReady(true).empty());
  auto results = batcher.Complete(first[0].id, AllOk(1), 1, first[0].records);
  REQUIRE(results.size() == 1);
  CHECK(results[0].first_user == "u1");
  CHECK(results[0].waiters.size() == 3);
  // After success, later copies in this run are done without a write.
  CHECK(batcher.Add(Rec("same"), "u4", PageRef{3, 0}) == Batcher::Added::kDoneThisRun);
}

TEST_CASE("in-flight requests are capped and the byte budget splits batches", "[batch]") {
  Batcher batcher(BatcherLimits{200, 1000, 2});
  for (int i = 0; i < 10; ++i) batcher.Add(Rec("k" + std::to_string(i), 400), "u", PageRef{0, 0});
  auto ready = batcher.TakeReady(true);
  REQUIRE(ready.size() == 2);
  for (const auto& b : ready) CHECK(b.records.size() <= 2);
  CHECK(batcher.TakeReady(true).empty());  // cap reached
  batcher.Complete(ready[0].id, AllOk(ready[0].records.size()), 1, ready[0].records);
  CHECK(batcher.TakeReady(true).size() == 1);
}

TEST_CASE("a failed batch forgets its keys so a later copy is written again", "[batch]") {
  Batcher batcher;
  batcher.Add(Rec("k"), "u", PageRef{0, 0});
  auto ready = batcher.TakeReady(true);
  auto results = batcher.Complete(ready[0].id, Status::Transient("503"), 1, ready[0].records);
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].outcome.has_value());
  CHECK(batcher.Add(Rec("k"), "u", PageRef{0, 1}) == Batcher::Added::kQueued);
}

TEST_CASE("transient per-record errors are not terminal, permanent ones are", "[batch]") {
  Batcher batcher;
  batcher.Add(Rec("lock"), "u", PageRef{0, 0});
  batcher.Add(Rec("bad"), "u", PageRef{0, 0});
  auto ready = batcher.TakeReady(true);
  std::vector<salesforce::UpsertOutcome> outcomes(2);
  outcomes[0].error_code = "UNABLE_TO_LOCK_ROW";
  outcomes[1].error_code = "FIELD_CUSTOM_VALIDATION_EXCEPTION";
  batcher.Complete(ready[0].id, outcomes, 1, ready[0].records);
  CHECK(batcher.Add(Rec("lock"), "u", PageRef{0, 1}) == Batcher::Added::kQueued);
  CHECK(batcher.Add(Rec("bad"), "u", PageRef{0, 1}) == Batcher::Added::kDoneThisRun);
}

TEST_CASE("a written key is done until forgotten past the commit that makes its ledger row visible", "[batch]") {
  Batcher batcher;
  batcher.Add(Rec("k"), "u", PageRef{0, 0});
  CHECK(batcher.done_keys() == 0);
  auto ready = batcher.TakeReady(true);
  CHECK(batcher.done_keys() == 0);  // in flight is not done
  batcher.Complete(ready[0].id, AllOk(1), 5, ready[0].records);
  CHECK(batcher.done_keys() == 1);
  CHECK(batcher.ForgetDone(4) == 0);
  CHECK(batcher.Add(Rec("k"), "u", PageRef{0, 1}) == Batcher::Added::kDoneThisRun);
  CHECK(batcher.ForgetDone(5) == 1);
  CHECK(batcher.done_keys() == 0);
  CHECK(batcher.Add(Rec("other"), "u", PageRef{0, 1}) == Batcher::Added::kQueued);
}

TEST_CASE("writer lanes: a request never mixes two writers, and a key keeps its first writer", "[batch]") {
  Batcher batcher(BatcherLimits{3, 64u << 20, 100});
  CHECK(batcher.Add(Rec("a1"), "ua", PageRef{0, 0}, "ua") == Batcher::Added::kQueued);
  CHECK(batcher.Add(Rec("b1"), "ub", PageRef{1, 0}, "ub") == Batcher::Added::kQueued);
  CHECK(batcher.Add(Rec("a2"), "ua", PageRef{0, 0}, "ua") == Batcher::Added::kQueued);
  // The same email in ub's mailbox: first writer (ua) wins, no second write.
  CHECK(batcher.Add(Rec("a1"), "ub", PageRef{1, 0}, "ub") == Batcher::Added::kAttached);
  CHECK(batcher.Add(Rec("b2"), "ub", PageRef{1, 0}, "ub") == Batcher::Added::kQueued);
  CHECK(batcher.Add(Rec("a3"), "ua", PageRef{0, 1}, "ua") == Batcher::Added::kQueued);
  CHECK(batcher.queued() == 5);
  // ua's lane is full (3), ub's (2) waits for drain.
  auto full = batcher.TakeReady(false);
  REQUIRE(full.size() == 1);
  CHECK(full[0].writer == "ua");
  std::set<std::string> keys;
  for (const auto& r : full[0].records) keys.insert(r.external_id);
  CHECK(keys == std::set<std::string>{"a1", "a2", "a3"});
  // A closed lane (its writer's grant refused) stays queued.
  CHECK(batcher.TakeReady(true, [](const std::string& writer) { return writer != "ub"; }).empty());
  CHECK(batcher.queued() == 2);
  auto rest = batcher.TakeReady(true);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].writer == "ub");
  CHECK(rest[0].records.size() == 2);
  auto results = batcher.Complete(full[0].id, AllOk(3), 1, full[0].records);
  REQUIRE(results.size() == 3);
  for (const auto& r : results) {
    CHECK(r.first_user == "ua");
    CHECK(r.waiters.size() == (r.key == "a1" ? 2u : 1u));
  }
}

TEST_CASE("without writers every record is in one lane, batched as before", "[batch]") {
  Batcher batcher(BatcherLimits{200, 64u << 20, 100});
  for (int i = 0; i < 250; ++i) batcher.Add(Rec("k" + std::to_string(i)), "u" + std::to_string(i % 7), PageRef{0, 0});
  auto ready = batcher.TakeReady(true);
  REQUIRE(ready.size() == 2);
  CHECK(ready[0].writer.empty());
  CHECK(ready[0].records.size() == 200);
  CHECK(ready[1].records.size() == 50);
}

TEST_CASE("a refused rendered record comes back with its fields listed, for the quarantine", "[batch]") {
  Batcher batcher;
  salesforce::UpsertRecord rendered;
  rendered.external_id = "k-rendered-with-a-key-longer-than-sso";
  salesforce::AppendRenderedField(rendered.rendered_fields, "TaskSubtype", "Email");
  rendered.rendered_create_only_bytes = rendered.rendered_fields.size();
  salesforce::AppendRenderedField(rendered.rendered_fields, "Subject", "Hi \"there\"");
  REQUIRE(batcher.Add(rendered, "first-user-with-a-long-address@acme.example", PageRef{3, 7}) ==
          Batcher::Added::kQueued);
  REQUIRE(batcher.Add(Rec("k-ok"), "u", PageRef{0, 0}) == Batcher::Added::kQueued);
  auto ready = batcher.TakeReady(true);
  REQUIRE(ready.size() == 1);
  REQUIRE(ready[0].records.size() == 2);
  CHECK(ready[0].records[0].rendered_fields == rendered.rendered_fields);   // the request sends the JSON as built
  auto outcomes = AllOk(2);
  outcomes[0].success = false;
  outcomes[0].error_code = "INVALID_FIELD";
  auto results = batcher.Complete(ready[0].id, outcomes, 1, ready[0].records);
  REQUIRE(results.size() == 2);
  CHECK(results[0].key == "k-rendered-with-a-key-longer-than-sso");
  CHECK(results[0].first_user == "first-user-with-a-long-address@acme.example");
  REQUIRE(results[0].waiters.size() == 1);
  CHECK(results[0].waiters[0].stream == 3);
  CHECK(results[0].record.rendered_fields.empty());
  REQUIRE(results[0].record.fields.size() == 2);
  CHECK(results[0].record.fields[0].name == "TaskSubtype");
  CHECK(results[0].record.fields[0].create_only);
  CHECK(results[0].record.fields[1].value == "Hi \"there\"");
  CHECK(results[1].key == "k-ok");
  CHECK(results[1].record.fields.empty());   // only refused records are kept
  CHECK(batcher.done_keys() == 2);
  CHECK(batcher.Add(Rec("k-rendered-with-a-key-longer-than-sso"), "u", PageRef{0, 1}) ==
        Batcher::Added::kDoneThisRun);
  CHECK(batcher.Add(Rec("k-ok"), "u", PageRef{0, 1}) == Batcher::Added::kDoneThisRun);
  CHECK(batcher.queued() == 0);
  CHECK(batcher.inflight_requests() == 0);
}

TEST_CASE("a request owns its records without a copy: the buffers added are the ones sent", "[batch]") {
  Batcher batcher;
  salesforce::UpsertRecord record;
  record.external_id = "k-moved-with-a-key-longer-than-sso";
  salesforce::AppendRenderedField(record.rendered_fields, "Description", std::string(4000, 'd'));
  const char* rendered = record.rendered_fields.data();
  const char* key = record.external_id.data();
  REQUIRE(batcher.Add(std::move(record), "u", PageRef{0, 0}) == Batcher::Added::kQueued);
  auto ready = batcher.TakeReady(true);
  REQUIRE(ready.size() == 1);
  REQUIRE(ready[0].records.size() == 1);
  CHECK(ready[0].records[0].rendered_fields.data() == rendered);
  CHECK(ready[0].records[0].external_id.data() == key);
  // A refused record comes back from what the request sent.
  auto outcomes = AllOk(1);
  outcomes[0].success = false;
  outcomes[0].error_code = "FIELD_CUSTOM_VALIDATION_EXCEPTION";
  auto results = batcher.Complete(ready[0].id, outcomes, 1, ready[0].records);
  REQUIRE(results.size() == 1);
  REQUIRE(results[0].record.fields.size() == 1);
  CHECK(results[0].record.fields[0].value == std::string(4000, 'd'));
  CHECK(results[0].record.external_id == "k-moved-with-a-key-longer-than-sso");
}
