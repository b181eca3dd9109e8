#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/engine/crm_resolver_cache.hpp"

using namespace crmsync::engine;

namespace {

// Every address hashes alike: only the compare against the stored address
// tells them apart.
struct ConstantHash {
  std::uint64_t operator()(std::string_view) const { return 7; }
};

// Short ones, and every fifth one long enough to be kept outside the entry
// (lengths around the inline limit of 44 bytes included).
std::vector<std::string> Addresses(std::size_t count) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    std::string address = "person" + std::to_string(i) + "@client.example";
    if (i % 5 == 0) address.insert(0, std::string(10 + i % 40, 'x'));
    out.push_back(std::move(address));
  }
  return out;
}

// Adds every address with its own answer, then reads every answer back.
template <class Hash>
void CheckAnswersKeptApart(std::size_t count) {
  const std::vector<std::string> addresses = Addresses(count);
  CrmResolverCache<Hash> cache;
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    CrmCacheEntry& entry = cache.FindOrAdd(addresses[i]);
    REQUIRE_FALSE(entry.answered);
    entry.answered = true;
    entry.match.contact_id = "003-" + std::to_string(i);
    entry.expires_unix_ms = static_cast<std::int64_t>(i);
  }
  REQUIRE(cache.size() == count);
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    const CrmCacheEntry* entry = cache.Find(addresses[i]);
    REQUIRE(entry != nullptr);
    CHECK(entry->match.contact_id == "003-" + std::to_string(i));
    CHECK(entry->expires_unix_ms == static_cast<std::int64_t>(i));
  }
  CHECK(cache.Find("nobody@client.example") == nullptr);
  CHECK(cache.Find("") == nullptr);
  // Exact match only: the resolver's addresses are lower-cased before they get here.
  CHECK(cache.Find("PERSON1@client.example") == nullptr);
  CHECK(cache.Find("person1@client.exampl") == nullptr);
}

}  // namespace

TEST_CASE("the CRM cache finds the answer of every address it holds and nothing else", "[resolve][cache]") {
  CheckAnswersKeptApart<StdStringViewHash>(3000);   // through several growths of the index and the entries
}

TEST_CASE("the CRM cache keeps colliding addresses apart by comparing the stored address", "[resolve][cache]") {
  CheckAnswersKeptApart<ConstantHash>(300);
}

TEST_CASE("the CRM cache adds an address once: FindOrAdd returns the same entry again", "[resolve][cache]") {
  CrmResolverCache<> cache;
  CHECK(cache.Find("a@x.example") == nullptr);
  CrmCacheEntry& added = cache.FindOrAdd("a@x.example");
  CHECK_FALSE(added.answered);
  CHECK_FALSE(added.asked);
  CHECK(added.match.contact_id.empty());
  added.asked = true;
  added.match.lead_id = "00Q1";
  CrmCacheEntry& again = cache.FindOrAdd("a@x.example");
  CHECK(again.asked);
  CHECK(again.match.lead_id == "00Q1");
  CHECK(cache.size() == 1);
  // Asked about but never answered: readers of matches do not see it.
  CHECK(cache.FindAnswered("a@x.example") == nullptr);
  again.answered = true;
  REQUIRE(cache.FindAnswered("a@x.example") != nullptr);
  CHECK(cache.FindAnswered("a@x.example")->match.lead_id == "00Q1");
  CHECK(cache.FindAnswered("b@x.example") == nullptr);
  // A colliding address is a new entry, and the first one is untouched.
  CrmResolverCache<ConstantHash> colliding;
  colliding.FindOrAdd("a@x.example").match.lead_id = "00Q1";
  colliding.FindOrAdd("b@x.example").match.lead_id = "00Q2";
  CHECK(colliding.size() == 2);
  CHECK(colliding.Find("a@x.example")->match.lead_id == "00Q1");
  CHECK(colliding.Find("b@x.example")->match.lead_id == "00Q2");
  // Addresses at and past the inline limit (44 bytes) that differ only in length.
  const std::string at_limit(44, 'a');
  const std::string past_limit(45, 'a');
  colliding.FindOrAdd(at_limit).match.contact_id = "003A";
  colliding.FindOrAdd(past_limit).match.contact_id = "003B";
  CHECK(colliding.size() == 4);
  CHECK(colliding.Find(at_limit)->match.contact_id == "003A");
  CHECK(colliding.Find(past_limit)->match.contact_id == "003B");
  CHECK(colliding.Find(std::string(43, 'a')) == nullptr);
  CHECK(colliding.Find(std::string(46, 'a')) == nullptr);
}
