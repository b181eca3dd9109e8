// SalesforceClient::UpsertEmailGraphs: Composite Graph payloads sent
// concurrently, and the parent-only re-send of emails that exist already.
#include <fmt/format.h>

#include <mutex>
#include <optional>

#include "crmsync/salesforce/client.hpp"

namespace crmsync::salesforce {
namespace {

// Counted with the Collections upserts: both are "Salesforce upserts".
constexpr std::string_view kUpsertKind = "sf.upsert";
constexpr std::string_view kInvalidFieldForUpdate = "INVALID_FIELD_FOR_INSERT_UPDATE";
// Graphs not run because 14 others of the payload failed: they get another
// payload. Each pass runs at least 15 graphs, so this ends.
constexpr std::string_view kProcessingHalted = "PROCESSING_HALTED";

}  // namespace

struct SalesforceClient::GraphState {
  GraphTarget target;
  std::string path;
  SharedRecords records;   // never null
  UpsertCallback done;
  std::mutex mutex;
  std::vector<UpsertOutcome> outcomes;
  std::size_t pending = 0;             // payload requests not finished yet
  std::optional<Status> failure;       // first request-level failure

  // One payload request finished; the last one reports.
  void Finish(std::optional<Status> error) {
    {
      std::lock_guard lock(mutex);
      if (error && !failure) failure = std::move(error);
      if (--pending != 0) return;
    }
    if (failure) {
      done(std::move(*failure));
    } else {
      done(std::move(outcomes));
    }
  }
};

void SalesforceClient::UpsertEmailGraphs(std::string sobject, std::string external_id_field,
                                         std::vector<UpsertRecord> records, UpsertCallback done) {
  UpsertEmailGraphs(std::move(sobject), std::move(external_id_field),
                    std::make_shared<const std::vector<UpsertRecord>>(std::move(records)), std::move(done));
}

void SalesforceClient::UpsertEmailGraphs(std::string sobject, std::string external_id_field, SharedRecords shared,
                                         UpsertCallback done) {
  if (!shared) shared = std::make_shared<const std::vector<UpsertRecord>>();
  const std::vector<UpsertRecord>& records = *shared;   // still valid once `state` holds `shared`
  if (records.size() > kMaxCollectionRecords) {
    done(Status::InvalidArgument(
        fmt::format("Salesforce composite graph upsert: {} records, at most {} allowed",
                    records.size(), kMaxCollectionRecords)));
    return;
  }
  if (records.empty()) {
    done(std::vector<UpsertOutcome>{});
    return;
  }
  auto state = std::make_shared<GraphState>();
  state->target = {options_.api_version, std::move(sobject), std::move(external_id_field)};
  state->path = fmt::format("/services/data/v{}/composite/graph", options_.api_version);
  state->records = std::move(shared);
  state->outcomes.resize(records.size());
  state->done = std::move(done);

  GraphPlan plan = PlanGraphPayloads(*state->records);
  for (std::size_t index : plan.too_large) {
    UpsertOutcome& outcome = state->outcomes[index];
    outcome.error_code = "TOO_MANY_GRAPH_NODES";
    outcome.error_message = fmt::format(
        "{} '{}' needs {} composite graph nodes, at most {} allowed", state->target.sobject,
        (*state->records)[index].external_id, GraphNodeCount((*state->records)[index]),
        kMaxNodesPerPayload);
  }
  if (plan.payloads.empty()) {
    state->done(std::move(state->outcomes));
    return;
  }
  state->pending = plan.payloads.size();
  for (std::vector<std::size_t>& payload : plan.payloads) {
    SendGraphPayload(state, std::move(payload), true);
  }
}

void SalesforceClient::SendGraphPayload(std::shared_ptr<GraphState> state,
                                        std::vector<std::size_t> indices, bool first_attempt) {
  std::string body = BuildGraphBody(state->target, *state->records, indices, first_attempt);
  SendRequest("POST", state->path, std::move(body), std::string(kUpsertKind),
              [this, state, indices = std::move(indices),
               first_attempt](Result<std::string> reply) mutable {
    if (!reply.ok()) {
      // A re-send that fails for good leaves the first answer's error on
      // its records; anything retryable fails the whole call, which the
      // caller repeats (upserts are idempotent).
      if (first_attempt || reply.status().retryable()) {
        state->Finish(reply.status());
        return;
      }
      {
        std::lock_guard lock(state->mutex);
        for (std::size_t index : indices) {
          state->outcomes[index].error_message += fmt::format(
              " (re-sent without create-only fields: {})", reply.status().message());
        }
      }
      state->Finish(std::nullopt);
      return;
    }
    Result<std::vector<UpsertOutcome>> parsed = ParseGraphResponse(reply.value(), indices.size());
    if (!parsed.ok()) {
      state->Finish(parsed.status());
      return;
    }
    std::vector<std::size_t> resend;
    std::vector<std::size_t> halted;
    {
      std::lock_guard lock(state->mutex);
      for (std::size_t k = 0; k < indices.size(); ++k) {
        UpsertOutcome& outcome = parsed.value()[k];
        const std::size_t index = indices[k];
        if (first_attempt && !outcome.success && outcome.error_code == kInvalidFieldForUpdate &&
            HasCreateOnlyField((*state->records)[index])) {
          resend.push_back(index);
        } else if (!outcome.success && outcome.error_code == kProcessingHalted) {
          (first_attempt ? halted : resend).push_back(index);
        }
        state->outcomes[index] = std::move(outcome);
      }
    }
    GraphPlan parent_only = PlanGraphPayloads(*state->records, resend, /*with_children=*/false);
    GraphPlan full = PlanGraphPayloads(*state->records, halted, /*with_children=*/true);
    {
      std::lock_guard lock(state->mutex);
      state->pending += parent_only.payloads.size() + full.payloads.size();
    }
    for (std::vector<std::size_t>& payload : parent_only.payloads) {
      SendGraphPayload(state, std::move(payload), false);
    }
    for (std::vector<std::size_t>& payload : full.payloads) {
      SendGraphPayload(state, std::move(payload), true);
    }
    state->Finish(std::nullopt);
  });
}

}  // namespace crmsync::salesforce
