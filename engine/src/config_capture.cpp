// [tenants.capture]: see capture_config.hpp and README "Capture rules".
// Everything is validated here, before a mailbox is read: a subject pattern
// that does not compile, an unknown key or a setting the engine cannot honour
// is a configuration error naming the tenant, the key and the value.
#include <re2/re2.h>

#include <algorithm>

#include "config_reader.hpp"
#include "crmsync/engine/text.hpp"

namespace crmsync::engine::config_detail {
namespace {

constexpr int kMaxAgeDaysLimit = 36500;
constexpr int kMaxBodyCharsLimit = 32000;
constexpr int kMaxTtlHours = 24 * 365;
constexpr int kMaxCalendarDays = 3650;
// getSchedule and freeBusy refuse windows longer than 62 days.
constexpr int kMaxFreeBusyDays = 62;

bool IsIsoDate(std::string_view t) {
  auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
    }
    return true;
  };
  return t.size() == 10 && digits(0, 4) && t[4] == '-' && digits(5, 2) && t[7] == '-' && digits(8, 2) &&
         t.substr(5, 2) >= "01" && t.substr(5, 2) <= "12" && t.substr(8, 2) >= "01" && t.substr(8, 2) <= "31";
}

// "FILE:LINE: PREFIXkey[i] = "value" PROBLEM", the line of the item itself.
Status ItemError(const TableReader& r, const toml::table& table, const char* key, std::size_t index,
                 std::string_view value, std::string_view problem) {
  std::size_t line = table.source().begin.line;
  if (const toml::array* array = table.get_as<toml::array>(key); array != nullptr) {
    if (const toml::node* item = array->get(index); item != nullptr) line = item->source().begin.line;
  }
  return Status::InvalidArgument(
      fmt::format("{}:{}: {}{}[{}] = \"{}\" {}", r.file(), line, r.prefix(), key, index, value, problem));
}

// Reads an optional list that replaces its default only when present.
Status ReplaceList(TableReader& r, const toml::table& table, const char* key, std::vector<std::string>& out) {
  std::vector<std::string> read;
  CRMSYNC_RETURN_IF_ERROR(r.StringList(key, read, false));
  if (table.get(key) != nullptr) out = std::move(read);
  return Status::Ok();
}

// Lower-cased domains without '@' or blanks: matched exactly against the
// domain part of each participant.
Status ReadDomains(TableReader& r, const toml::table& table, const char* key, std::vector<std::string>& out) {
  CRMSYNC_RETURN_IF_ERROR(r.StringList(key, out, false));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::string& d = out[i];
    if (d.empty() || d.find_first_of("@ \t") != std::string::npos || d.find('.') == std::string::npos) {
      return ItemError(r, table, key, i, d, "is not a mail domain (e.g. \"example.com\")");
    }
    out[i] = AsciiLower(d);
  }
  return Status::Ok();
}

Status ReadAddresses(TableReader& r, const toml::table& table, const char* key, std::vector<std::string>& out) {
  CRMSYNC_RETURN_IF_ERROR(r.StringList(key, out, false));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::string& a = out[i];
    const auto at = a.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == a.size() || a.find_first_of(" \t") != std::string::npos) {
      return ItemError(r, table, key, i, a, "is not a mail address (e.g. \"name@example.com\")");
    }
    out[i] = AsciiLower(a);
  }
  return Status::Ok();
}

Status ReadSubjects(TableReader& r, const toml::table& table, const char* key, std::vector<std::string>& out) {
  CRMSYNC_RETURN_IF_ERROR(r.StringList(key, out, false));
  RE2::Options options;
  options.set_log_errors(false);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const RE2 pattern(out[i], options);
    if (!pattern.ok()) return ItemError(r, table, key, i, out[i], fmt::format("does not compile: {}", pattern.error()));
  }
  return Status::Ok();
}

