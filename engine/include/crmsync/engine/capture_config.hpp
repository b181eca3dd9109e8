// Capture rules of one tenant as written in the configuration
// ([tenants.capture], README "Capture rules"). Plain data: capture_rules.hpp
// compiles it once per run into a matcher.
#pragma once

#include <string>
#include <vector>

namespace crmsync::engine {

enum class CaptureMode { kAutomatic, kSelective };
enum class CaptureDirection { kBoth, kIncoming, kOutgoing };
enum class UnknownPerson { kSkip, kCreateLead };
enum class CalendarCapture { kOff, kMeetings, kFreeBusy };

// Privacy exclusions; addresses and domains lower-case, subjects RE2 patterns.
struct CaptureExclusions {
  std::vector<std::string> domains;
  std::vector<std::string> addresses;
  std::vector<std::string> subjects;
};

// Exclusions that apply to one user's mailbox on top of the tenant's.
struct UserCaptureRules {
  std::string address;          // the user's primary address or any alias
  CaptureExclusions exclude;
};

struct CaptureConfig {
  CaptureMode mode = CaptureMode::kAutomatic;
  // selective: mail is captured only when marked by one of these names.
  std::vector<std::string> categories{"CRM"};   // Outlook categories
  std::vector<std::string> labels{"CRM"};       // Gmail label names
  std::vector<std::string> folders;             // mail folder display names
  CaptureDirection direction = CaptureDirection::kBoth;
  bool skip_internal = true;
  bool skip_drafts = true;
  bool skip_auto_replies = true;
  bool skip_bulk = true;
  CaptureExclusions exclude;
  std::vector<UserCaptureRules> users;
  int max_age_days = 0;                         // 0: no limit
  int max_body_chars = 32000;                   // truncated, never failed (1..32000)
  std::vector<std::string> match_objects{"Contact", "Lead"};   // in order of preference
  UnknownPerson unknown_person = UnknownPerson::kSkip;
  // CRM match cache: positive matches and "nobody has this address".
  int match_ttl_hours = 24;
  int miss_ttl_hours = 6;
  bool prime_crm_cache = false;                 // load every Contact/Lead email first
  CalendarCapture calendar = CalendarCapture::kOff;
  // Calendar window (README "Meetings and free/busy"): meetings are read
  // over [anchor - calendar_past_days, anchor + calendar_future_days) on a
  // full sync; free/busy over [anchor, anchor + freebusy_days). The anchor
  // is the run's time unless calendar_anchor ("YYYY-MM-DD", midnight UTC)
  // pins it, for replays and tests.
  int calendar_past_days = 30;
  int calendar_future_days = 90;
  int freebusy_days = 14;
  std::string calendar_anchor;
};

}  // namespace crmsync::engine
