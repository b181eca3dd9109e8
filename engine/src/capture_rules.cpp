#include "crmsync/engine/capture_rules.hpp"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>

#include <fmt/format.h>

#include "crmsync/engine/text.hpp"

namespace crmsync::engine {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool AnyIEquals(const std::vector<std::string>& marks, std::string_view value) {
  for (const auto& mark : marks) {
    if (IEquals(mark, value)) return true;
  }
  return false;
}

bool AnyMarked(const std::vector<std::string>& configured, const std::vector<std::string>& present) {
  for (const auto& value : present) {
    if (AnyIEquals(configured, value)) return true;
  }
  return false;
}

// Reads exactly `n` digits at `pos`; -1 when they are not all digits.
int Digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

}  // namespace

struct CaptureRules::SubjectSet {
  explicit SubjectSet(const RE2::Options& options) : set(options, RE2::UNANCHORED) {}
  RE2::Set set;
};

CaptureRules::Scope::Scope() = default;
CaptureRules::Scope::Scope(Scope&&) noexcept = default;
CaptureRules::Scope::~Scope() = default;
CaptureRules::~CaptureRules() = default;

Status CaptureRules::CompileScope(std::string_view tenant_id, std::string_view where, Scope& scope) {
  if (scope.patterns.empty()) return Status::Ok();
  RE2::Options options;
  options.set_log_errors(false);
  scope.subjects = std::make_unique<SubjectSet>(options);
  for (std::size_t i = 0; i < scope.patterns.size(); ++i) {
    std::string error;
    if (scope.subjects->set.Add(scope.patterns[i], &error) < 0) {
      return Status::InvalidArgument(fmt::format("tenant {}: {}exclude_subjects[{}] = \"{}\" does not compile: {}",
                                                 tenant_id, where, i, scope.patterns[i], error));
    }
  }
  if (!scope.subjects->set.Compile()) {
    return Status::InvalidArgument(fmt::format("tenant {}: {}exclude_subjects: the {} patterns do not compile together "
                                               "(RE2 memory budget exceeded)",
                                               tenant_id, where, scope.patterns.size()));
  }
  scope.patterns.clear();
  return Status::Ok();
}

Result<std::unique_ptr<CaptureRules>> CaptureRules::Compile(std::string_view tenant_id, const CaptureConfig& config,
                                                            const TenantDirectory& directory) {
  std::unique_ptr<CaptureRules> rules(new CaptureRules());
  rules->config_ = config;
  for (std::size_t i = 0; i < config.match_objects.size(); ++i) {
    const std::string& object = config.match_objects[i];
    const CrmObject kind = object == "Contact" ? CrmObject::kContact : CrmObject::kLead;
    if ((object != "Contact" && object != "Lead") ||
        std::find(rules->match_order_.begin(), rules->match_order_.end(), kind) != rules->match_order_.end()) {
      return Status::InvalidArgument(fmt::format(
          "tenant {}: capture.match_objects[{}] = \"{}\" is not one of \"Contact\", \"Lead\" or is listed twice",
          tenant_id, i, object));
    }
    rules->match_order_.push_back(kind);
  }
  if (rules->match_order_.empty()) {
    return Status::InvalidArgument(fmt::format("tenant {}: capture.match_objects is empty", tenant_id));
  }
  if (config.unknown_person == UnknownPerson::kCreateLead &&
      std::find(rules->match_order_.begin(), rules->match_order_.end(), CrmObject::kLead) == rules->match_order_.end()) {
    return Status::InvalidArgument(fmt::format(
        "tenant {}: capture.unknown_person = \"create_lead\" needs \"Lead\" in capture.match_objects", tenant_id));
  }

  auto fill = [](Scope& scope, const CaptureExclusions& exclude) {
    for (const auto& a : exclude.addresses) scope.addresses.insert(AsciiLower(a));
    for (const auto& d : exclude.domains) scope.domains.insert(AsciiLower(d));
    scope.patterns.insert(scope.patterns.end(), exclude.subjects.begin(), exclude.subjects.end());
  };
  fill(rules->tenant_, config.exclude);
  if (Status s = CompileScope(tenant_id, "capture.", rules->tenant_); !s.ok()) return s;

  // Users named twice (by two of their aliases) share one scope.
  std::unordered_map<const MailboxUser*, std::size_t> scope_of_user;
  for (std::size_t i = 0; i < config.users.size(); ++i) {
    const std::string address = AsciiLower(config.users[i].address);
    const MailboxUser* user = directory.FindUser(address);
    std::size_t index = rules->users_.size();
    if (user != nullptr) {
      auto [it, inserted] = scope_of_user.emplace(user, index);
      index = it->second;
      if (inserted) rules->users_.emplace_back();
      rules->user_scope_by_address_.emplace(user->primary(), index);
      for (std::string_view alias : user->aliases()) rules->user_scope_by_address_.emplace(alias, index);
    } else {
      auto it = rules->user_scope_by_address_.find(address);
      if (it != rules->user_scope_by_address_.end()) {
        index = it->second;
      } else {
        rules->users_.emplace_back();
        rules->user_scope_by_address_.emplace(address, index);
      }
    }
    fill(rules->users_[index], config.users[i].exclude);
  }
  for (std::size_t i = 0; i < rules->users_.size(); ++i) {
    if (Status s = CompileScope(tenant_id, "capture.users.", rules->users_[i]); !s.ok()) return s;
  }
  return rules;
}

const CaptureRules& CaptureRules::Default() {
  static const std::unique_ptr<CaptureRules> rules = [] {
    auto compiled = Compile("default", CaptureConfig{}, TenantDirectory({}, {}));
    return std::move(compiled.value());
  }();
  return *rules;
}

