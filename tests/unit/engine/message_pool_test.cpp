#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "crmsync/core/message_pool.hpp"

using namespace crmsync;

namespace {

Message Filled() {
  Message m;
  m.source_id = std::string(100, 'i');
  m.internet_message_id = "<a-long-message-id@customer.example>";
  m.subject = std::string(50, 's');
  m.body_text = std::string(2000, 'b');
  m.sent_at = "2026-05-01T10:00:00Z";
  m.from = {"from-address-long@customer.example", "From Name Long Enough"};
  m.to = {{"to-1-address-long@customer.example", "To One"}, {"to-2@x.example", ""}};
  m.cc = {{"cc-address-long@customer.example", "Cc"}};
  m.bcc = {{"bcc-address-long@customer.example", "Bcc"}};
  m.categories = {"Customer"};
  m.labels = {"INBOX"};
  m.folder = "Inbox";
  m.auto_submitted = "auto-generated";
  m.precedence = "bulk";
  m.has_list_unsubscribe = true;
  m.is_auto_reply = true;
  m.is_draft = true;
  m.removed = true;
  return m;
}

void CheckEmpty(const Message& m) {
  CHECK(m.source_id.empty());
  CHECK(m.internet_message_id.empty());
  CHECK(m.subject.empty());
  CHECK(m.body_text.empty());
  CHECK(m.sent_at.empty());
  CHECK(m.from.address.empty());
  CHECK(m.from.name.empty());
  CHECK(m.to.empty());
  CHECK(m.cc.empty());
  CHECK(m.bcc.empty());
  CHECK(m.categories.empty());
  CHECK(m.labels.empty());
  CHECK(m.folder.empty());
  CHECK(m.auto_submitted.empty());
  CHECK(m.precedence.empty());
  CHECK_FALSE(m.has_list_unsubscribe);
  CHECK_FALSE(m.is_auto_reply);
  CHECK_FALSE(m.is_draft);
  CHECK_FALSE(m.removed);
}

void DrainPool() {
  while (!TakeRecycledMessages().empty()) {
  }
}

}  // namespace

TEST_CASE("a reused message is empty in every field and keeps its strings' capacity", "[message_pool]") {
  Message m = Filled();
  const char* body = m.body_text.data();
  ReuseMessage(m);
  CheckEmpty(m);
  m.body_text.assign(1500, 'c');   // fits the old capacity: the same buffer
  CHECK(m.body_text.data() == body);
}

TEST_CASE("participants of a reused message are handed to the next TakeParticipant, emptied", "[message_pool]") {
  for (int i = 0; i < 1000; ++i) (void)TakeParticipant();   // whatever earlier tests set aside (at most 256)
  Message m = Filled();
  const char* address = m.bcc[0].address.data();
  ReuseMessage(m);
  // Set aside in order to, cc, bcc; taken last-in first-out.
  Participant p = TakeParticipant();
  CHECK(p.address.empty());
  CHECK(p.name.empty());
  p.address.assign("bcc-address-long@customer.example");
  CHECK(p.address.data() == address);
}

TEST_CASE("a huge string is released, not pooled", "[message_pool]") {
  Message m;
  m.body_text.assign(kMaxPooledStringBytes + 1, 'x');
  ReuseMessage(m);
  CHECK(m.body_text.empty());
  CHECK(m.body_text.capacity() < kMaxPooledStringBytes);
}

TEST_CASE("the pool hands back recycled pages and holds a bounded number", "[message_pool]") {
  DrainPool();
  CHECK(TakeRecycledMessages().empty());
  RecycleMessages(std::vector<Message>{});   // nothing to keep
  CHECK(TakeRecycledMessages().empty());
  for (std::size_t i = 0; i < kMaxPooledPages + 5; ++i) {
    std::vector<Message> page(3);
    page[0].subject = "page " + std::to_string(i);
    RecycleMessages(std::move(page));
  }
  std::size_t pages = 0;
  for (auto page = TakeRecycledMessages(); !page.empty(); page = TakeRecycledMessages()) {
    CHECK(page.size() == 3);
    ++pages;
  }
  CHECK(pages == kMaxPooledPages);
}

TEST_CASE("a parser's unused messages go back to the pool, and a parser out of messages takes more",
          "[message_pool]") {
  DrainPool();
  std::vector<Message> slots;
  for (int i = 0; i < 5; ++i) slots.push_back(Filled());
  const char* fourth = slots[3].body_text.data();
  RecycleUnusedMessages(slots, 2);
  CHECK(slots.size() == 2);
  RecycleUnusedMessages(slots, 2);   // nothing unused: nothing pooled
  std::vector<Message> taken;
  REQUIRE(TakeMoreRecycledMessages(taken));
  REQUIRE(taken.size() == 3);
  CHECK(taken[1].body_text.data() == fourth);   // the same strings, in order
  CHECK_FALSE(TakeMoreRecycledMessages(taken));   // the pool is empty: nothing appended
  CHECK(taken.size() == 3);
  // Appended after what the parser already holds.
  RecycleMessages(std::move(slots));
  REQUIRE(TakeMoreRecycledMessages(taken));
  CHECK(taken.size() == 5);
  CHECK(taken[2].body_text.size() == 2000);
}