Status ReadExclusions(TableReader& r, const toml::table& table, CaptureExclusions& out) {
  CRMSYNC_RETURN_IF_ERROR(ReadDomains(r, table, "exclude_domains", out.domains));
  CRMSYNC_RETURN_IF_ERROR(ReadAddresses(r, table, "exclude_addresses", out.addresses));
  return ReadSubjects(r, table, "exclude_subjects", out.subjects);
}

Status ReadMatchObjects(TableReader& r, const toml::table& table, std::vector<std::string>& out) {
  std::vector<std::string> read;
  CRMSYNC_RETURN_IF_ERROR(r.StringList("match_objects", read, false));
  if (table.get("match_objects") == nullptr) return Status::Ok();
  if (read.empty()) return r.Error("match_objects", "is empty (at least one of \"Contact\", \"Lead\" is required)");
  for (std::size_t i = 0; i < read.size(); ++i) {
    if (read[i] != "Contact" && read[i] != "Lead") {
      return ItemError(r, table, "match_objects", i, read[i], "is not one of \"Contact\", \"Lead\"");
    }
    if (std::find(read.begin(), read.begin() + static_cast<std::ptrdiff_t>(i), read[i]) !=
        read.begin() + static_cast<std::ptrdiff_t>(i)) {
      return ItemError(r, table, "match_objects", i, read[i], "is listed twice");
    }
  }
  out = std::move(read);
  return Status::Ok();
}

Status ReadUser(const toml::table& table, const std::string& file, const std::string& prefix,
                UserCaptureRules& out) {
  TableReader r(table, file, prefix);
  CRMSYNC_RETURN_IF_ERROR(r.String("address", out.address, true));
  const auto at = out.address.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == out.address.size()) {
    return r.Error("address", fmt::format("= \"{}\" is not a mail address", out.address));
  }
  out.address = AsciiLower(out.address);
  CRMSYNC_RETURN_IF_ERROR(ReadExclusions(r, table, out.exclude));
  return r.RejectUnknown();
}

Status ReadUsers(TableReader& r, const toml::table& table, const std::string& file,
                 std::vector<UserCaptureRules>& out) {
  const toml::array* users = r.Array("users");
  if (users == nullptr) {
    if (table.get("users") != nullptr) {
      return r.Error("users", "must be a list of tables ([[tenants.capture.users]])");
    }
    return Status::Ok();
  }
  for (std::size_t i = 0; i < users->size(); ++i) {
    const toml::table* user = users->get(i)->as_table();
    const std::string item = fmt::format("users[{}]", i);
    if (user == nullptr) return r.Error(item, "must be a table ([[tenants.capture.users]])");
    UserCaptureRules rules;
    CRMSYNC_RETURN_IF_ERROR(ReadUser(*user, file, fmt::format("{}{}.", r.prefix(), item), rules));
    for (const auto& earlier : out) {
      if (earlier.address == rules.address) {
        return Status::InvalidArgument(fmt::format("{}:{}: {}{}.address = \"{}\" is listed twice", file,
                                                   user->source().begin.line, r.prefix(), item, rules.address));
      }
    }
    out.push_back(std::move(rules));
  }
  return Status::Ok();
}

}  // namespace

