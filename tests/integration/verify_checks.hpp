// Checks of the simulator's ground truth (/_sim/verify) shared by the
// integration tests.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "harness.hpp"

namespace crmsync::harness {

// Every expected mail record written once, nothing else, none wrong.
inline void CheckMailExact(const Verify& v) {
  INFO(v.raw);
  CHECK(v.expected > 0);
  CHECK(v.missing == 0);
  CHECK(v.duplicates == 0);
  CHECK(v.unexpected == 0);
  CHECK(v.mismatched == 0);
}

// Every expected Event (or, with Scheduler, ResourceAbsence) written once,
// nothing else, none wrong.
inline void CheckEventsExact(const std::string& verify) {
  INFO(verify);
  CHECK(JsonInt(verify, "events.expected") > 0);
  CHECK(JsonInt(verify, "events.missing") == 0);
  CHECK(JsonInt(verify, "events.duplicates") == 0);
  CHECK(JsonInt(verify, "events.unexpected") == 0);
  CHECK(JsonInt(verify, "events.mismatched") == 0);
}

}  // namespace crmsync::harness
