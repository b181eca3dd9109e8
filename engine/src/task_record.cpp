#include "crmsync/engine/task_record.hpp"

#include <algorithm>

#include "crmsync/engine/text.hpp"

namespace crmsync::engine {

namespace {

// Names, quotes, colons and commas of every field, plus room for escapes
// (mail text has line breaks and quotes): one reservation covers the JSON
// unless escaping grows the text by more than an eighth.
constexpr std::size_t kFieldFramingBytes = 128;
std::size_t ReservedBytes(std::size_t text_bytes) { return kFieldFramingBytes + text_bytes + text_bytes / 8; }

}  // namespace

salesforce::UpsertRecord BuildTaskRecord(const std::string& key, const Message& message,
                                         const std::string& who_id, const std::string& owner_id,
                                         std::size_t description_max_chars) {
  const std::size_t description_limit = std::min(description_max_chars, kDescriptionMaxChars);
  const std::string_view subject = TruncateCodePoints(message.subject, kSubjectMaxChars);
  const std::string_view description = TruncateCodePoints(message.body_text, description_limit);
  salesforce::UpsertRecord record;
  record.external_id = key;
  // The record's JSON is written once, straight from the message, into one
  // buffer (no Field strings): this runs for every captured email.
  std::string& json = record.rendered_fields;
  json.reserve(ReservedBytes(subject.size() + description.size() + who_id.size() + owner_id.size()));
  salesforce::AppendRenderedField(json, "TaskSubtype", "Email");   // create-only: first
  record.rendered_create_only_bytes = json.size();
  salesforce::AppendRenderedField(json, "Status", "Completed");
  salesforce::AppendRenderedField(json, "Subject", subject);
  salesforce::AppendRenderedField(json, "Description", description);
  // sent_at is ISO-8601 UTC; its first ten characters are the date.
  if (message.sent_at.size() >= 10) {
    salesforce::AppendRenderedField(json, "ActivityDate", std::string_view(message.sent_at).substr(0, 10));
  }
  if (!who_id.empty()) salesforce::AppendRenderedField(json, "WhoId", who_id);
  if (!owner_id.empty()) salesforce::AppendRenderedField(json, "OwnerId", owner_id);
  return record;
}

}  // namespace crmsync::engine
