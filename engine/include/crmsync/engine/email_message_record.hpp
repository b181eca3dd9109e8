// The Enhanced Email records written for one captured email: an
// EmailMessage upserted on Crmsync_Key__c = the dedup key, and one
// EmailMessageRelation per participant, each upserted on its own
// Crmsync_Key__c (RelationKey), written together in one all-or-none
// Composite Graph (SalesforceClient::UpsertEmailGraphs).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "crmsync/core/message.hpp"
#include "crmsync/salesforce/salesforce.hpp"

namespace crmsync::engine {

inline constexpr const char* kEmailMessageSobject = "EmailMessage";
inline constexpr const char* kEmailRelationSobject = "EmailMessageRelation";
inline constexpr const char* kEmailRelationParentField = "EmailMessageId";

// EmailMessage field limits, in characters (Salesforce object reference).
inline constexpr std::size_t kEmailSubjectMaxChars = 3000;
inline constexpr std::size_t kEmailTextBodyMaxChars = 32000;
inline constexpr std::size_t kEmailAddressListMaxChars = 4000;   // ToAddress, CcAddress, BccAddress
inline constexpr std::size_t kEmailFromMaxChars = 1000;          // FromAddress, FromName
inline constexpr std::size_t kEmailIdentifierMaxChars = 255;     // MessageIdentifier
inline constexpr std::size_t kRelationAddressMaxChars = 1000;
inline constexpr std::size_t kExternalIdMaxChars = 255;
// A graph holds at most 500 nodes: the email plus 499 relations.
inline constexpr std::size_t kMaxRelationsPerEmail = 499;

// EmailMessage.Status picklist values we write (never Draft "5", so that
// the record is final once saved).
inline constexpr const char* kEmailStatusRead = "1";   // received mail
inline constexpr const char* kEmailStatusSent = "3";   // mail sent by the organization

// Lower-cased participant address -> Contact, Lead or User id.
using RelationIdsByAddress = std::unordered_map<std::string, std::string>;

// Crmsync_Key__c of a relation: "<key>|<RelationType>|<lower-cased address>",
// or "sha256:" + its hex hash when longer than 255 characters, outside
// printable ASCII, or holding '/' (which Salesforce cannot take in an
// upsert URL even percent-encoded). Deterministic, so a re-send upserts the
// same row.
std::string RelationKey(std::string_view key, std::string_view relation_type,
                        std::string_view address);

// Maps `message` to the EmailMessage fields (all standard fields
// create-only: once not Draft, Salesforce refuses them on update) and one
// relation per distinct (RelationType, address) of from, to, cc, bcc, with
// RelationId = relation_ids[lower-cased address] when present. Texts are
// truncated at code-point boundaries, never failing the record; address lists
// keep whole addresses only. Over kMaxRelationsPerEmail relations, matched
// ones are kept first. `incoming`: the email came from outside the
// organization (Status "1" Read, Incoming true) rather than from it (Status
// "3" Sent, Incoming false). `max_body_chars` (the capture rules' body
// limit) is capped at kEmailTextBodyMaxChars.
salesforce::UpsertRecord BuildEmailMessageRecord(const std::string& key, const Message& message,
                                                 bool incoming,
                                                 const RelationIdsByAddress& relation_ids,
                                                 std::size_t max_body_chars = kEmailTextBodyMaxChars);

}  // namespace crmsync::engine
