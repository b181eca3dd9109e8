// The calendar pass of a run (capture.calendar = "meetings"): after the mail
// flow graph, each ready tenant reads every user's calendar stream (cursor
// "calendar" next to the mail cursors), turns meetings with an external
// attendee who is a Contact or Lead into Event records (one per iCalUID,
// whichever calendars hold it) and upserts them. Private to the engine.
#pragma once

#include <chrono>

#include "tenant_runtime.hpp"

namespace crmsync::engine {

inline constexpr const char* kCalendarStream = "calendar";

// Blocking; never throws. Counts go to tenant.report.calendar, failures to
// the tenant's errors. Cursors move only when every record of the pass was
// answered by Salesforce (per-record refusals count as answered).
void RunTenantCalendar(TenantRuntime& tenant, state::Store& store, std::chrono::system_clock::time_point now);

}  // namespace crmsync::engine
