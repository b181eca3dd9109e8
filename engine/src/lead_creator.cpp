#include "crmsync/engine/lead_creator.hpp"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "crmsync/engine/classify.hpp"
#include "crmsync/engine/crm_resolver.hpp"
#include "crmsync/engine/message_key.hpp"
#include "crmsync/engine/task_record.hpp"
#include "crmsync/engine/text.hpp"
#include "crmsync/salesforce/client.hpp"

namespace crmsync::engine {
namespace {

std::string_view TrimName(std::string_view s) {
  // Display names often arrive quoted ("Doe, Jane" <jane@x>) or padded.
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"' || s.front() == '\'')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"' || s.back() == '\'')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string LeadKey(std::string_view address) {
  return NormalizeMessageId(fmt::format("lead:{}", AsciiLower(address)));
}

bool CanBeLead(std::string_view address) {
  if (address.empty() || address.size() > kLeadEmailMaxChars) return false;
  const auto at = address.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= address.size()) return false;
  if (address.find('@', at + 1) != std::string_view::npos) return false;
  return std::all_of(address.begin(), address.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

salesforce::UpsertRecord BuildLeadRecord(const NewLead& lead) {
  const std::string address = AsciiLower(lead.address);
  const auto at = address.find('@');
  const std::string_view local = std::string_view(address).substr(0, at == std::string::npos ? 0 : at);
  const std::string_view domain = DomainOf(address);
  std::string_view name = TrimName(lead.name);
  if (AsciiLower(name) == address) name = {};   // a name that is only the address says nothing
  std::string_view first, last = name;
  if (const auto space = name.find_last_of(" \t"); space != std::string_view::npos) {
    first = TrimName(name.substr(0, space));
    last = TrimName(name.substr(space + 1));
  }
  if (last.empty()) last = local.empty() ? std::string_view(address) : local;

  salesforce::UpsertRecord record;
  record.external_id = LeadKey(address);
  auto& f = record.fields;
  f.push_back({"LastName", std::string(TruncateCodePoints(last, kLeadLastNameMaxChars))});
  if (!first.empty()) f.push_back({"FirstName", std::string(TruncateCodePoints(first, kLeadFirstNameMaxChars))});
  f.push_back({"Company", std::string(TruncateCodePoints(domain.empty() ? address : std::string(domain),
                                                         kLeadCompanyMaxChars))});
  f.push_back({"Email", address});
  f.push_back({"LeadSource", kLeadSource});
  return record;
}

std::vector<NewLead> UnknownPeople(const std::vector<Message>& messages,
                                   const std::vector<Classification>& classes, CrmResolver& crm) {
  std::vector<NewLead> out;
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < classes.size() && i < messages.size(); ++i) {
    const Classification& c = classes[i];
    if (c.skip != SkipReason::kNone) continue;
    for (const auto& address : c.external_addresses) {
      if (seen.count(address) != 0 || !CanBeLead(address)) continue;
      const auto match = crm.Find(address);
      if (!match || !match->contact_id.empty() || !match->lead_id.empty()) continue;
      seen.insert(address);
      const Message& m = messages[i];
      std::string name;
      auto take = [&](const Participant& p) {
        if (name.empty() && AsciiLower(p.address) == address) name = p.name;
      };
      take(m.from);
      for (const auto& p : m.to) take(p);
      for (const auto& p : m.cc) take(p);
      for (const auto& p : m.bcc) take(p);
      out.push_back(NewLead{address, std::move(name)});
    }
  }
  return out;
}

LeadCreator::LeadCreator(std::string tenant, UpsertFn upsert, LearnFn learn)
    : tenant_(std::move(tenant)), upsert_(std::move(upsert)), learn_(std::move(learn)) {}

std::uint64_t LeadCreator::created() {
  std::lock_guard lock(mutex_);
  return created_;
}

void LeadCreator::Create(std::vector<NewLead> leads, std::function<void(Status)> done) {
  std::vector<NewLead> to_send;
  Status known_failure;
  bool waits = false;
  {
    std::lock_guard lock(mutex_);
    const std::size_t slot = next_waiter_++;
    Waiter waiter;
    std::unordered_set<std::string> seen;
    for (auto& lead : leads) {
      lead.address = AsciiLower(lead.address);
      if (!seen.insert(lead.address).second || lead_ids_.count(lead.address) != 0) continue;
      if (auto f = failed_.find(lead.address); f != failed_.end()) {
        if (known_failure.ok()) known_failure = f->second;
        continue;
      }
      auto [it, first] = in_flight_.try_emplace(lead.address);
      it->second.push_back(slot);
      ++waiter.pending;
      if (first) to_send.push_back(std::move(lead));
    }
    waits = waiter.pending > 0;
    if (waits) {
      waiter.status = known_failure;
      waiter.done = std::move(done);
      waiters_.emplace(slot, std::move(waiter));
    }
  }
  if (!waits) {
    done(known_failure);
    return;
  }
  for (std::size_t begin = 0; begin < to_send.size(); begin += kLeadsPerUpsert) {
    const std::size_t end = std::min(to_send.size(), begin + kLeadsPerUpsert);
    std::vector<salesforce::UpsertRecord> records;
    std::vector<std::string> addresses;
    for (std::size_t i = begin; i < end; ++i) {
      records.push_back(BuildLeadRecord(to_send[i]));
      addresses.push_back(to_send[i].address);
    }
    upsert_(std::move(records), [this, addresses = std::move(addresses)](
                                    Result<std::vector<salesforce::UpsertOutcome>> outcome) {
      Complete(addresses, outcome);
    });
  }
}

void LeadCreator::Complete(const std::vector<std::string>& addresses,
                           const Result<std::vector<salesforce::UpsertOutcome>>& outcome) {
  std::vector<std::pair<std::function<void(Status)>, Status>> ready;
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < addresses.size(); ++i) {
      const std::string& address = addresses[i];
      Status status;
      if (!outcome.ok()) {
        status = Status(outcome.status().code(),
                        fmt::format("Lead for {} not written: {}", address, outcome.status().message()));
      } else if (i >= outcome.value().size()) {
        status = Status::Permanent(fmt::format("Lead for {}: Salesforce answered no outcome", address));
      } else if (const salesforce::UpsertOutcome& o = outcome.value()[i]; !o.success || o.id.empty()) {
        status = Status::Permanent(
            fmt::format("Lead for {} refused by Salesforce: {} {}", address, o.error_code, o.error_message));
        failed_.emplace(address, status);
      } else {
        lead_ids_.emplace(address, o.id);
        if (o.created) ++created_;
        // Under the lock: a page that finds the address in lead_ids_ must
        // also find the Lead in the cache.
        learn_(address, o.id);
      }
      auto slots = in_flight_.find(address);
      if (slots == in_flight_.end()) continue;
      for (const std::size_t slot : slots->second) {
        auto w = waiters_.find(slot);
        if (w == waiters_.end()) continue;
        if (!status.ok() && w->second.status.ok()) w->second.status = status;
        if (--w->second.pending == 0) {
          ready.emplace_back(std::move(w->second.done), w->second.status);
          waiters_.erase(w);
        }
      }
      in_flight_.erase(slots);
    }
  }
  for (auto& [callback, status] : ready) callback(status);
}

std::unique_ptr<LeadCreator> MakeLeadCreator(std::string tenant, salesforce::SalesforceClient& client,
                                             CrmResolver& crm) {
  return std::make_unique<LeadCreator>(
      std::move(tenant),
      [&client](std::vector<salesforce::UpsertRecord> records, LeadCreator::UpsertDone done) {
        client.Upsert(kLeadSobject, kKeyField, std::move(records), std::move(done));
      },
      [&crm](const std::string& address, const std::string& lead_id) { crm.LearnCreatedLead(address, lead_id); });
}

}  // namespace crmsync::engine
