#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "stored_users.hpp"

using namespace crmsync::engine;
using crmsync::state::UserRecord;

namespace {

UserRecord Record(const std::string& primary, std::uint64_t captured, const std::string& source = "directory") {
  UserRecord r;
  r.status = "suspended";
  r.reason = "mailbox access revoked";
  r.primary = primary;
  r.aliases = {primary, "alias-" + primary};
  r.salesforce_user_id = "005" + primary;
  r.source = source;
  r.status_since_unix_ms = 11 + static_cast<std::int64_t>(captured);
  r.last_success_unix_ms = 22 + static_cast<std::int64_t>(captured);
  r.captured = captured;
  r.activated = captured % 2 == 1;
  return r;
}

StoredUsers Stored(const std::vector<std::pair<std::string, UserRecord>>& records) {
  StoredUsers stored;
  for (const auto& [id, record] : records) REQUIRE(stored.Add(id, record).ok());
  return stored;
}

}  // namespace

TEST_CASE("stored users are found by id with their primary and Salesforce id", "[stored_users]") {
  const StoredUsers stored = Stored({{"u-1", Record("a@x.example", 1)}, {"u-2", Record("b@x.example", 2)}});
  REQUIRE(stored.size() == 2);
  const auto b = stored.Find("u-2");
  REQUIRE(b);
  CHECK(b->primary == "b@x.example");
  CHECK(b->salesforce_user_id == "005b@x.example");
  CHECK_FALSE(b->provisioned);
  CHECK(b->kept->captured == 2);
  CHECK_FALSE(b->kept->activated);
  CHECK(stored.Find("u-1")->kept->activated);
  CHECK_FALSE(stored.Find("u-3"));
  CHECK_FALSE(stored.Find("U-1"));   // ids are case-sensitive
}

TEST_CASE("an id stored twice keeps its first record", "[stored_users]") {
  const StoredUsers stored = Stored({{"u-1", Record("a@x.example", 1)}, {"u-1", Record("b@x.example", 2)}});
  CHECK(stored.size() == 1);
  CHECK(stored.Find("u-1")->primary == "a@x.example");
}

TEST_CASE("the kept fields restore what the run writes back unchanged, new users an empty record", "[stored_users]") {
  const StoredUsers stored = Stored({{"u-1", Record("a@x.example", 1)}, {"u-2", Record("b@x.example", 2, "config")}});
  const std::vector<std::string_view> directory = {"u-2", "u-new", "u-1", "u-2"};
  const KeptUserRecords kept = stored.Keep(directory);
  REQUIRE(kept.users.size() == 4);
  const UserRecord b = kept.Restore(0);
  CHECK(b.status == "suspended");
  CHECK(b.source == "config");
  CHECK(b.status_since_unix_ms == 13);
  CHECK(b.last_success_unix_ms == 24);
  CHECK(b.captured == 2);
  CHECK_FALSE(b.activated);
  CHECK(b.primary.empty());   // the run's to set
  CHECK(b.reason.empty());
  const UserRecord fresh = kept.Restore(1);
  CHECK(fresh.status.empty());
  CHECK(fresh.source.empty());
  CHECK(fresh.captured == 0);
  CHECK(fresh.status_since_unix_ms == 0);
  CHECK(kept.Restore(2).source == "directory");
  CHECK(kept.Restore(2).activated);
  CHECK(kept.Restore(3).captured == 2);   // listed twice: the same fields
}

TEST_CASE("provisioned users are kept whole, others not", "[stored_users]") {
  const StoredUsers stored =
      Stored({{"u-1", Record("a@x.example", 1)}, {"p-1", Record("p@x.example", 3, "provisioned")}});
  REQUIRE(stored.provisioned().size() == 1);
  CHECK(stored.provisioned()[0].first == "p-1");
  CHECK(stored.provisioned()[0].second.aliases == std::vector<std::string>{"p@x.example", "alias-p@x.example"});
  CHECK(stored.Find("p-1")->provisioned);
}

TEST_CASE("many stored users are each found, and values are interned once", "[stored_users]") {
  std::vector<std::pair<std::string, UserRecord>> records;
  for (int i = 0; i < 3000; ++i) records.emplace_back("id-" + std::to_string(i), Record(std::to_string(i) + "@x.example", i));
  const StoredUsers stored = Stored(records);
  for (int i = 0; i < 3000; ++i) {
    const auto found = stored.Find("id-" + std::to_string(i));
    REQUIRE(found);
    CHECK(found->primary == std::to_string(i) + "@x.example");
    CHECK(found->kept->captured == static_cast<std::uint64_t>(i));
  }
  InternedStrings values;
  CHECK(values.Intern("") == 0);
  const auto active = values.Intern("active");
  CHECK(values.Intern("pending") != active);
  CHECK(values.Intern("active") == active);
  CHECK(values.Get(active) == "active");
}

TEST_CASE("no stored users: every kept record is new", "[stored_users]") {
  const StoredUsers stored;
  const KeptUserRecords kept = stored.Keep({"u-1", "u-2"});
  REQUIRE(kept.users.size() == 2);
  CHECK(kept.Restore(0).status.empty());
  CHECK(kept.Restore(1).captured == 0);
}
