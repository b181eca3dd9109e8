// Response bodies recycled per thread. A page of 1,000 messages is a 1-2 MB
// body; allocated fresh per request, its pages were faulted in and cleared
// by the kernel every time (a tenth of the simulator's CPU in the 1M run).
// With one thread per connection, a connection renders its next page into
// the buffer libmicrohttpd has just finished sending.
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

}  // namespace crmsync::sim
