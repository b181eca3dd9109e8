// Every entity written through the store reads back field for field.
#include <catch2/catch.hpp>

#include "crmsync/state/store.hpp"
#include "test_util.hpp"

namespace crmsync::state {
namespace {

using testing::OpenStore;
using testing::TempDir;

LedgerEntry Ledger(std::string id, std::int64_t t) {
  return LedgerEntry{std::move(id), "Task", "user-1", t};
}

TEST_CASE("state: cursor round trip, overwrite and absence", "[state]") {
  TempDir dir;
  auto store = OpenStore(dir);
  StreamId id{"tenant", "user-1", "mail/inbox"};
  // Bytes a deltaLink never has but an opaque cursor may: NUL, UTF-8, 0xff.
  std::string position = std::string("https://graph/delta?token=a\0b", 29) + "é\xff";

  CheckpointBatch batch;
  batch.cursors.push_back({id, Cursor{position, 1'700'000'000'000}});
  REQUIRE_OK(store->Commit(batch));
  auto got = store->GetCursor(id);
  REQUIRE_OK(got);
  REQUIRE(got.value().has_value());
  CHECK(got.value()->position == position);
  CHECK(got.value()->updated_unix_ms == 1'700'000'000'000);

  batch.cursors = {{id, Cursor{"next", -5}}};
  REQUIRE_OK(store->Commit(batch));
  got = store->GetCursor(id);
  REQUIRE_OK(got);
  CHECK(got.value()->position == "next");
  CHECK(got.value()->updated_unix_ms == -5);

  auto absent = store->GetCursor(StreamId{"tenant", "user-1", "mail/sentitems"});
  REQUIRE_OK(absent);
  CHECK_FALSE(absent.value().has_value());

  auto all = store->ListCursors("tenant");
  REQUIRE_OK(all);
  REQUIRE(all.value().size() == 1);
  CHECK(all.value()[0].first.tenant == "tenant");
  CHECK(all.value()[0].first.user == "user-1");
  CHECK(all.value()[0].first.stream == "mail/inbox");
  CHECK(all.value()[0].second.position == "next");
}

TEST_CASE("state: ledger round trip, GetLedgerMany order and absents, CountLedger", "[state]") {
  TempDir dir;
  auto store = OpenStore(dir);
  CheckpointBatch batch;
  batch.ledger.emplace_back("t", "<m1@x>", Ledger("00T000000000001", 11));
  batch.ledger.emplace_back("t", "<m2@x>", Ledger("00T000000000002", 22));
  batch.ledger.emplace_back("t", "<m3@x>", LedgerEntry{"a0B1", "Event", "user-9", 33});
  REQUIRE_OK(store->Commit(batch));

  auto one = store->GetLedger("t", "<m3@x>");
  REQUIRE_OK(one);
  REQUIRE(one.value().has_value());
  CHECK(one.value()->salesforce_id == "a0B1");
  CHECK(one.value()->sobject == "Event");
  CHECK(one.value()->first_seen_user == "user-9");
  CHECK(one.value()->written_unix_ms == 33);

  auto many = store->GetLedgerMany("t", {"<m2@x>", "<missing@x>", "<m1@x>", "<m2@x>", "<m3@x>"});
  REQUIRE_OK(many);
  const auto& v = many.value();
  REQUIRE(v.size() == 5);
  REQUIRE(v[0].has_value());
  CHECK(v[0]->salesforce_id == "00T000000000002");
  CHECK_FALSE(v[1].has_value());
  REQUIRE(v[2].has_value());
  CHECK(v[2]->salesforce_id == "00T000000000001");
  CHECK(v[2]->written_unix_ms == 11);
  REQUIRE(v[3].has_value());
  CHECK(v[3]->salesforce_id == "00T000000000002");
  REQUIRE(v[4].has_value());
  CHECK(v[4]->sobject == "Event");

  auto none = store->GetLedgerMany("t", {});
  REQUIRE_OK(none);
  CHECK(none.value().empty());

  auto count = store->CountLedger("t");
  REQUIRE_OK(count);
  CHECK(count.value() == 3);
  auto other = store->CountLedger("unknown");
  REQUIRE_OK(other);
  CHECK(other.value() == 0);
}

TEST_CASE("state: directory round trip including a cached no-match", "[state]") {
  TempDir dir;
  auto store = OpenStore(dir);
  CheckpointBatch batch;
  batch.directory.emplace_back("t", "ann@customer.com", DirectoryEntry{"Contact", "003A", 100});
  batch.directory.emplace_back("t", "bob@lead.com", DirectoryEntry{"Lead", "00QB", 200});
  batch.directory.emplace_back("t", "nobody@x.com", DirectoryEntry{"", "", 300});
  REQUIRE_OK(store->Commit(batch));

  auto ann = store->GetDirectory("t", "ann@customer.com");
  REQUIRE_OK(ann);
  REQUIRE(ann.value().has_value());
  CHECK(ann.value()->sobject == "Contact");
  CHECK(ann.value()->salesforce_id == "003A");
  CHECK(ann.value()->fetched_unix_ms == 100);

  auto many = store->GetDirectoryMany("t", {"nobody@x.com", "unknown@x.com", "bob@lead.com"});
  REQUIRE_OK(many);
  REQUIRE(many.value().size() == 3);
  REQUIRE(many.value()[0].has_value());  // a cached "no match" is present, not absent
  CHECK(many.value()[0]->sobject.empty());
  CHECK(many.value()[0]->fetched_unix_ms == 300);
  CHECK_FALSE(many.value()[1].has_value());
  REQUIRE(many.value()[2].has_value());
  CHECK(many.value()[2]->salesforce_id == "00QB");
}

TEST_CASE("state: quarantine put, list, erase, erase wins within one batch", "[state]") {
  TempDir dir;
  auto store = OpenStore(dir);
  CheckpointBatch put;
  put.quarantine.emplace_back("t", "k1", QuarantineEntry{"FIELD_CUSTOM_VALIDATION_EXCEPTION", "bad", 3, "u1", 5});
  put.quarantine.emplace_back("t", "k2", QuarantineEntry{"INSUFFICIENT_ACCESS", "no", 4'000'000'000u, "u2", 6});
  REQUIRE_OK(store->Commit(put));

  auto list = store->ListQuarantine("t");
  REQUIRE_OK(list);
  REQUIRE(list.value().size() == 2);
  CHECK(list.value()[0].first == "k1");
  CHECK(list.value()[0].second.error_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION");
  CHECK(list.value()[0].second.message == "bad");
  CHECK(list.value()[0].second.attempts == 3);
  CHECK(list.value()[0].second.user == "u1");
  CHECK(list.value()[0].second.updated_unix_ms == 5);
  CHECK(list.value()[1].first == "k2");
  CHECK(list.value()[1].second.attempts == 4'000'000'000u);

  // The record in k1 finally landed: its ledger entry and the quarantine
  // erase go together; k2 is retried and fails again in the same batch.
  CheckpointBatch resolve;
  resolve.ledger.emplace_back("t", "k1", Ledger("00T1", 7));
  resolve.quarantine_erase.emplace_back("t", "k1");
  resolve.quarantine.emplace_back("t", "k2", QuarantineEntry{"INSUFFICIENT_ACCESS", "no", 5, "u2", 8});
  resolve.quarantine_erase.emplace_back("t", "k2");
  REQUIRE_OK(store->Commit(resolve));
  list = store->ListQuarantine("t");
  REQUIRE_OK(list);
  CHECK(list.value().empty());
  auto ledger = store->GetLedger("t", "k1");
  REQUIRE_OK(ledger);
  CHECK(ledger.value().has_value());
}

TEST_CASE("state: empty batch commits as a no-op", "[state]") {
  TempDir dir;
  auto store = OpenStore(dir);
  CheckpointBatch empty;
  REQUIRE(empty.empty());
  REQUIRE_OK(store->Commit(empty));
}

TEST_CASE("state: runs round trip and ListRuns most recent first", "[state]") {
  TempDir dir;
  auto store = OpenStore(dir);
  const std::vector<std::string> ids = {
      "20261123T221500Z-4242-1", "20250101T000000Z-1-1", "20261123T221500Z-4242-2",
      "20261124T000000Z-17-1",   "20261001T120000Z-9-3",
  };
  for (const auto& id : ids) REQUIRE_OK(store->PutRun(id, "{\"run\":\"" + id + "\"}"));

  auto got = store->GetRun("20261001T120000Z-9-3");
  REQUIRE_OK(got);
  REQUIRE(got.value().has_value());
  CHECK(*got.value() == "{\"run\":\"20261001T120000Z-9-3\"}");
  auto absent = store->GetRun("20200101T000000Z-1-1");
  REQUIRE_OK(absent);
  CHECK_FALSE(absent.value().has_value());

  auto top3 = store->ListRuns(3);
  REQUIRE_OK(top3);
  CHECK(top3.value() == std::vector<std::string>{"20261124T000000Z-17-1", "20261123T221500Z-4242-2",
                                                 "20261123T221500Z-4242-1"});
  auto all = store->ListRuns(100);
  REQUIRE_OK(all);
  CHECK(all.value().size() == 5);
  CHECK(all.value().back() == "20250101T000000Z-1-1");
  auto zero = store->ListRuns(0);
  REQUIRE_OK(zero);
  CHECK(zero.value().empty());

  // A report rewritten at the end of the run replaces the first one.
  REQUIRE_OK(store->PutRun("20250101T000000Z-1-1", "{}"));
  got = store->GetRun("20250101T000000Z-1-1");
  REQUIRE_OK(got);
  CHECK(*got.value() == "{}");

  CHECK(store->PutRun("", "{}").code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crmsync::state
