// Response bodies recycled per thread. A page of 1,000 messages is a 1-2 MB
// body; allocated fresh per request, its pages were faulted in and cleared
// by the kernel every time (a tenth of the simulator's CPU in the 1M run).
// With one thread per connection, a connection renders its next page into
// the buffer libmicrohttpd has just finished sending, and reads the next
// request body into the one its last request came in.
#pragma once

#include <string>

namespace crmsync::sim {

// An empty string with the capacity of the largest body this thread gave
// back (none: a plain empty string).
std::string TakeBodyBuffer();
// Keeps `body`'s storage for the thread's next TakeBodyBuffer() when it is
// larger than the one kept; buffers above kMaxKeptBodyBytes are released.
void KeepBodyBuffer(std::string&& body);

inline constexpr std::size_t kMaxKeptBodyBytes = 16u << 20;
// Request bodies are read into a buffer with this much room past their end,
// so that simdjson (SIMDJSON_PADDING, 64) can parse them in place.
inline constexpr std::size_t kBodyReadAhead = 64;

}  // namespace crmsync::sim
