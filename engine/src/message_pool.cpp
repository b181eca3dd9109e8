#include "crmsync/core/message_pool.hpp"

#include <mutex>
#include <utility>

namespace crmsync {
namespace {

// Participants set aside per thread: a parser thread reuses what it set aside.
constexpr std::size_t kMaxSpareParticipants = 256;

struct Pool {
  std::mutex mutex;
  std::vector<std::vector<Message>> pages;
};

Pool& ThePool() {
  static Pool pool;   // never destroyed before the last page: function-local static
  return pool;
}

std::vector<Participant>& SpareParticipants() {
  thread_local std::vector<Participant> spare;
  return spare;
}

void Reuse(std::string& text) {
  if (text.capacity() > kMaxPooledStringBytes) {
    std::string().swap(text);
  } else {
    text.clear();
  }
}

void SetAside(std::vector<Participant>& participants) {
  auto& spare = SpareParticipants();
  for (Participant& p : participants) {
    if (spare.size() >= kMaxSpareParticipants) break;
    Reuse(p.address);
    Reuse(p.name);
    spare.push_back(std::move(p));
  }
  participants.clear();
}

}  // namespace

std::vector<Message> TakeRecycledMessages() {
  Pool& pool = ThePool();
  std::lock_guard lock(pool.mutex);
  if (pool.pages.empty()) return {};
  std::vector<Message> messages = std::move(pool.pages.back());
  pool.pages.pop_back();
  return messages;
}

void RecycleMessages(std::vector<Message>&& messages) {
  if (messages.empty()) return;
  Pool& pool = ThePool();
  std::lock_guard lock(pool.mutex);
  // When full, `messages` is left to its owner, who frees it.
  if (pool.pages.size() < kMaxPooledPages) pool.pages.push_back(std::move(messages));
}

bool TakeMoreRecycledMessages(std::vector<Message>& slots) {
  std::vector<Message> more = TakeRecycledMessages();
  if (more.empty()) return false;
  slots.reserve(slots.size() + more.size());
  for (Message& message : more) slots.push_back(std::move(message));
  return true;
}

void RecycleUnusedMessages(std::vector<Message>& slots, std::size_t used) {
  if (used >= slots.size()) return;
  std::vector<Message> rest;
  rest.reserve(slots.size() - used);
  for (std::size_t i = used; i < slots.size(); ++i) rest.push_back(std::move(slots[i]));
  slots.resize(used);
  RecycleMessages(std::move(rest));
}

// Every field of Message is emptied below: a field added to Message must be
// added here too, or a reused message would carry another email's value.
// (10 strings, 5 vectors and 4 flags on libstdc++ x86-64; update with the field.)
static_assert(sizeof(Message) == 10 * sizeof(std::string) + 5 * sizeof(std::vector<std::string>) + 8,
              "Message changed: empty the new field in ReuseMessage, then update this check");

void ReuseMessage(Message& message) {
  Reuse(message.source_id);
  Reuse(message.internet_message_id);
  Reuse(message.subject);
  Reuse(message.body_text);
  Reuse(message.sent_at);
  Reuse(message.from.address);
  Reuse(message.from.name);
  SetAside(message.to);
  SetAside(message.cc);
  SetAside(message.bcc);
  message.categories.clear();
  message.labels.clear();
  Reuse(message.folder);
  Reuse(message.auto_submitted);
  Reuse(message.precedence);
  message.has_list_unsubscribe = false;
  message.is_auto_reply = false;
  message.is_draft = false;
  message.removed = false;
}

Participant TakeParticipant() {
  auto& spare = SpareParticipants();
  if (spare.empty()) return {};
  Participant p = std::move(spare.back());
  spare.pop_back();
  return p;
}

}  // namespace crmsync
