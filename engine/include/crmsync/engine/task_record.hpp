// The Salesforce Task written for one captured email.
#pragma once

#include <string>

#include "crmsync/core/message.hpp"
#include "crmsync/salesforce/salesforce.hpp"

namespace crmsync::engine {

inline constexpr const char* kTaskSobject = "Task";
inline constexpr const char* kKeyField = "Crmsync_Key__c";
inline constexpr std::size_t kSubjectMaxChars = 255;
inline constexpr std::size_t kDescriptionMaxChars = 32000;

// TaskSubtype Email (create-only), Status Completed, Subject and Description
// truncated to the field limits at code-point boundaries (never failing the
// record), ActivityDate = UTC date of sent_at, WhoId, OwnerId.
// `description_max_chars` is the tenant's capture.max_body_chars, capped at
// the field limit. The fields are rendered JSON (UpsertRecord::rendered_fields;
// salesforce::MaterializeFields lists them).
salesforce::UpsertRecord BuildTaskRecord(const std::string& key, const Message& message,
                                         const std::string& who_id, const std::string& owner_id,
                                         std::size_t description_max_chars = kDescriptionMaxChars);

}  // namespace crmsync::engine
