#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "stored_users.hpp"

using namespace crmsync::engine;
using crmsync::state::UserRecord;

namespace {

UserRecord Record(const std::string& primary, std::uint64_t captured) {
  UserRecord r;
  r.status = "suspended";
  r.reason = "mailbox access revoked";
  r.primary = primary;
  r.aliases = {primary, "alias-" + primary};
  r.salesforce_user_id = "005" + primary;
  r.source = "directory";
  r.status_since_unix_ms = 11;
  r.last_success_unix_ms = 22;
  r.captured = captured;
  r.activated = true;
  return r;
}

bool Same(const UserRecord& a, const UserRecord& b) {
  return a.status == b.status && a.reason == b.reason && a.primary == b.primary && a.aliases == b.aliases &&
         a.salesforce_user_id == b.salesforce_user_id && a.source == b.source &&
         a.status_since_unix_ms == b.status_since_unix_ms && a.last_success_unix_ms == b.last_success_unix_ms &&
         a.captured == b.captured && a.activated == b.activated;
}

}  // namespace

TEST_CASE("stored users are found by id", "[stored_users]") {
  const StoredUserList stored = {{"u-1", Record("a@x.example", 1)}, {"u-2", Record("b@x.example", 2)}};
  const StoredUserIndex index = IndexStoredUsers(stored);
  REQUIRE(index.size() == 2);
  CHECK(index.at("u-2") == 1);
  CHECK(index.at("u-1") == 0);
  CHECK(index.count("u-3") == 0);
}

TEST_CASE("each directory user gets its whole stored record, new users an empty one", "[stored_users]") {
  StoredUserList stored = {{"u-1", Record("a@x.example", 1)},
                           {"u-2", Record("b@x.example", 2)},
                           {"gone", Record("c@x.example", 3)}};
  const StoredUserList original = stored;
  const StoredUserIndex index = IndexStoredUsers(stored);
  const std::vector<std::string_view> directory = {"u-2", "new", "u-1", "u-2"};
  const auto records = TakeStoredRecords(stored, index, directory);
  REQUIRE(records.size() == 4);
  CHECK(Same(records[0], original[1].second));
  CHECK(Same(records[1], UserRecord{}));
  CHECK(Same(records[2], original[0].second));
  CHECK(Same(records[3], original[1].second));   // listed twice: a copy, not a moved-from record
  // A user no longer in the directory keeps its stored record where it was.
  CHECK(Same(stored[2].second, original[2].second));
  CHECK(stored[0].first == "u-1");
}

TEST_CASE("no stored users: every record is new", "[stored_users]") {
  StoredUserList stored;
  const auto records = TakeStoredRecords(stored, IndexStoredUsers(stored), {"u-1", "u-2"});
  REQUIRE(records.size() == 2);
  CHECK(Same(records[0], UserRecord{}));
  CHECK(Same(records[1], UserRecord{}));
}
