// GET /services/data/vNN.0/query?q=SOQL and .../query/<locator>-<offset>
// (API-FACTS.md §4.4).
#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "salesforce_ids.hpp"
#include "sf_text.hpp"
#include "sim_state.hpp"

namespace crmsync::sim {
namespace {

constexpr std::size_t kDefaultBatchSize = 2000;
constexpr std::size_t kMinBatchSize = 200;
constexpr std::size_t kMaxBatchSize = 2000;
// Salesforce keeps at most 10 open query cursors per user, releasing the
// oldest; the integration user is the only API user of a simulated org.
constexpr std::size_t kMaxOpenCursors = 10;
constexpr auto kCursorLifetime = std::chrono::minutes(15);

sf::SfError InvalidLocator() { return {"INVALID_QUERY_LOCATOR", "invalid query locator", {}}; }

// Sforce-Query-Options: batchSize=n, clamped to what Salesforce honours.
std::size_t BatchSize(const HttpRequest& request) {
  std::string options = sf::AsciiLower(request.header("sforce-query-options"));
  constexpr std::string_view kKey = "batchsize=";
  std::size_t at = options.find(kKey);
  if (at == std::string::npos) return kDefaultBatchSize;
  std::size_t value = 0;
  const char* begin = options.data() + at + kKey.size();
  auto [end, ec] = std::from_chars(begin, options.data() + options.size(), value);
  if (ec != std::errc() || end == begin) return kDefaultBatchSize;
  return std::clamp(value, kMinBatchSize, kMaxBatchSize);
}

void AppendRecord(std::string& out, const DirectoryRecord& record, const std::string& sobject,
                  const std::vector<sf::SoqlField>& fields, int version) {
  fmt::format_to(std::back_inserter(out),
                 R"({{"attributes":{{"type":"{}","url":"/services/data/v{}.0/sobjects/{}/)", sobject,
                 version, sobject);
  out.append(record.id);
  out.append("\"}");
  auto append_text = [&](std::string_view value) {
    if (value.empty()) {
      out.append("null");
    } else {
      sf::AppendJsonString(out, value);
    }
  };
  for (sf::SoqlField field : fields) {
    out.append(",\"");
    out.append(sf::SoqlFieldName(field));
    out.append("\":");
    switch (field) {
      case sf::SoqlField::kId: sf::AppendJsonString(out, record.id); break;
      case sf::SoqlField::kEmail: append_text(record.email); break;
      case sf::SoqlField::kFirstName: append_text(record.first_name); break;
      case sf::SoqlField::kLastName: append_text(record.last_name); break;
      case sf::SoqlField::kName: {
        std::string name = record.first_name;
        if (!name.empty() && !record.last_name.empty()) name.push_back(' ');
        name += record.last_name;
        append_text(name);
        break;
      }
      case sf::SoqlField::kIsActive: out.append("true"); break;
      case sf::SoqlField::kFederationIdentifier: append_text(record.federation_id); break;
      case sf::SoqlField::kRelatedRecordId: append_text(record.related_record_id); break;
    }
  }
  out.push_back('}');
}

HttpResponse Page(const sf::QueryCursor& cursor, std::size_t offset, int version, bool has_locator) {
  const auto& rows = *cursor.rows;
  std::size_t end = std::min(rows.size(), offset + cursor.batch_size);
  bool done = end == rows.size();
  std::string body;
  body.reserve(64 + (end - offset) * 160);
  fmt::format_to(std::back_inserter(body), R"({{"totalSize":{},"done":{})", rows.size(), done);
  if (!done && has_locator) {
    fmt::format_to(std::back_inserter(body), R"(,"nextRecordsUrl":"/services/data/v{}.0/query/{}-{}")",
                   version, cursor.locator, end);
  }
  body.append(",\"records\":[");
  for (std::size_t i = offset; i < end; ++i) {
    if (i != offset) body.push_back(',');
    AppendRecord(body, cursor.directory->records[rows[i]], cursor.sobject, cursor.fields, version);
  }
  body.append("]}");
  return sf::JsonResponse(200, std::move(body));
}

void DropExpiredCursors(sf::Org& org, sf::TimePoint now) {
  std::erase_if(org.cursors, [&](const sf::QueryCursor& c) { return now - c.created >= kCursorLifetime; });
}

}  // namespace

