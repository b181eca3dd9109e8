#include <catch2/catch.hpp>

#include "crmsync/engine/address_list.hpp"
#include "crmsync/engine/classify.hpp"
#include "crmsync/engine/text.hpp"

using namespace crmsync;
using namespace crmsync::engine;

namespace {

TenantDirectory MakeDirectory() {
  std::vector<MailboxUser> users;
  users.push_back({{"u1", "ann@acme.example", {"ann@acme.example", "a.smith@acme-alias.example"}, true}, "005A"});
  users.push_back({{"u2", "bob@acme.example", {"bob@acme.example"}, true}, "005B"});
  return TenantDirectory({"acme.example", "ACME-alias.example"}, std::move(users));
}

Message Mail(std::string from, std::vector<std::string> to, std::vector<std::string> cc = {}) {
  Message m;
  m.internet_message_id = "<Id-1@acme.example>";
  m.from.address = std::move(from);
  for (auto& a : to) m.to.push_back({std::move(a), ""});
  for (auto& a : cc) m.cc.push_back({std::move(a), ""});
  return m;
}

}  // namespace

TEST_CASE("internal-only mail is skipped, under aliases and mixed case too", "[classify]") {
  const auto directory = MakeDirectory();
  const auto& ann = directory.users()[0];
  auto c = Classify(Mail("Ann@ACME.example", {"A.Smith@acme-alias.example", "bob@acme.example"}), directory, ann);
  CHECK(c.skip == SkipReason::kInternalOnly);
  CHECK(c.external_addresses.empty());
}

TEST_CASE("external participants keep header order and are lower-cased and unique", "[classify]") {
  const auto directory = MakeDirectory();
  auto c = Classify(Mail("Zed@Customer.example", {"ann@acme.example", "amy@other.example"}, {"zed@customer.example"}),
                    directory, directory.users()[0]);
  CHECK(c.skip == SkipReason::kNone);
  CHECK(c.key == "id-1@acme.example");
  REQUIRE(c.external_addresses == std::vector<std::string>{"zed@customer.example", "amy@other.example"});
}

TEST_CASE("the owner is chosen from the message, not from the mailbox that saw it", "[classify]") {
  const auto directory = MakeDirectory();
  const Message mail = Mail("x@customer.example", {"a.smith@acme-alias.example", "bob@acme.example"});
  // Seen in Bob's mailbox and in Ann's: both copies pick Ann (first internal participant, by alias).
  CHECK(Classify(mail, directory, directory.users()[1]).owner_salesforce_id == "005A");
  CHECK(Classify(mail, directory, directory.users()[0]).owner_salesforce_id == "005A");
  // No internal participant with a mailbox: fall back to the mailbox owner.
  const Message bcc_only = Mail("x@customer.example", {"y@customer.example"});
  CHECK(Classify(bcc_only, directory, directory.users()[1]).owner_salesforce_id == "005B");
}

TEST_CASE("drafts, tombstones and mail without a Message-ID are skipped with their reason", "[classify]") {
  const auto directory = MakeDirectory();
  Message draft = Mail("ann@acme.example", {"x@customer.example"});
  draft.is_draft = true;
  CHECK(Classify(draft, directory, directory.users()[0]).skip == SkipReason::kDraft);
  Message removed;
  removed.removed = true;
  CHECK(Classify(removed, directory, directory.users()[0]).skip == SkipReason::kRemoved);
  Message no_id = Mail("ann@acme.example", {"x@customer.example"});
  no_id.internet_message_id = " ";
  CHECK(Classify(no_id, directory, directory.users()[0]).skip == SkipReason::kNoMessageId);
}

TEST_CASE("domains match on the whole domain, not a suffix", "[classify]") {
  const auto directory = MakeDirectory();
  CHECK(directory.IsInternal("x@acme.example"));
  CHECK_FALSE(directory.IsInternal("x@notacme.example"));
  CHECK_FALSE(directory.IsInternal("x@acme.example.evil"));
  CHECK_FALSE(directory.IsInternal("not-an-address"));
}

