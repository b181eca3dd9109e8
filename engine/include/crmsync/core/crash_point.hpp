// Named crash points for crash tests (tools/crashtest, tests/integration/crash_test.cpp).
//
// CRMSYNC_CRASH_POINT("name") kills the process with SIGKILL when the build has
// CRMSYNC_CRASH_POINTS on and the environment variable CRMSYNC_CRASH_AT names
// this point: CRMSYNC_CRASH_AT=name kills at the first hit, name:N at the Nth.
// Random SIGKILLs rarely land on the few instructions between two dangerous
// steps (a Salesforce write answered and its ledger commit, say); a named
// point makes that moment certain. Without CRMSYNC_CRASH_AT a hit costs one
// branch on a flag read once; without the build option (CMake
// CRMSYNC_CRASH_POINTS, ON by default) the flag is always false.
#pragma once

namespace crmsync {

// True when CRMSYNC_CRASH_AT is set (read once, on first use).
bool CrashPointsArmed();
// Counts a hit of `name` and raises SIGKILL when it is the armed one.
void CrashPointHit(const char* name);

}  // namespace crmsync

// The build option gates crash_point.cpp only, so that turning it on or off
// recompiles one file: without it CrashPointsArmed() is always false.
#define CRMSYNC_CRASH_POINT(name)                                      \
  do {                                                                 \
    if (::crmsync::CrashPointsArmed()) ::crmsync::CrashPointHit(name); \
  } while (false)
