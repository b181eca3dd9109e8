#include "crmsync/engine/task_record.hpp"

#include <algorithm>

#include "crmsync/engine/text.hpp"

namespace crmsync::engine {

salesforce::UpsertRecord BuildTaskRecord(const std::string& key, const Message& message,
                                         const std::string& who_id, const std::string& owner_id,
                                         std::size_t description_max_chars) {
  const std::size_t description_limit = std::min(description_max_chars, kDescriptionMaxChars);
  salesforce::UpsertRecord record;
  record.external_id = key;
  auto& f = record.fields;
  f.reserve(7);   // every field below: one allocation, not a growth per field
  f.push_back({"TaskSubtype", "Email", false, /*create_only=*/true});
  f.push_back({"Status", "Completed"});
  f.push_back({"Subject", std::string(TruncateCodePoints(message.subject, kSubjectMaxChars))});
  f.push_back({"Description", std::string(TruncateCodePoints(message.body_text, description_limit))});
  // sent_at is ISO-8601 UTC; its first ten characters are the date.
  if (message.sent_at.size() >= 10) f.push_back({"ActivityDate", message.sent_at.substr(0, 10)});
  if (!who_id.empty()) f.push_back({"WhoId", who_id});
  if (!owner_id.empty()) f.push_back({"OwnerId", owner_id});
  return record;
}

}  // namespace crmsync::engine
