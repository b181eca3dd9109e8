// Free/busy only (capture.calendar = "free_busy", issue item 7): per run,
// each user's busy slots over [anchor, anchor + freebusy_days) are read with
// the free/busy endpoints alone (Graph getSchedule, Google freeBusy: no
// subject, body, attendee or location is ever requested) and written as
// Events (Subject "Busy", ShowAs Busy, owned by the user's Salesforce user),
// or as ResourceAbsences of the user's ServiceResource where the org has
// Salesforce Scheduler. Private to the engine.
//
// A slot that disappeared since the last run (its meeting was cancelled or
// moved): the slots written are remembered per user in the state (directory
// row "busy-slots/<user id>"); one that still lies inside the new window
// but is no longer busy is re-written as Subject "Free", ShowAs Free, so the
// user's time is released. Absences are left as they are (crmsync deletes
// nothing); see README.
#pragma once

#include <chrono>

#include "tenant_runtime.hpp"

namespace crmsync::engine {

void RunTenantFreeBusy(TenantRuntime& tenant, state::Store& store, std::chrono::system_clock::time_point now);

}  // namespace crmsync::engine
