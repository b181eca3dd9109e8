// Google Calendar as a CalendarSource, sharing the Gmail source's caller
// (tokens per impersonated user, quota pacing, retries).
//
// Cursors (connector-private, opaque to the engine):
//   "full|<timeMin>|<timeMax>|<pageToken>"  a full sync of the window
//   "sync|<syncToken>|<pageToken>"           an increment
// The last page of a round hands over to "sync|<nextSyncToken>|". A 410
// (sync token expired) is kGone: the engine restarts from the full cursor.
#pragma once

#include <memory>
#include <string>

#include "crmsync/core/calendar_source.hpp"
#include "gmail_caller.hpp"

namespace crmsync::gmail::detail {

std::unique_ptr<CalendarSource> MakeGoogleCalendarSource(GmailCaller& caller, std::string api_url);

}  // namespace crmsync::gmail::detail
