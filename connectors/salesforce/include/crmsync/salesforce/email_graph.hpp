// Enhanced Email through the Composite Graph API (API-FACTS.md §4.3):
// one graph per email, holding the EmailMessage upsert and one
// EmailMessageRelation upsert per participant. A graph is all-or-none, so a
// crash or a failure never leaves an email without its relations. Pure
// builders and parsers; SalesforceClient::UpsertEmailGraphs sends them.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/salesforce/salesforce.hpp"

namespace crmsync::salesforce {

// An email and its relations: the parent is the EmailMessage, `children`
// its EmailMessageRelation rows (ChildRecord::parent_field "EmailMessageId").
using EmailGraphRecord = UpsertRecord;

// Composite Graph limits (API-FACTS.md §4.3).
inline constexpr std::size_t kMaxGraphsPerPayload = 75;
inline constexpr std::size_t kMaxNodesPerPayload = 500;
// referenceId of the parent node in every graph; children are "r1", "r2", ...
inline constexpr std::string_view kParentReference = "parent";

struct GraphTarget {
  std::string api_version;        // "60.0"
  std::string sobject;            // parent sObject, e.g. "EmailMessage"
  std::string external_id_field;  // on the parent and on every child, e.g. "Crmsync_Key__c"
};

// Nodes one record needs: the parent plus its children (with_children) or
// the parent alone.
std::size_t GraphNodeCount(const UpsertRecord& record, bool with_children = true);

// Splits `records` into payloads of at most kMaxGraphsPerPayload graphs and
// kMaxNodesPerPayload nodes, in order. A record that alone exceeds the node
// limit is left out and listed in `too_large`.
struct GraphPlan {
  std::vector<std::vector<std::size_t>> payloads;   // indices into records
  std::vector<std::size_t> too_large;
};
GraphPlan PlanGraphPayloads(std::span<const UpsertRecord> records, bool with_children = true);
// The same over the records at `indices` only.
GraphPlan PlanGraphPayloads(std::span<const UpsertRecord> records,
                            std::span<const std::size_t> indices, bool with_children);

// {"graphs":[{"graphId":"g<i>","compositeRequest":[PATCH parent, PATCH child...]}]}
// for records[indices[i]]; graphId "g<i>" numbers the graphs of this payload.
// Children get `parent_field: "@{parent.id}"`. With include_create_only =
// false, create-only fields and the children are left out: that is the
// re-send of an email that exists already (its relations were committed with
// it, since its graph was all-or-none). Strings are JSON-escaped; keys are
// percent-encoded in the node URLs.
std::string BuildGraphBody(const GraphTarget& target, std::span<const UpsertRecord> records,
                           std::span<const std::size_t> indices, bool include_create_only = true);

// The 200 response: one outcome per graph, in request order. A successful
// graph gives the parent's id and whether it was created (201); a failed one
// the first error that is not PROCESSING_HALTED (or PROCESSING_HALTED when
// every node was halted). Malformed or incomplete responses are kCorruption.
Result<std::vector<UpsertOutcome>> ParseGraphResponse(std::string_view body, std::size_t graphs);

}  // namespace crmsync::salesforce