const CaptureRules::Scope* CaptureRules::UserScope(const MailboxUser& mailbox) const {
  if (users_.empty()) return nullptr;
  auto it = user_scope_by_address_.find(mailbox.primary());
  if (it == user_scope_by_address_.end()) {
    for (std::string_view alias : mailbox.aliases()) {
      it = user_scope_by_address_.find(alias);
      if (it != user_scope_by_address_.end()) break;
    }
  }
  return it == user_scope_by_address_.end() ? nullptr : &users_[it->second];
}

const std::string& CaptureRules::ChooseWho(const std::string& first_contact, const std::string& first_lead) const {
  for (const CrmObject object : match_order_) {
    const std::string& id = object == CrmObject::kContact ? first_contact : first_lead;
    if (!id.empty()) return id;
  }
  static const std::string kNobody;
  return kNobody;
}

bool CaptureRules::Selected(const Message& message) const {
  if (AnyMarked(config_.categories, message.categories)) return true;
  if (AnyMarked(config_.labels, message.labels)) return true;
  return !message.folder.empty() && AnyIEquals(config_.folders, message.folder);
}

bool CaptureRules::IsAutoReply(const Message& message) {
  if (message.is_auto_reply) return true;
  const std::string_view value = Trim(message.auto_submitted);
  return !value.empty() && !IEquals(value, "no");
}

bool CaptureRules::IsBulk(const Message& message) {
  if (message.has_list_unsubscribe) return true;
  const std::string_view value = Trim(message.precedence);
  return IEquals(value, "bulk") || IEquals(value, "list") || IEquals(value, "junk");
}

std::optional<std::chrono::system_clock::time_point> CaptureRules::ParseSentAt(std::string_view iso) {
  // YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm|-hh:mm]
  const int year = Digits(iso, 0, 4), month = Digits(iso, 5, 2), day = Digits(iso, 8, 2);
  const int hour = Digits(iso, 11, 2), minute = Digits(iso, 14, 2), second = Digits(iso, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return std::nullopt;
  if (iso[4] != '-' || iso[7] != '-' || (iso[10] != 'T' && iso[10] != ' ') || iso[13] != ':' || iso[16] != ':') {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                           std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::size_t pos = 19;
  if (pos < iso.size() && iso[pos] == '.') {
    ++pos;
    while (pos < iso.size() && iso[pos] >= '0' && iso[pos] <= '9') ++pos;
  }
  minutes offset{0};
  if (pos < iso.size() && (iso[pos] == '+' || iso[pos] == '-')) {
    const int oh = Digits(iso, pos + 1, 2), om = Digits(iso, pos + 4, 2);
    if (oh < 0 || om < 0 || iso[pos + 3] != ':') return std::nullopt;
    offset = minutes(oh * 60 + om) * (iso[pos] == '-' ? -1 : 1);
    pos += 6;
  } else if (pos < iso.size() && iso[pos] == 'Z') {
    ++pos;
  }
  if (pos != iso.size()) return std::nullopt;
  return sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second) - offset;
}

SkipReason CaptureRules::Evaluate(const Message& message, const MailboxUser& mailbox, const CopyFacts& facts,
                                  std::chrono::system_clock::time_point now) const {
  if (config_.max_age_days > 0) {
    // An unreadable date is not evidence of age: such a copy is not skipped.
    const auto sent = ParseSentAt(message.sent_at);
    if (sent && *sent < now - std::chrono::hours(24) * config_.max_age_days) return SkipReason::kTooOld;
  }
  if ((config_.direction == CaptureDirection::kIncoming && facts.direction != Direction::kIncoming) ||
      (config_.direction == CaptureDirection::kOutgoing && facts.direction != Direction::kOutgoing)) {
    return SkipReason::kWrongDirection;
  }
  if (config_.mode == CaptureMode::kSelective && !Selected(message)) return SkipReason::kNotSelected;
  if (config_.skip_auto_replies && IsAutoReply(message)) return SkipReason::kAutoReply;
  if (config_.skip_bulk && IsBulk(message)) return SkipReason::kBulk;

  const Scope* user = UserScope(mailbox);
  // Most tenants exclude nothing: an empty set is not asked (a transparent
  // hash set hashes the key even when empty).
  const bool tenant_addresses = !tenant_.addresses.empty();
  const bool user_addresses = user != nullptr && !user->addresses.empty();
  if (tenant_addresses || user_addresses) {
    for (const auto& address : facts.participants) {
      if (tenant_addresses && tenant_.addresses.count(std::string_view(address)) > 0) return SkipReason::kExcludedAddress;
      if (user_addresses && user->addresses.count(std::string_view(address)) > 0) return SkipReason::kExcludedAddress;
    }
  }
  const bool tenant_domains = !tenant_.domains.empty();
  const bool user_domains = user != nullptr && !user->domains.empty();
  if (tenant_domains || user_domains) {
    for (const auto& address : facts.participants) {
      const std::string_view domain = DomainOf(address);
      if (domain.empty()) continue;
      if (tenant_domains && tenant_.domains.count(domain) > 0) return SkipReason::kExcludedDomain;
      if (user_domains && user->domains.count(domain) > 0) return SkipReason::kExcludedDomain;
    }
  }
  if (tenant_.subjects && tenant_.subjects->set.Match(message.subject, nullptr)) return SkipReason::kExcludedSubject;
  if (user != nullptr && user->subjects && user->subjects->set.Match(message.subject, nullptr)) {
    return SkipReason::kExcludedSubject;
  }
  if (config_.skip_internal && !facts.has_external) return SkipReason::kInternalOnly;
  return SkipReason::kNone;
}

}  // namespace crmsync::engine
