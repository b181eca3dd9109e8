// Tenant isolation on the Salesforce side: a write to one org that names a
// record id of another org means one tenant's data (or its people) reached
// the wrong org. Real Salesforce only answers INVALID_CROSS_REFERENCE_KEY;
// the simulator also tells /_sim/verify which tenant's data leaked.
#include "sim_state.hpp"

namespace crmsync::sim {

void SalesforceSim::SetForeignReferenceHook(std::function<void(const std::string&)> hook) {
  impl_->foreign_reference_hook = std::move(hook);
}

void SalesforceSim::SetTokenIssuedHook(std::function<void(const std::string&)> hook) {
  impl_->token_issued_hook = std::move(hook);
}

void SalesforceSim::Impl::NoteForeignReferences(const sf::Org& org, const std::vector<std::string>& ids) const {
  if (!foreign_reference_hook || ids.empty()) return;
  std::vector<std::shared_ptr<sf::Org>> others;
  {
    std::shared_lock lock(orgs_mu);
    for (const auto& [id, other] : orgs_by_id) {
      if (other.get() != &org) others.push_back(other);
    }
  }
  for (const std::string& id : ids) {
    for (const auto& other : others) {
      std::shared_ptr<const sf::Directory> directory;
      std::string tenant;
      {
        std::lock_guard lock(other->mu);
        directory = other->directory;
        tenant = other->credentials.tenant;
      }
      if (directory && (directory->who_ids.Contains(id) || directory->user_ids.Contains(id))) {
        foreign_reference_hook(tenant);
        break;
      }
    }
  }
}

}  // namespace crmsync::sim
