// Test-only access to SalesforceSim internals, for deterministic concurrency
// tests (STYLE.md practice 18: sync points, not sleeps). Not for production.
#pragma once

#include <functional>
#include <string>

#include "salesforce_sim.hpp"

namespace crmsync::sim {

struct SalesforceSimTestAccess {
  // `hook(org_id)` runs in every upsert after it decided which keys it
  // creates and released the org lock, before it commits them. Set it before
  // the first request; it may block (e.g. to hold a request in flight).
  static void SetUpsertDecidedHook(SalesforceSim& sim, std::function<void(const std::string&)> hook);
  // Creates that were decided while another in-flight request was creating
  // the same key (each one is a duplicate record on the org).
  static std::uint64_t RaceCreates(const SalesforceSim& sim, const std::string& org_id);
};

}  // namespace crmsync::sim
