// unknown_person = "create_lead": a Lead for each external address of
// captured mail that matches no Contact or Lead, written before the records
// that reference it (README "Capture rules", "Unknown people").
//
// Exactly once: each Lead is upserted on Crmsync_Key__c = LeadKey(address),
// so a crash, a rerun or another mailbox updates the same Lead instead of
// creating a second; within a run an address is never in two requests at
// once (later askers wait for the request in flight). Thread-safe; callbacks
// may run on the transport thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crmsync/core/message.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/salesforce/salesforce.hpp"

namespace crmsync::salesforce {
class SalesforceClient;
}

namespace crmsync::engine {

class CrmResolver;
struct Classification;

inline constexpr const char* kLeadSobject = "Lead";
// Lead.LeadSource of every Lead crmsync creates (a picklist: an org that
// restricts it must list this value).
inline constexpr const char* kLeadSource = "crmsync";
// Salesforce field limits (characters).
inline constexpr std::size_t kLeadEmailMaxChars = 80;
inline constexpr std::size_t kLeadLastNameMaxChars = 80;
inline constexpr std::size_t kLeadFirstNameMaxChars = 40;
inline constexpr std::size_t kLeadCompanyMaxChars = 255;
inline constexpr std::size_t kLeadsPerUpsert = 200;

// One person to create: the lower-case address and the display name the
// mail gave it (may be empty).
struct NewLead {
  std::string address;
  std::string name;
};

// "lead:" + the lower-case address (sha256 form when too long or not
// printable ASCII, as for message keys).
std::string LeadKey(std::string_view address);
// Whether Salesforce can hold `address` in Lead.Email: printable ASCII
// without spaces, one "@" with both sides non-empty, at most 80 characters.
// Other addresses are never created (their mail stays no_crm_match).
bool CanBeLead(std::string_view address);
// LastName = the display name's last word (the local part when there is no
// name), FirstName = the words before it, Company = the domain, Email,
// LeadSource; each cut to its field's length.
salesforce::UpsertRecord BuildLeadRecord(const NewLead& lead);

// The addresses of candidate copies (skip == kNone) in `classes` that
// `crm` knows as nobody, deduplicated, each with the first display name
// the messages give it. `classes[i]` belongs to `messages[i]`.
std::vector<NewLead> UnknownPeople(const std::vector<Message>& messages,
                                   const std::vector<Classification>& classes, CrmResolver& crm);

class LeadCreator {
 public:
  using UpsertDone = std::function<void(Result<std::vector<salesforce::UpsertOutcome>>)>;
  // Sends one sObject Collections upsert of Leads (≤ kLeadsPerUpsert records).
  using UpsertFn = std::function<void(std::vector<salesforce::UpsertRecord>, UpsertDone)>;
  // Told each created or found Lead id, before any waiter is released;
  // called under the creator's lock, so it must not call back into it.
  using LearnFn = std::function<void(const std::string& address, const std::string& lead_id)>;

  LeadCreator(std::string tenant, UpsertFn upsert, LearnFn learn);

  // Makes sure a Lead exists for every address of `leads`, then calls
  // `done` (at once when there is nothing to write). A Lead Salesforce
  // refuses fails `done` with an error naming the address; such an address
  // is not tried again in this run.
  void Create(std::vector<NewLead> leads, std::function<void(Status)> done);
  // Leads Salesforce created in this run (not the ones that already existed).
  std::uint64_t created();

 private:
  struct Waiter {
    std::size_t pending = 0;
    Status status;
    std::function<void(Status)> done;
  };
  void Complete(const std::vector<std::string>& addresses,
                const Result<std::vector<salesforce::UpsertOutcome>>& outcome);

  std::string tenant_;
  UpsertFn upsert_;
  LearnFn learn_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> lead_ids_;   // written this run
  std::unordered_map<std::string, Status> failed_;          // refused this run
  std::unordered_map<std::string, std::vector<std::size_t>> in_flight_;   // address -> waiter slots
  std::unordered_map<std::size_t, Waiter> waiters_;
  std::size_t next_waiter_ = 0;
  std::uint64_t created_ = 0;
};

// The creator of a tenant: Lead upserts through `client`, learnt by `crm`.
// Both must outlive it.
std::unique_ptr<LeadCreator> MakeLeadCreator(std::string tenant, salesforce::SalesforceClient& client,
                                             CrmResolver& crm);

}  // namespace crmsync::engine