TEST_CASE("IsInternal answers alike with few domains (compared) and many (hashed)", "[classify]") {
  for (const std::size_t count : {std::size_t{1}, std::size_t{8}, std::size_t{9}, std::size_t{40}}) {
    std::vector<std::string> domains;
    for (std::size_t i = 0; i < count; ++i) domains.push_back("Org" + std::to_string(i) + ".EXAMPLE");
    const TenantDirectory directory(domains, {});
    INFO(count << " domains");
    CHECK(directory.IsInternal("x@org0.example"));
    CHECK(directory.IsInternal("x@org" + std::to_string(count - 1) + ".example"));
    CHECK_FALSE(directory.IsInternal("x@org" + std::to_string(count) + ".example"));
    CHECK_FALSE(directory.IsInternal("x@sub.org0.example"));
    CHECK_FALSE(directory.IsInternal("x@org0.example.evil"));
    CHECK_FALSE(directory.IsInternal("x@"));
    CHECK_FALSE(directory.IsInternal("org0.example"));
  }
}

TEST_CASE("an address list lower-cases, drops empty and repeated addresses, and keeps first-seen order",
          "[classify][address_list]") {
  AddressList list;
  CHECK(list.Add("Zed@Customer.EXAMPLE"));
  CHECK_FALSE(list.Add(""));
  CHECK(list.Add("amy@other.example"));
  CHECK_FALSE(list.Add("zed@customer.example"));
  CHECK_FALSE(list.Add("ZED@CUSTOMER.EXAMPLE"));
  CHECK(list.Add("Ünïcode@Other.Example"));   // only ASCII letters change case
  CHECK(list.addresses() == std::vector<std::string>{"zed@customer.example", "amy@other.example",
                                                     "Ünïcode@other.example"});
  list.Clear();
  CHECK(list.addresses().empty());
  CHECK(list.Add("AMY@other.example"));
  CHECK(list.addresses() == std::vector<std::string>{"amy@other.example"});
}

TEST_CASE("an address list reuses the storage of cleared addresses", "[classify][address_list]") {
  AddressList list;
  const std::string long_address = "a-rather-long-participant-address@customer.example";   // beyond SSO
  REQUIRE(list.Add(long_address));
  const char* storage = list.addresses().front().data();
  list.Clear();
  REQUIRE(list.Add("Another-Rather-Long-Address@Customer.example"));
  CHECK(list.addresses().front() == "another-rather-long-address@customer.example");
  CHECK(list.addresses().front().data() == storage);
  // A duplicate hands its string back too: the next address reuses it.
  REQUIRE_FALSE(list.Add("ANOTHER-rather-long-address@customer.example"));
  REQUIRE(list.Add("a-third-rather-long-participant@customer.example"));
  CHECK(list.addresses().size() == 2);
}

TEST_CASE("AssignAsciiLower lower-cases ASCII letters only, into the given string", "[classify][address_list]") {
  std::string out = "previous content that is long enough to be on the heap";
  AssignAsciiLower(out, "MiXeD@Case.EXAMPLE \xc3\x89");
  CHECK(out == "mixed@case.example \xc3\x89");
  AssignAsciiLower(out, "");
  CHECK(out.empty());
}

TEST_CASE("AssignAsciiLower changes exactly A-Z, every byte value at every position of a word", "[classify][address_list]") {
  std::string out;
  for (int value = 0; value < 256; ++value) {
    const char byte = static_cast<char>(value);
    const char lowered = value >= 'A' && value <= 'Z' ? static_cast<char>(value + 32) : byte;
    for (std::size_t length = 1; length <= 19; ++length) {
      for (std::size_t at = 0; at < length; ++at) {
        std::string text(length, 'Q');
        text[at] = byte;
        std::string expected(length, 'q');
        expected[at] = lowered;
        AssignAsciiLower(out, text);
        INFO("byte " << value << " at " << at << " of " << length);
        REQUIRE(out == expected);
      }
    }
  }
}

TEST_CASE("classifying many messages on one thread gives each its own participants", "[classify][address_list]") {
  // The participant list is reused per thread: a previous message's
  // addresses must never leak into the next one's result.
  const auto directory = MakeDirectory();
  const auto& ann = directory.users()[0];
  auto first = Classify(Mail("Zed@Customer.example", {"ann@acme.example", "amy@other.example", "x@y.example"}),
                        directory, ann);
  CHECK(first.external_addresses == std::vector<std::string>{"zed@customer.example", "amy@other.example", "x@y.example"});
  auto second = Classify(Mail("ann@acme.example", {"Bob@Third.example"}), directory, ann);
  CHECK(second.direction == Direction::kOutgoing);
  CHECK(second.external_addresses == std::vector<std::string>{"bob@third.example"});
  auto third = Classify(Mail("ann@acme.example", {"bob@acme.example"}), directory, ann);
  CHECK(third.skip == SkipReason::kInternalOnly);
  CHECK(third.external_addresses.empty());
}
