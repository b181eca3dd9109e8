// The simulated calendar endpoints (issue items 6 and 7):
//   Graph  GET  /v1.0/users/{id}/calendarView/delta   family graph.calendar_delta
//   Graph  POST /v1.0/users/{id}/calendar/getSchedule family graph.get_schedule
//   Google GET  /calendar/v3/calendars/{primary|address}/events   family google.calendar_events
//   Google POST /calendar/v3/freeBusy                 family google.freebusy
// Pages that carry event details (subject, attendees, ...) count as
// detail_reads, as mail pages do; free/busy answers carry only times and
// never count, so a free/busy-only run leaves detail_reads unchanged.
// Links and sync tokens are stateless (they encode the round). Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "calendar_model.hpp"
#include "corpus.hpp"
#include "google_auth.hpp"
#include "http_server.hpp"
#include "http_util.hpp"
#include "identity_service.hpp"

namespace crmsync::sim {

class CalendarService {
 public:
  static constexpr int kDefaultGraphPage = 10;     // Outlook resources' default page
  static constexpr int kMaxGraphPage = 1000;
  static constexpr int kDefaultGooglePage = 250;
  static constexpr int kMaxGooglePage = 2500;
  static constexpr int kMaxSchedules = 100;        // ErrorMailboxDataArrayTooBig above
  static constexpr int kMaxFreeBusyItems = 50;     // Google's calendarExpansionMax

  CalendarService(const Corpus& corpus, const IdentityService& identity, const google::GoogleAuth& google_auth,
                  std::string origin, RequestStats& stats);

  static bool Owns(const HttpRequest& request);
  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse GraphDelta(const HttpRequest& request, int tenant, int user);
  HttpResponse GraphGetSchedule(const HttpRequest& request, int tenant);
  HttpResponse GoogleEvents(const HttpRequest& request, int tenant, int user);
  HttpResponse GoogleFreeBusy(const HttpRequest& request, int tenant);
  HttpResponse HandleGraph(const HttpRequest& request, bool delta);
  HttpResponse HandleGoogle(const HttpRequest& request, bool events);

  const Corpus& corpus_;
  const IdentityService& identity_;
  const google::GoogleAuth& google_auth_;
  std::string origin_;
  RequestStats& stats_;
  CalendarModel model_;
};

}  // namespace crmsync::sim
