#pragma once
// Which malloc this process runs on, for `--version`: the build links
// jemalloc into crmsync and crmsync-sim (CRMSYNC_ALLOCATOR), and a benchmark
// figure means little without knowing which allocator produced it.
#include <string>

namespace crmsync {

// "jemalloc 5.3.0-0-g54eaed1d…" when jemalloc's malloc serves this process,
// "system (glibc malloc)" otherwise.
std::string AllocatorInUse();

}  // namespace crmsync
