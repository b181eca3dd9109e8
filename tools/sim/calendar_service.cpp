#include "calendar_service.hpp"

#include <simdjson.h>

#include <algorithm>
#include <vector>

#include <fmt/core.h>

#include "gmail_service.hpp"
#include "json_escape.hpp"
#include "text_util.hpp"

namespace crmsync::sim {
namespace {

constexpr std::string_view kGraphUsers = "/v1.0/users/";
constexpr std::string_view kGoogleCalendars = "/calendar/v3/calendars/";
constexpr std::string_view kGoogleFreeBusy = "/calendar/v3/freeBusy";
constexpr std::int64_t kMaxWindowSeconds = 62LL * 86400;   // getSchedule / freeBusy window cap

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// One delta / sync round: which calendar, which window, which epochs, where.
struct Round {
  int tenant = 0, user = 0;
  std::int64_t window_start = 0, window_end = 0;   // 0/0: no window (Google without timeMin/timeMax)
  int from_epoch = 0, to_epoch = 0;
  int offset = 0;
  bool full = true;
};

std::string EncodeRound(const Round& r) {
  return Base64UrlEncode(fmt::format("cal1.{}.{}.{}.{}.{}.{}.{}.{}", r.tenant, r.user, r.window_start, r.window_end,
                                     r.from_epoch, r.to_epoch, r.offset, r.full ? 1 : 0));
}

std::optional<Round> DecodeRound(std::string_view token) {
  auto text = Base64UrlDecode(token);
  if (!text || text->rfind("cal1.", 0) != 0) return std::nullopt;
  std::vector<std::string_view> parts;
  std::string_view rest = std::string_view(*text).substr(5);
  while (true) {
    std::size_t dot = rest.find('.');
    parts.push_back(rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (parts.size() != 8) return std::nullopt;
  std::uint64_t v[8];
  for (std::size_t i = 0; i < 8; ++i) {
    auto n = ParseUint(parts[i]);
    if (!n || *n > (1ULL << 40)) return std::nullopt;
    v[i] = *n;
  }
  Round r;
  r.tenant = static_cast<int>(v[0]);
  r.user = static_cast<int>(v[1]);
  r.window_start = static_cast<std::int64_t>(v[2]);
  r.window_end = static_cast<std::int64_t>(v[3]);
  r.from_epoch = static_cast<int>(v[4]);
  r.to_epoch = static_cast<int>(v[5]);
  r.offset = static_cast<int>(v[6]);
  r.full = v[7] == 1;
  if (r.from_epoch > r.to_epoch) return std::nullopt;
  return r;
}

struct RoundItem {
  SimMeeting meeting;
  bool tombstone = false;
};

// Full rounds list the window's meetings; increments list what changed
// (new meetings, cancellations, in-place changes), and out-of-window changes as tombstones, as
// Graph does (API-FACTS.md §1.4).
std::vector<RoundItem> RoundItems(const CalendarModel& model, const Round& r, const Epochs& epochs) {
  const bool windowed = r.window_end > r.window_start;
  std::vector<RoundItem> items;
  auto add = [&](SimMeeting m) {
    const bool inside = !windowed || m.Overlaps(r.window_start, r.window_end);
    if (!inside && r.full) return;
    items.push_back(RoundItem{std::move(m), !inside});
  };
  for (SimMeeting& m : model.Calendar(r.tenant, r.user, r.from_epoch, r.to_epoch, epochs)) add(std::move(m));
  if (!r.full) {
    for (SimMeeting& m : model.CancelledSince(r.tenant, r.user, r.from_epoch, r.to_epoch, epochs)) add(std::move(m));
    for (SimMeeting& m : model.ChangedSince(r.tenant, r.user, r.from_epoch, r.to_epoch, epochs)) add(std::move(m));
  }
  return items;
}

std::string GraphDateTime(std::int64_t t) {
  std::string iso = FormatIsoUtc(t);   // ...Z
  iso.pop_back();
  return iso + ".0000000";
}

const char* GraphResponse(std::uint64_t h) {
  switch (h % 4) {
    case 0: return "accepted";
    case 1: return "tentativelyAccepted";
    case 2: return "declined";
    default: return "none";
  }
}

const char* GoogleResponse(std::uint64_t h) {
  switch (h % 4) {
    case 0: return "accepted";
    case 1: return "tentative";
    case 2: return "declined";
    default: return "needsAction";
  }
}

struct Person {
  std::string name, address;
};

std::vector<Person> Attendees(const Tenant& t, const SimMeeting& m) {
  std::vector<Person> out;
  const MailUser& organizer = t.users[static_cast<std::size_t>(m.ref.organizer)];
  out.push_back({organizer.display_name, organizer.primary});
  if (m.internal_attendee >= 0) {
    const MailUser& u = t.users[static_cast<std::size_t>(m.internal_attendee)];
    out.push_back({u.display_name, u.primary});
  }
  for (int p : m.people) {
    const ExternalPerson& person = t.people[static_cast<std::size_t>(p)];
    out.push_back({person.display_name, person.address});
  }
  return out;
}

std::string GraphEventJson(const CalendarModel& model, const Tenant& t, const SimMeeting& m, int user, bool tombstone,
                           int epoch_count) {
  const std::string id = model.GraphEventId(m, user);
  if (tombstone) {
    return fmt::format(R"({{"@odata.type":"#microsoft.graph.event","id":"{}","@removed":{{"reason":"deleted"}}}})", id);
  }
  const std::vector<Person> people = Attendees(t, m);
  std::string attendees;
  for (std::size_t i = 0; i < people.size(); ++i) {
    if (i > 0) attendees += ',';
    const char* response = i == 0 ? "organizer" : GraphResponse(std::hash<std::string>{}(m.ical_uid) + i);
    attendees += fmt::format(
        R"({{"type":"required","status":{{"response":"{}","time":"0001-01-01T00:00:00Z"}},"emailAddress":{{"name":"{}","address":"{}"}}}})",
        response, JsonEscape(people[i].name), JsonEscape(people[i].address));
  }
  return fmt::format(
      R"({{"@odata.type":"#microsoft.graph.event","id":"{}","iCalUId":"{}","subject":"{}","isAllDay":{},"isCancelled":{},)"
      R"("start":{{"dateTime":"{}","timeZone":"UTC"}},"end":{{"dateTime":"{}","timeZone":"UTC"}},)"
      R"("location":{{"displayName":"{}"}},"organizer":{{"emailAddress":{{"name":"{}","address":"{}"}}}},"attendees":[{}]}})",
      id, m.ical_uid, JsonEscape(m.subject), m.all_day, m.CancelledAt(epoch_count), GraphDateTime(m.start),
      GraphDateTime(m.end), JsonEscape(m.location), JsonEscape(people[0].name), JsonEscape(people[0].address),
      attendees);
}

std::string GoogleTime(const SimMeeting& m, std::int64_t t) {
  if (m.all_day) return fmt::format(R"({{"date":"{}"}})", FormatDate(t));
  return fmt::format(R"({{"dateTime":"{}","timeZone":"UTC"}})", FormatIsoUtc(t));
}

std::string GoogleEventJson(const CalendarModel& model, const Tenant& t, const SimMeeting& m, int user,
                            int epoch_count) {
  const std::vector<Person> people = Attendees(t, m);
  std::string attendees;
  for (std::size_t i = 0; i < people.size(); ++i) {
    if (i > 0) attendees += ',';
    const bool self = (i == 0 && m.ref.organizer == user) || (i == 1 && m.internal_attendee == user);
    attendees += fmt::format(R"({{"email":"{}","displayName":"{}","responseStatus":"{}"{}{}}})",
                             JsonEscape(people[i].address), JsonEscape(people[i].name),
                             i == 0 ? "accepted" : GoogleResponse(std::hash<std::string>{}(m.ical_uid) + i),
                             i == 0 ? R"(,"organizer":true)" : "", self ? R"(,"self":true)" : "");
  }
  return fmt::format(
      R"({{"kind":"calendar#event","id":"{}","status":"{}","iCalUID":"{}","summary":"{}","location":"{}",)"
      R"("start":{},"end":{},"organizer":{{"email":"{}","displayName":"{}"}},"attendees":[{}]}})",
      model.GoogleEventId(m, user), m.CancelledAt(epoch_count) ? "cancelled" : "confirmed", m.ical_uid,
      JsonEscape(m.subject), JsonEscape(m.location), GoogleTime(m, m.start), GoogleTime(m, m.end),
      JsonEscape(people[0].address), JsonEscape(people[0].name), attendees);
}

std::optional<int> FindUserInTenant(const Corpus& corpus, int tenant, std::string_view key) {
  auto found = corpus.FindUser(key);
  if (!found || found->first != tenant) return std::nullopt;
  return found->second;
}

HttpResponse GoogleBadRequest(std::string_view message) {
  return google::GoogleError(400, message, "badRequest", "INVALID_ARGUMENT");
}

}  // namespace

CalendarService::CalendarService(const Corpus& corpus, const IdentityService& identity,
                                 const google::GoogleAuth& google_auth, std::string origin, RequestStats& stats)
    : corpus_(corpus), identity_(identity), google_auth_(google_auth), origin_(std::move(origin)), stats_(stats),
      model_(corpus) {}

bool CalendarService::Owns(const HttpRequest& request) {
  const std::string& p = request.path;
  if (p == kGoogleFreeBusy || p.rfind(kGoogleCalendars, 0) == 0) return true;
  if (p.rfind(kGraphUsers, 0) != 0) return false;
  std::vector<std::string_view> seg = Split(std::string_view(p).substr(kGraphUsers.size()));
  return seg.size() == 3 && ((EqualsNoCase(seg[1], "calendarView") && EqualsNoCase(seg[2], "delta")) ||
                             (EqualsNoCase(seg[1], "calendar") && EqualsNoCase(seg[2], "getSchedule")));
}

HttpResponse CalendarService::Handle(const HttpRequest& request) {
  if (request.path.rfind(kGraphUsers, 0) == 0) {
    const bool delta = request.path.find("/calendarView/") != std::string::npos ||
                       request.path.find("/calendarview/") != std::string::npos;
    HttpResponse r = HandleGraph(request, delta);
    stats_.Count(delta ? "graph.calendar_delta" : "graph.get_schedule", r.status);
    return r;
  }
  const bool events = request.path != kGoogleFreeBusy;
  HttpResponse r = HandleGoogle(request, events);
  stats_.Count(events ? "google.calendar_events" : "google.freebusy", r.status);
  return r;
}

HttpResponse CalendarService::HandleGraph(const HttpRequest& request, bool delta) {
  if (request.method != (delta ? "GET" : "POST")) {
    return GraphError(request, 405, "BadRequest", "Unsupported HTTP method for this resource.");
  }
  std::string authorization = request.header("authorization");
  std::string_view token;
  if (authorization.size() > 7 && EqualsNoCase(authorization.substr(0, 7), "bearer ")) {
    token = Trim(std::string_view(authorization).substr(7));
  }
  auto check = identity_.Check(token);
  if (token.empty() || check.state != IdentityService::TokenState::kValid ||
      check.audience != IdentityService::Audience::kGraph) {
    return GraphError(request, 401, "InvalidAuthenticationToken", "Access token validation failure.");
  }
  std::vector<std::string_view> seg = Split(std::string_view(request.path).substr(kGraphUsers.size()));
  auto user = FindUserInTenant(corpus_, check.tenant, seg[0]);
  if (!user) return GraphError(request, 404, "ErrorItemNotFound", "The specified object was not found in the store.");
  if (check.user >= 0 && check.user != *user) {
    // A user's delegated token reaches that user's own calendar only.
    return GraphError(request, 403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
  }
  return delta ? GraphDelta(request, check.tenant, *user) : GraphGetSchedule(request, check.tenant);
}

HttpResponse CalendarService::GraphDelta(const HttpRequest& request, int tenant, int user) {
  const Epochs epochs = corpus_.epochs();
  const int epoch_count = static_cast<int>(epochs.size());
  Round round;
  int page_size = kDefaultGraphPage;
  if (auto prefs = ParsePrefer(request.header("prefer")); prefs.max_page_size) {
    page_size = std::clamp(*prefs.max_page_size, 1, kMaxGraphPage);
  }
  auto skip = QueryValue(request, "$skiptoken");
  auto delta = QueryValue(request, "$deltatoken");
  if (skip || delta) {
    auto decoded = DecodeRound(skip ? *skip : *delta);
    if (!decoded || decoded->tenant != tenant || decoded->user != user || decoded->to_epoch > epoch_count) {
      return GraphError(request, 410, "SyncStateNotFound",
                        fmt::format("The sync state generation is not found; generation={};", RandomUuid()));
    }
    round = *decoded;
    if (delta) {   // a new round: what changed since the last one ended
      round.from_epoch = round.to_epoch;
      round.to_epoch = epoch_count;
      round.offset = 0;
      round.full = false;
    }
  } else {
    auto start = QueryValue(request, "startDateTime");
    auto end = QueryValue(request, "endDateTime");
    if (!start || !end) {
      return GraphError(request, 400, "ErrorInvalidParameters",
                        "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.");
    }
    auto s = ParseIsoSeconds(*start);
    auto e = ParseIsoSeconds(*end);
    if (!s || !e || *e <= *s) {
      return GraphError(request, 400, "ErrorInvalidParameters", "The time window given by StartDateTime and EndDateTime is invalid.");
    }
    round = Round{tenant, user, *s, *e, 0, epoch_count, 0, true};
  }
  std::vector<RoundItem> items = RoundItems(model_, round, epochs);
  const Tenant& t = corpus_.tenants()[static_cast<std::size_t>(tenant)];
  const int total = static_cast<int>(items.size());
  const int end = std::min(total, round.offset + page_size);
  const std::string base = fmt::format("{}/v1.0/users/{}/calendarView/delta", origin_, t.users[static_cast<std::size_t>(user)].graph_id);
  std::string body = fmt::format(R"js({{"@odata.context":"{}/v1.0/$metadata#Collection(event)",)js", JsonEscape(origin_));
  if (end < total) {
    Round next = round;
    next.offset = end;
    body += fmt::format(R"("@odata.nextLink":"{}?$skiptoken={}",)", JsonEscape(base), EncodeRound(next));
  } else {
    Round next = round;
    next.offset = 0;
    body += fmt::format(R"("@odata.deltaLink":"{}?$deltatoken={}",)", JsonEscape(base), EncodeRound(next));
  }
  body += R"("value":[)";
  bool details = false;
  for (int i = round.offset; i < end; ++i) {
    const RoundItem& item = items[static_cast<std::size_t>(i)];
    if (i > round.offset) body += ',';
    body += GraphEventJson(model_, t, item.meeting, user, item.tombstone, epoch_count);
    details = details || !item.tombstone;
  }
  body += "]}";
  if (details) stats_.CountDetailRead();
  HttpResponse r = JsonResponse(200, std::move(body));
  AddGraphIds(request, r, RandomUuid());
  return r;
}

HttpResponse CalendarService::GraphGetSchedule(const HttpRequest& request, int tenant) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(request.body).get(root)) return GraphError(request, 400, "BadRequest", "Unable to read JSON request payload.");
  simdjson::dom::array schedules;
  std::string_view start_text, end_text;
  std::int64_t interval = 30;
  if (root["schedules"].get(schedules) || root["startTime"]["dateTime"].get(start_text) ||
      root["endTime"]["dateTime"].get(end_text)) {
    return GraphError(request, 400, "ErrorInvalidRequest", "schedules, startTime and endTime are required.");
  }
  if (auto v = root["availabilityViewInterval"]; !v.error()) {
    if (v.get(interval)) return GraphError(request, 400, "ErrorInvalidRequest", "availabilityViewInterval must be a number.");
  }
  if (interval < 5 || interval > 1440) {
    return GraphError(request, 400, "ErrorInvalidParameter", "availabilityViewInterval must be between 5 and 1440.");
  }
  if (schedules.size() > static_cast<std::size_t>(kMaxSchedules)) {
    return GraphError(request, 400, "ErrorMailboxDataArrayTooBig",
                      fmt::format("The allowed size = {}; actual size = {}.", kMaxSchedules, schedules.size()));
  }
  auto start = ParseIsoSeconds(start_text);
  auto end = ParseIsoSeconds(end_text);
  if (!start || !end || *end <= *start || *end - *start > kMaxWindowSeconds) {
    return GraphError(request, 400, "ErrorInvalidTimeInterval", "The time interval is invalid.");
  }
  const Epochs epochs = corpus_.epochs();
  const int epoch_count = static_cast<int>(epochs.size());
  const std::int64_t step = interval * 60;
  const std::int64_t slots = (*end - *start + step - 1) / step;
  std::string body = fmt::format(R"js({{"@odata.context":"{}/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)","value":[)js",
                                 JsonEscape(origin_));
  bool first = true;
  for (simdjson::dom::element entry : schedules) {
    std::string_view address;
    if (entry.get(address)) return GraphError(request, 400, "ErrorInvalidRequest", "schedules must be strings.");
    if (!first) body += ',';
    first = false;
    auto user = FindUserInTenant(corpus_, tenant, address);
    if (!user) {
      body += fmt::format(
          R"({{"scheduleId":"{}","availabilityView":"","error":{{"message":"The user could not be found.","responseCode":"ErrorMailRecipientNotFound"}}}})",
          JsonEscape(address));
      continue;
    }
    std::string view(static_cast<std::size_t>(slots), '0');
    std::string items;
    for (const SimMeeting& m : model_.Calendar(tenant, *user, 0, epoch_count, epochs)) {
      if (m.CancelledAt(epoch_count) || !m.Overlaps(*start, *end)) continue;
      if (!items.empty()) items += ',';
      // Times only: free/busy never carries subject, location or attendees here.
      items += fmt::format(
          R"({{"isPrivate":false,"status":"busy","start":{{"dateTime":"{}","timeZone":"UTC"}},"end":{{"dateTime":"{}","timeZone":"UTC"}}}})",
          GraphDateTime(m.start), GraphDateTime(m.end));
      for (std::int64_t s = 0; s < slots; ++s) {
        if (m.Overlaps(*start + s * step, *start + (s + 1) * step)) view[static_cast<std::size_t>(s)] = '2';
      }
    }
    body += fmt::format(R"({{"scheduleId":"{}","availabilityView":"{}","scheduleItems":[{}],)"
                        R"("workingHours":{{"daysOfWeek":["monday","tuesday","wednesday","thursday","friday"],)"
                        R"("startTime":"08:00:00.0000000","endTime":"17:00:00.0000000","timeZone":{{"name":"UTC"}}}}}})",
                        JsonEscape(address), view, items);
  }
  body += "]}";
  HttpResponse r = JsonResponse(200, std::move(body));
  AddGraphIds(request, r, RandomUuid());
  return r;
}

HttpResponse CalendarService::HandleGoogle(const HttpRequest& request, bool events) {
  if (request.method != (events ? "GET" : "POST")) {
    return google::GoogleError(405, "Method not allowed.", "methodNotAllowed", "INVALID_ARGUMENT");
  }
  std::string authorization = request.header("authorization");
  std::string_view token;
  if (authorization.size() > 7 && EqualsNoCase(authorization.substr(0, 7), "bearer ")) {
    token = Trim(std::string_view(authorization).substr(7));
  }
  auto check = google_auth_.Check(token);
  if (token.empty() || check.state != google::GoogleAuth::TokenState::kValid) {
    return google::GoogleError(401, "Request had invalid authentication credentials.", "authError", "UNAUTHENTICATED");
  }
  const bool full_scope = check.scopes.count(std::string(google::kCalendarReadonlyScope)) > 0 ||
                          check.scopes.count("https://www.googleapis.com/auth/calendar") > 0;
  const bool freebusy_scope = full_scope || check.scopes.count("https://www.googleapis.com/auth/calendar.freebusy") > 0;
  if (!(events ? full_scope : freebusy_scope)) {
    return google::GoogleError(403, "Request had insufficient authentication scopes.", "insufficientPermissions",
                               "PERMISSION_DENIED");
  }
  if (!events) return GoogleFreeBusy(request, check.tenant);
  std::vector<std::string_view> seg = Split(std::string_view(request.path).substr(kGoogleCalendars.size()));
  const MailUser& me = corpus_.tenants()[static_cast<std::size_t>(check.tenant)].users[static_cast<std::size_t>(check.user)];
  if (seg.size() != 2 || seg[1] != "events") return google::GoogleError(404, "Not Found", "notFound", "NOT_FOUND");
  if (seg[0] != "primary" && !EqualsNoCase(seg[0], me.primary)) {
    return google::GoogleError(404, "Not Found", "notFound", "NOT_FOUND");
  }
  return GoogleEvents(request, check.tenant, check.user);
}

HttpResponse CalendarService::GoogleEvents(const HttpRequest& request, int tenant, int user) {
  const Epochs epochs = corpus_.epochs();
  const int epoch_count = static_cast<int>(epochs.size());
  int page_size = kDefaultGooglePage;
  if (auto max = QueryValue(request, "maxResults")) {
    auto n = ParseUint(*max);
    if (!n || *n < 1) return GoogleBadRequest(fmt::format("Invalid value for maxResults: {}", *max));
    page_size = static_cast<int>(std::min<std::uint64_t>(*n, kMaxGooglePage));
  }
  auto single = QueryValue(request, "singleEvents");
  if (!single || *single != "true") return GoogleBadRequest("The simulator serves singleEvents=true only.");
  auto sync = QueryValue(request, "syncToken");
  auto page = QueryValue(request, "pageToken");
  auto time_min = QueryValue(request, "timeMin");
  auto time_max = QueryValue(request, "timeMax");
  Round round;
  if (page) {
    auto decoded = DecodeRound(*page);
    if (!decoded || decoded->tenant != tenant || decoded->user != user || decoded->to_epoch > epoch_count) {
      return GoogleBadRequest("Invalid page token.");
    }
    round = *decoded;
  } else if (sync) {
    if (time_min || time_max) return GoogleBadRequest("The syncToken cannot be combined with timeMin or timeMax.");
    auto decoded = DecodeRound(*sync);
    if (!decoded || decoded->tenant != tenant || decoded->user != user || decoded->to_epoch > epoch_count) {
      return google::GoogleError(410, "Sync token is no longer valid, a full sync is required.", "fullSyncRequired",
                                 "GONE");
    }
    round = *decoded;
    round.from_epoch = round.to_epoch;
    round.to_epoch = epoch_count;
    round.offset = 0;
    round.full = false;
  } else {
    round = Round{tenant, user, 0, 0, 0, epoch_count, 0, true};
    if (time_min || time_max) {
      auto s = time_min ? ParseIsoSeconds(*time_min) : std::optional<std::int64_t>(0);
      auto e = time_max ? ParseIsoSeconds(*time_max) : std::optional<std::int64_t>(1LL << 40);
      if (!s || !e || *e <= *s) return GoogleBadRequest("Bad Request: timeMin/timeMax");
      round.window_start = *s;
      round.window_end = *e;
    }
  }
  std::vector<RoundItem> items = RoundItems(model_, round, epochs);
  const Tenant& t = corpus_.tenants()[static_cast<std::size_t>(tenant)];
  const int total = static_cast<int>(items.size());
  const int end = std::min(total, round.offset + page_size);
  std::string body = fmt::format(R"({{"kind":"calendar#events","summary":"{}","timeZone":"UTC",)",
                                 JsonEscape(t.users[static_cast<std::size_t>(user)].primary));
  Round next = round;
  if (end < total) {
    next.offset = end;
    body += fmt::format(R"("nextPageToken":"{}",)", EncodeRound(next));
  } else {
    next.offset = 0;
    body += fmt::format(R"("nextSyncToken":"{}",)", EncodeRound(next));
  }
  body += R"("items":[)";
  for (int i = round.offset; i < end; ++i) {
    if (i > round.offset) body += ',';
    // Google reports changes outside timeMin/timeMax like any other change.
    body += GoogleEventJson(model_, t, items[static_cast<std::size_t>(i)].meeting, user, epoch_count);
  }
  body += "]}";
  if (end > round.offset) stats_.CountDetailRead();
  return JsonResponse(200, std::move(body));
}

HttpResponse CalendarService::GoogleFreeBusy(const HttpRequest& request, int tenant) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(request.body).get(root)) return GoogleBadRequest("Parse Error");
  std::string_view min_text, max_text;
  simdjson::dom::array items;
  if (root["timeMin"].get(min_text) || root["timeMax"].get(max_text) || root["items"].get(items)) {
    return GoogleBadRequest("timeMin, timeMax and items are required.");
  }
  if (items.size() > static_cast<std::size_t>(kMaxFreeBusyItems)) {
    return GoogleBadRequest(fmt::format("Too many calendars requested: {} (the limit is {}).", items.size(), kMaxFreeBusyItems));
  }
  auto start = ParseIsoSeconds(min_text);
  auto end = ParseIsoSeconds(max_text);
  if (!start || !end || *end <= *start || *end - *start > kMaxWindowSeconds) {
    return GoogleBadRequest("The specified time range is empty or too long.");
  }
  const Epochs epochs = corpus_.epochs();
  const int epoch_count = static_cast<int>(epochs.size());
  std::string body = fmt::format(R"({{"kind":"calendar#freeBusy","timeMin":"{}","timeMax":"{}","calendars":{{)",
                                 FormatIsoUtc(*start), FormatIsoUtc(*end));
  bool first = true;
  for (simdjson::dom::element item : items) {
    std::string_view id;
    if (item["id"].get(id)) return GoogleBadRequest("items[].id is required.");
    if (!first) body += ',';
    first = false;
    auto user = FindUserInTenant(corpus_, tenant, id);
    if (!user) {
      body += fmt::format(R"("{}":{{"errors":[{{"domain":"global","reason":"notFound"}}],"busy":[]}})", JsonEscape(id));
      continue;
    }
    std::string busy;
    for (const SimMeeting& m : model_.Calendar(tenant, *user, 0, epoch_count, epochs)) {
      if (m.CancelledAt(epoch_count) || !m.Overlaps(*start, *end)) continue;
      if (!busy.empty()) busy += ',';
      busy += fmt::format(R"({{"start":"{}","end":"{}"}})", FormatIsoUtc(m.start), FormatIsoUtc(m.end));
    }
    body += fmt::format(R"("{}":{{"busy":[{}]}})", JsonEscape(id), busy);
  }
  body += "}}";
  return JsonResponse(200, std::move(body));
}

}  // namespace crmsync::sim