Status ReadCapture(const toml::table& table, const std::string& file, const std::string& prefix,
                   CaptureConfig& out) {
  TableReader r(table, file, prefix);
  int mode = static_cast<int>(out.mode);
  CRMSYNC_RETURN_IF_ERROR(r.Choice("mode", mode, {"automatic", "selective"}));
  out.mode = static_cast<CaptureMode>(mode);
  CRMSYNC_RETURN_IF_ERROR(ReplaceList(r, table, "categories", out.categories));
  CRMSYNC_RETURN_IF_ERROR(ReplaceList(r, table, "labels", out.labels));
  CRMSYNC_RETURN_IF_ERROR(ReplaceList(r, table, "folders", out.folders));
  int direction = static_cast<int>(out.direction);
  CRMSYNC_RETURN_IF_ERROR(r.Choice("direction", direction, {"both", "incoming", "outgoing"}));
  out.direction = static_cast<CaptureDirection>(direction);
  CRMSYNC_RETURN_IF_ERROR(r.Bool("skip_internal", out.skip_internal));
  CRMSYNC_RETURN_IF_ERROR(r.Bool("skip_drafts", out.skip_drafts));
  CRMSYNC_RETURN_IF_ERROR(r.Bool("skip_auto_replies", out.skip_auto_replies));
  CRMSYNC_RETURN_IF_ERROR(r.Bool("skip_bulk", out.skip_bulk));
  CRMSYNC_RETURN_IF_ERROR(ReadExclusions(r, table, out.exclude));
  CRMSYNC_RETURN_IF_ERROR(r.Int("max_age_days", out.max_age_days, 0, kMaxAgeDaysLimit));
  CRMSYNC_RETURN_IF_ERROR(r.Int("max_body_chars", out.max_body_chars, 1, kMaxBodyCharsLimit));
  CRMSYNC_RETURN_IF_ERROR(ReadMatchObjects(r, table, out.match_objects));
  int unknown_person = static_cast<int>(out.unknown_person);
  CRMSYNC_RETURN_IF_ERROR(r.Choice("unknown_person", unknown_person, {"skip", "create_lead"}));
  out.unknown_person = static_cast<UnknownPerson>(unknown_person);
  if (out.unknown_person == UnknownPerson::kCreateLead &&
      std::find(out.match_objects.begin(), out.match_objects.end(), "Lead") == out.match_objects.end()) {
    // A created Lead must be matchable, or the next run would not find it.
    return r.Error("unknown_person", "= \"create_lead\" needs \"Lead\" in match_objects "
                                     "(a created Lead could never be matched otherwise)");
  }
  CRMSYNC_RETURN_IF_ERROR(r.Int("match_ttl_hours", out.match_ttl_hours, 1, kMaxTtlHours));
  CRMSYNC_RETURN_IF_ERROR(r.Int("miss_ttl_hours", out.miss_ttl_hours, 1, kMaxTtlHours));
  CRMSYNC_RETURN_IF_ERROR(r.Bool("prime_crm_cache", out.prime_crm_cache));
  int calendar = static_cast<int>(out.calendar);
  CRMSYNC_RETURN_IF_ERROR(r.Choice("calendar", calendar, {"off", "meetings", "free_busy"}));
  out.calendar = static_cast<CalendarCapture>(calendar);
  CRMSYNC_RETURN_IF_ERROR(r.Int("calendar_past_days", out.calendar_past_days, 0, kMaxCalendarDays));
  CRMSYNC_RETURN_IF_ERROR(r.Int("calendar_future_days", out.calendar_future_days, 1, kMaxCalendarDays));
  CRMSYNC_RETURN_IF_ERROR(r.Int("freebusy_days", out.freebusy_days, 1, kMaxFreeBusyDays));
  CRMSYNC_RETURN_IF_ERROR(r.String("calendar_anchor", out.calendar_anchor, false));
  if (!out.calendar_anchor.empty() && !IsIsoDate(out.calendar_anchor)) {
    return r.Error("calendar_anchor", fmt::format("= \"{}\" is not a date YYYY-MM-DD", out.calendar_anchor));
  }
  CRMSYNC_RETURN_IF_ERROR(ReadUsers(r, table, file, out.users));
  CRMSYNC_RETURN_IF_ERROR(r.RejectUnknown());
  if (out.mode == CaptureMode::kSelective && out.categories.empty() && out.labels.empty() && out.folders.empty()) {
    return r.Error("mode", "= \"selective\" needs at least one marker in categories, labels or folders "
                           "(otherwise nothing could ever be captured)");
  }
  return Status::Ok();
}

}  // namespace crmsync::engine::config_detail
