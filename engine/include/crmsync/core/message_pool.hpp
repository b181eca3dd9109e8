// Recycling of parsed messages: a page's std::vector<Message>, once the page
// is done, goes back to a small process-wide pool, and the next page's parser
// overwrites those messages in place. Strings assigned into a string that
// already has the capacity allocate nothing, so a steady run parses most
// fields without touching the heap. Thread-safe (one mutex, taken once per
// page, not per message). Bounded: at most kMaxPooledPages vectors, and a
// string larger than kMaxPooledStringBytes is released rather than kept, so
// the pool holds at most kMaxPooledPages x page size messages of strings up
// to 16 KiB. 128 because a run with the default 64 streams in flight has
// about that many pages alive at its peak: with 32, a third of the pages
// parsed found the pool empty and allocated every string anew (jemalloc's
// nmalloc over a 75,000-message run: 1.02 M with 32, 0.83 M with 128, 0.81 M
// with 512). The pool holds what those pages held at their peak, no more.
#pragma once

#include <cstddef>
#include <vector>

#include "crmsync/core/message.hpp"

namespace crmsync {

inline constexpr std::size_t kMaxPooledPages = 128;
inline constexpr std::size_t kMaxPooledStringBytes = 16 * 1024;

// A vector of stale messages to overwrite (ReuseMessage each first), or an
// empty vector when the pool is empty.
std::vector<Message> TakeRecycledMessages();
// Gives a finished page's messages back to the pool (dropped when it is full).
void RecycleMessages(std::vector<Message>&& messages);
// A parser out of stale messages: appends those of one more pooled vector to
// `slots` (ReuseMessage each first); false when the pool is empty.
bool TakeMoreRecycledMessages(std::vector<Message>& slots);
// A parser done with fewer messages than it took: keeps `used` of `slots`
// and gives the rest back to the pool rather than freeing their strings
// (pages differ in size, so the tail of a larger page would otherwise be
// freed and the next larger page allocate its messages anew).
void RecycleUnusedMessages(std::vector<Message>& slots, std::size_t used);

// Empties `message` as a default-constructed one, keeping the capacity of its
// strings and vectors; its participants' strings are kept aside for the next
// TakeParticipant of this thread.
void ReuseMessage(Message& message);
// An empty Participant, with the capacity of one set aside by ReuseMessage on
// this thread when there is one.
Participant TakeParticipant();

}  // namespace crmsync
