// Verification of an Enhanced Email tenant (`--object email-message`):
// the EmailMessage records take the place of the Tasks for missing,
// duplicates and unexpected (same expected keys), and every captured email
// must carry one EmailMessageRelation per participant that is a known
// Contact, Lead or User (relations_missing).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "corpus.hpp"
#include "salesforce_sim.hpp"

namespace crmsync::sim {

using EmailMessagesByKey = std::map<std::string, std::vector<StoredEmailMessage>>;

// tenant -> key -> the EmailMessages as plain records, the shape Verify counts.
std::map<std::string, std::map<std::string, std::vector<StoredTask>>> EmailMessagesAsRecords(
    const std::map<std::string, EmailMessagesByKey>& emails);

// Lower-cased emails of the tenant org's Contacts, Leads and Users.
std::unordered_set<std::string> KnownAddresses(const Tenant& tenant);

// The relations expected for the captured message `header` (from, to, cc
// whose address is known) that no stored EmailMessage of `key` carries with
// that RelationType, RelationAddress and a RelationId.
std::uint64_t MissingRelations(const MessageHeader& header, const std::string& key,
                               const std::unordered_set<std::string>& known,
                               const EmailMessagesByKey& by_key);

// Task field of the ground truth -> the EmailMessage field holding it, or
// nullptr for Task-only fields (TaskSubtype, Status, ActivityDate, WhoId, OwnerId).
const char* EmailFieldFor(const std::string& task_field);

}  // namespace crmsync::sim
