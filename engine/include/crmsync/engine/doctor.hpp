// `crmsync doctor`: checks that a configuration can run, one line per check
// with a fix for each failure: the state directory, and per tenant every
// configured endpoint (reachable, TLS valid), the mailbox token grant, the
// Salesforce token grant, and the Salesforce fields crmsync writes
// (Crmsync_Key__c as an external id on each sObject of the chosen object
// model, by describe). Never prints a secret.
#pragma once

#include <string>
#include <vector>

#include "crmsync/engine/config.hpp"
#include "crmsync/http/transport.hpp"

namespace crmsync::engine {

struct DoctorCheck {
  std::string scope;    // tenant id, or "state"
  std::string name;     // e.g. "salesforce token grant", "endpoint microsoft.graph_url https://..."
  bool ok = false;
  bool skipped = false; // not applicable or blocked by an earlier failure (counts as ok)
  std::string detail;   // what failed ("" when ok)
  std::string fix;      // what to do about it ("" when ok)
};

struct DoctorOptions {
  std::string state_dir;
};

// Runs every check; never throws. The transport must be running (its
// completions arrive on its own thread; this blocks the caller).
std::vector<DoctorCheck> RunDoctor(const Config& config, const DoctorOptions& options, http::Transport& transport);

// "ok    SCOPE  NAME" or "FAIL  SCOPE  NAME: DETAIL\n      fix: FIX".
std::string FormatDoctorCheck(const DoctorCheck& check);

// The sObjects crmsync writes for a tenant: Task, or EmailMessage and
// EmailMessageRelation (enhanced_email); Event when calendar capture is on.
std::vector<std::string> SObjectsWritten(const TenantConfig& tenant);

}  // namespace crmsync::engine
