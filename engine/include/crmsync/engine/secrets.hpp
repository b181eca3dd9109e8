// Secrets the engine keeps sealed in the state, by kind.
#pragma once

#include <string>

#include "crmsync/core/status.hpp"
#include "crmsync/state/secret_box.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

// The Google service account's JSON key file, stored by `crmsync connect google`.
inline constexpr const char* kGoogleKeySecret = "google.service_account";
// The Salesforce service account's refresh token, stored by `crmsync connect
// salesforce` and replaced whenever Salesforce rotates it.
inline constexpr const char* kSalesforceRefreshSecret = "salesforce.refresh_token";
// authorization = "per_user": one user's own Salesforce refresh token, stored
// by `crmsync connect salesforce --user`. The user is part of the kind, so
// the sealed bytes moved to another user's (or tenant's) row do not open.
std::string SalesforceUserRefreshSecret(const std::string& address);

// The master key file of a state directory: beside it, not inside it, so a
// copy of the RocksDB directory alone opens nothing.
std::string MasterKeyFileFor(const std::string& state_dir);

// Opens secret `kind` of `tenant`: kNotFound when none is stored (or no box
// is given), kCorruption when it does not open.
Result<std::string> OpenSealedSecret(state::Store& store, const state::SecretBox* box,
                                     const std::string& tenant, const std::string& kind);
// Reads a service-account key file; the error names the file, never the key.
Result<std::string> ReadKeyFile(const std::string& path);

// Seals `plaintext` and stores it.
Status StoreSealedSecret(state::Store& store, const state::SecretBox& box, const std::string& tenant,
                         const std::string& kind, const std::string& plaintext);

}  // namespace crmsync::engine
