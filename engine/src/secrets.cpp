#include "crmsync/engine/secrets.hpp"

#include <fmt/format.h>

namespace crmsync::engine {

std::string SalesforceUserRefreshSecret(const std::string& address) {
  std::string lower = address;
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return std::string(kSalesforceRefreshSecret) + ".user:" + lower;
}

std::string MasterKeyFileFor(const std::string& state_dir) {
  std::string dir = state_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".key";
}

Result<std::string> OpenSealedSecret(state::Store& store, const state::SecretBox* box, const std::string& tenant,
                                     const std::string& kind) {
  auto sealed = store.GetSecret(tenant, kind);
  if (!sealed.ok()) return sealed.status();
  if (!sealed.value() || box == nullptr) {
    return Status::NotFound(fmt::format("no sealed {} for tenant {}", kind, tenant));
  }
  return box->Open(tenant, kind, *sealed.value());
}

Status StoreSealedSecret(state::Store& store, const state::SecretBox& box, const std::string& tenant,
                         const std::string& kind, const std::string& plaintext) {
  auto sealed = box.Seal(tenant, kind, plaintext);
  if (!sealed.ok()) return sealed.status();
  return store.PutSecret(tenant, kind, sealed.value());
}

}  // namespace crmsync::engine