HttpResponse SalesforceSim::Impl::HandleQuery(const HttpRequest& request, int version, sf::Org& org) {
  auto q = request.query.find("q");
  if (q == request.query.end() || q->second.empty()) {
    return sf::RestError(400, {"MALFORMED_QUERY", "A query string has to be specified", {}});
  }
  auto parsed = sf::ParseSoql(q->second);
  if (std::holds_alternative<sf::SfError>(parsed)) return sf::RestError(400, std::get<sf::SfError>(parsed));
  sf::SoqlQuery& query = std::get<sf::SoqlQuery>(parsed);

  sf::QueryCursor cursor;
  {
    std::lock_guard lock(org.mu);
    cursor.directory = org.directory;
  }
  auto slot = static_cast<std::size_t>(sf::SobjectSlot(query.sobject));
  std::vector<std::uint32_t> rows;
  if (query.filtered) {
    const auto& by_value = query.filter_field == sf::SoqlField::kFederationIdentifier
                               ? cursor.directory->users_by_federation_id
                           : query.filter_field == sf::SoqlField::kRelatedRecordId
                               ? cursor.directory->by_related_record
                               : cursor.directory->by_email[slot];
    for (const std::string& value : query.emails) {
      auto it = by_value.find(sf::AsciiLower(value));
      if (it != by_value.end()) rows.insert(rows.end(), it->second.begin(), it->second.end());
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  } else {
    rows = cursor.directory->all[slot];
    if (query.email_not_null) {
      std::erase_if(rows, [&](std::uint32_t row) { return cursor.directory->records[row].email.empty(); });
    }
  }
  if (query.limit && rows.size() > *query.limit) rows.resize(*query.limit);

  cursor.sobject = query.sobject;
  cursor.fields = std::move(query.fields);
  cursor.rows = std::make_shared<const std::vector<std::uint32_t>>(std::move(rows));
  cursor.batch_size = BatchSize(request);
  cursor.created = Now();
  bool paged = cursor.rows->size() > cursor.batch_size;
  if (paged) {
    std::lock_guard lock(org.mu);
    cursor.locator = sf::MakeSalesforceId("01g", org.index, org.next_cursor_serial++);
    DropExpiredCursors(org, cursor.created);
    org.cursors.push_back(cursor);
    while (org.cursors.size() > kMaxOpenCursors) org.cursors.pop_front();
  }
  return Page(cursor, 0, version, paged);
}

HttpResponse SalesforceSim::Impl::HandleQueryMore(std::string_view locator, int version, sf::Org& org) {
  std::size_t dash = locator.rfind('-');
  if (dash == std::string_view::npos) return sf::RestError(400, InvalidLocator());
  std::string_view id = locator.substr(0, dash);
  std::string_view offset_text = locator.substr(dash + 1);
  std::size_t offset = 0;
  auto [end, ec] = std::from_chars(offset_text.data(), offset_text.data() + offset_text.size(), offset);
  if (ec != std::errc() || end != offset_text.data() + offset_text.size() || offset_text.empty()) {
    return sf::RestError(400, InvalidLocator());
  }
  sf::QueryCursor cursor;
  {
    std::lock_guard lock(org.mu);
    DropExpiredCursors(org, Now());
    auto it = std::find_if(org.cursors.begin(), org.cursors.end(),
                           [&](const sf::QueryCursor& c) { return c.locator == id; });
    if (it == org.cursors.end()) return sf::RestError(400, InvalidLocator());
    cursor = *it;
  }
  if (offset >= cursor.rows->size()) return sf::RestError(400, InvalidLocator());
  return Page(cursor, offset, version, true);
}

}  // namespace crmsync::sim
