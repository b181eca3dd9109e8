// The /_sim/ admin surface (no auth): verify against ground truth, request
// statistics, advancing the clock, expected outcome counts. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "isolation_log.hpp"
#include "corpus.hpp"
#include "faults.hpp"
#include "graph_service.hpp"
#include "ground_truth.hpp"
#include "http_server.hpp"
#include "http_util.hpp"
#include "salesforce_sim.hpp"

namespace crmsync::sim {

class AdminService {
 public:
  AdminService(Corpus& corpus, SalesforceSim& salesforce, const GraphService& graph, const RequestStats& stats);

  static bool Owns(const HttpRequest& request);   // /_sim/...
  HttpResponse Handle(const HttpRequest& request);
  // Verify EmailMessage records and their relations instead of Tasks
  // (--object email-message). Set before the first request.
  void SetEmailMessageObjects(bool on) { email_message_objects_ = on; }
  // Per-user authorization: a Task's OwnerId is whichever user wrote it, so
  // any user whose mailbox copy is captured is a right owner.
  void SetPerUserAuthorization(bool on) { per_user_authorization_ = on; }
  // Cross-tenant uses reported by verify as isolation_violations.
  void SetIsolationLog(const IsolationLog* log) { isolation_ = log; }
  // Delegated tokens used on another mailbox of their own tenant, reported
  // by verify as delegation_violations.
  void SetDelegationLog(const IsolationLog* log) { delegation_ = log; }
  // Keys the fault plan rejected count as "rejected", not "missing".
  void SetFaultPlan(const FaultPlan* plan) { faults_ = plan; }

  // Outcome counts of the ground truth for one tenant over all epochs so far.
  OutcomeCounts Expected(int tenant);
  // The same with the outcomes of every mailbox copy.
  TruthCounts ExpectedTruth(int tenant);

 private:
  HttpResponse Verify(const HttpRequest& request);
  HttpResponse Stats();
  HttpResponse Advance(const HttpRequest& request);
  HttpResponse ExpectedCounts(const HttpRequest& request);
  TruthCounts EpochCounts(int tenant, int epoch, const Epochs& epochs);

  Corpus& corpus_;
  SalesforceSim& salesforce_;
  const GraphService& graph_;
  const RequestStats& stats_;
  std::mutex cache_mutex_;
  std::map<std::pair<int, int>, TruthCounts> epoch_counts_;   // (tenant, epoch); epochs never change
  std::mutex advance_mutex_;
  bool email_message_objects_ = false;
  bool per_user_authorization_ = false;
  const IsolationLog* isolation_ = nullptr;
  const IsolationLog* delegation_ = nullptr;
  const FaultPlan* faults_ = nullptr;
};

}  // namespace crmsync::sim
