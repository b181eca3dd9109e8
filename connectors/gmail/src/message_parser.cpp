// ParseMessageMetadata: users.messages.get?format=metadata -> Message.
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <chrono>

#include "crmsync/gmail/gmail.hpp"
#include "json_support.hpp"

namespace crmsync::gmail {
namespace {

namespace od = detail::od;

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Header names are case-insensitive (RFC 5322); the first occurrence wins,
// as with a duplicated From only the first is the author.
void ApplyHeader(std::string_view name, std::string_view value, GmailMessage& out, std::array<bool, 9>& seen) {
  static constexpr std::string_view kNames[] = {"From", "To", "Cc", "Bcc", "Message-ID", "Subject",
                                                 "List-Unsubscribe", "Precedence", "Auto-Submitted"};
  for (std::size_t i = 0; i < std::size(kNames); ++i) {
    if (!IEquals(name, kNames[i])) continue;
    if (seen[i]) return;
    seen[i] = true;
    Message& m = out.message;
    switch (i) {
      case 0: {
        std::vector<Participant> from = ParseAddressList(value);
        if (!from.empty()) m.from = std::move(from.front());
        break;
      }
      case 1: m.to = ParseAddressList(value); break;
      case 2: m.cc = ParseAddressList(value); break;
      case 3: m.bcc = ParseAddressList(value); break;
      case 4: m.internet_message_id.assign(value); break;
      case 5: m.subject.assign(value); break;
      case 6: m.has_list_unsubscribe = true; break;
      case 7: m.precedence.assign(value); break;
      case 8: m.auto_submitted.assign(value); break;
      default: break;
    }
    return;
  }
}

Status ReadHeaders(od::value& value, GmailMessage& out) {
  std::array<bool, 9> seen{};
  return detail::ForEachElement(value, [&](od::value& element) {
    std::string_view name;
    std::string_view header_value;
    Status s = detail::ForEachObjectField(element, [&](std::string_view key, od::value& v) {
      if (key == "name") return detail::ReadStringView(v, name);
      if (key == "value") return detail::ReadStringView(v, header_value);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    ApplyHeader(name, header_value, out, seen);
    return Status::Ok();
  });
}

}  // namespace

std::string EpochMillisToIso8601(std::string_view millis) {
  std::int64_t ms = 0;
  auto [end, ec] = std::from_chars(millis.data(), millis.data() + millis.size(), ms);
  if (millis.empty() || ec != std::errc() || end != millis.data() + millis.size()) return {};
  // year 0..9999 keeps the fixed-width format honest.
  constexpr std::int64_t kMaxMillis = 253402300799999;
  constexpr std::int64_t kMinMillis = -62167219200000;
  if (ms > kMaxMillis || ms < kMinMillis) return {};
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds(ms)};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<seconds>(tp) - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

Result<GmailMessage> ParseMessageMetadata(std::string_view body) {
  GmailMessage out;
  Message& m = out.message;
  std::string internal_date;
  Status s = detail::ForEachTopLevelFieldNested(body, [&](std::string_view key, od::value& v) {
    if (key == "id") return detail::ReadIdString(v, m.source_id);
    if (key == "historyId") return detail::ReadIdString(v, out.history_id);
    if (key == "snippet") return detail::ReadString(v, m.body_text);
    if (key == "labelIds") return detail::ReadStringArray(v, m.labels);
    if (key == "internalDate") return detail::ReadIdString(v, internal_date);
    if (key == "payload") {
      bool is_null = false;
      if (auto error = v.is_null().get(is_null)) return detail::JsonError("", error);
      if (is_null) return Status::Ok();
      return detail::ForEachObjectField(v, [&](std::string_view pkey, od::value& pv) {
        if (pkey != "headers") return Status::Ok();
        return ReadHeaders(pv, out);
      });
    }
    return Status::Ok();
  });
  if (!s.ok()) return detail::Describe("Gmail message", s);
  if (m.source_id.empty()) return Status::Corruption("Gmail message: id: missing");
  if (!internal_date.empty()) {
    m.sent_at = EpochMillisToIso8601(internal_date);
    if (m.sent_at.empty()) {
      return Status::Corruption(fmt::format("Gmail message {}: internalDate: not epoch milliseconds", m.source_id));
    }
  }
  for (const std::string& label : m.labels) {
    if (label == "DRAFT") m.is_draft = true;
  }
  return out;
}

}  // namespace crmsync::gmail
