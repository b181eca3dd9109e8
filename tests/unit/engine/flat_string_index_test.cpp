#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/engine/classify.hpp"
#include "crmsync/engine/flat_string_index.hpp"

using namespace crmsync::engine;
using crmsync::MailUser;
using crmsync::AddressRange;

namespace {

// Every string hashes alike: each lookup walks a chain of collisions and only
// the verification against the owner's strings tells them apart.
struct ConstantHash {
  std::uint64_t operator()(std::string_view) const { return 42; }
};

// Two hashes only, by parity of the length: long runs of equal hashes.
struct ParityHash {
  std::uint64_t operator()(std::string_view s) const { return s.size() % 2; }
};

template <class Hash>
void CheckEveryStringFound(std::size_t count) {
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < count; ++i) texts.push_back("user" + std::to_string(i) + "@acme.example");
  const auto matches = [&](std::uint32_t h, std::string_view t) { return texts[h] == t; };
  FlatStringIndex<Hash> index;
  for (std::size_t i = 0; i < texts.size(); ++i) REQUIRE(index.Insert(texts[i], static_cast<std::uint32_t>(i), matches));
  REQUIRE(index.size() == count);
  for (std::size_t i = 0; i < texts.size(); ++i) CHECK(index.Find(texts[i], matches) == i);
  CHECK(index.Find("nobody@acme.example", matches) == FlatStringIndex<Hash>::kNone);
  CHECK(index.Find("", matches) == FlatStringIndex<Hash>::kNone);
  CHECK(index.Find("USER1@acme.example", matches) == FlatStringIndex<Hash>::kNone);
}

}  // namespace

TEST_CASE("a flat string index finds every string it holds and nothing else", "[flat_string_index]") {
  CheckEveryStringFound<StdStringViewHash>(5000);   // grows from empty through several rehashes
}

TEST_CASE("a flat string index tells colliding strings apart by verifying them", "[flat_string_index]") {
  CheckEveryStringFound<ConstantHash>(300);
  CheckEveryStringFound<ParityHash>(300);
}

TEST_CASE("a flat string index keeps the first handle of a string added twice", "[flat_string_index]") {
  const std::vector<std::string> texts = {"a@x.example", "b@x.example", "a@x.example"};
  const auto matches = [&](std::uint32_t h, std::string_view t) { return texts[h] == t; };
  FlatStringIndex<ConstantHash> index;
  index.Reserve(3);
  CHECK(index.Insert(texts[0], 0, matches));
  CHECK(index.Insert(texts[1], 1, matches));
  CHECK_FALSE(index.Insert(texts[2], 2, matches));
  CHECK(index.size() == 2);
  CHECK(index.Find("a@x.example", matches) == 0);
  CHECK(index.Find("b@x.example", matches) == 1);
}

TEST_CASE("an empty flat string index finds nothing", "[flat_string_index]") {
  const FlatStringIndex<> index;
  CHECK(index.Find("a@x.example", [](std::uint32_t, std::string_view) { return true; }) == FlatStringIndex<>::kNone);
  CHECK(index.bytes() == 0);
}

TEST_CASE("a flat string index holds 8-byte slots at a load of at most one half", "[flat_string_index]") {
  std::vector<std::string> texts;
  for (int i = 0; i < 1000; ++i) texts.push_back(std::to_string(i));
  const auto matches = [&](std::uint32_t h, std::string_view t) { return texts[h] == t; };
  FlatStringIndex<> index;
  index.Reserve(texts.size());
  const std::size_t reserved = index.bytes();
  for (std::size_t i = 0; i < texts.size(); ++i) index.Insert(texts[i], static_cast<std::uint32_t>(i), matches);
  CHECK(index.bytes() == reserved);   // no rehash after Reserve
  CHECK(index.bytes() >= 2 * texts.size() * 8);
  CHECK(index.bytes() <= 4 * texts.size() * 8);
}

namespace {

MailboxUser User(std::string id, std::string primary, std::vector<std::string> aliases, std::string sf) {
  return MailboxUser(id, primary, AddressRange(aliases), true, sf);
}

}  // namespace

TEST_CASE("the directory finds every user under every alias, and no one else", "[flat_string_index][classify]") {
  std::vector<MailboxUser> users;
  for (int i = 0; i < 2000; ++i) {
    const std::string n = std::to_string(i);
    users.push_back(User("id-" + n, "u" + n + "@acme.example",
                         {"u" + n + "@acme.example", "alias" + n + "@acme.example", "u" + n + "@old.example"},
                         "005" + n));
  }
  const TenantDirectory directory({"acme.example"}, users);
  for (int i = 0; i < 2000; ++i) {
    const std::string n = std::to_string(i);
    for (std::string_view address : users[i].aliases()) {
      const MailboxUser* found = directory.FindUser(address);
      REQUIRE(found != nullptr);
      CHECK(found->id() == "id-" + n);
      CHECK(found == &directory.users()[i]);
    }
  }
  CHECK(directory.FindUser("u2000@acme.example") == nullptr);
  CHECK(directory.FindUser("stranger@acme.example") == nullptr);
  CHECK(directory.FindUser("u1@acme.example.") == nullptr);
  CHECK(directory.FindUser("") == nullptr);
}

TEST_CASE("the directory matches addresses exactly as stored (lower-case), as before", "[flat_string_index][classify]") {
  const TenantDirectory directory({"acme.example"}, {User("id-a", "alice@acme.example", {"alice@acme.example"}, "005A")});
  CHECK(directory.FindUser("alice@acme.example") != nullptr);
  CHECK(directory.FindUser("Alice@acme.example") == nullptr);   // callers lower-case first
  CHECK(directory.FindUser("ALICE@ACME.EXAMPLE") == nullptr);
}

TEST_CASE("an address two users share belongs to the first, as before", "[flat_string_index][classify]") {
  const TenantDirectory directory(
      {"acme.example"}, {User("id-a", "alice@acme.example", {"alice@acme.example", "sales@acme.example"}, "005A"),
                         User("id-b", "bob@acme.example", {"bob@acme.example", "sales@acme.example"}, "005B")});
  REQUIRE(directory.FindUser("sales@acme.example") != nullptr);
  CHECK(directory.FindUser("sales@acme.example")->id() == "id-a");
  CHECK(directory.FindUser("bob@acme.example")->id() == "id-b");
}

TEST_CASE("a primary not among the aliases is found too", "[flat_string_index][classify]") {
  const TenantDirectory directory({"acme.example"}, {User("id-a", "alice@acme.example", {"a@acme.example"}, "005A")});
  REQUIRE(directory.FindUser("alice@acme.example") != nullptr);
  REQUIRE(directory.FindUser("a@acme.example") != nullptr);
  CHECK(directory.FindUser("alice@acme.example")->salesforce_user_id() == "005A");
  CHECK(HasAddress(directory.users()[0], "alice@acme.example"));
  CHECK_FALSE(HasAddress(directory.users()[0], "bob@acme.example"));
}
