// --write-config: a crmsync TOML configuration pointing at this simulator, and
// the atomic file writes main.cpp uses for it and for --port-file.
#pragma once

#include <string>

#include "corpus.hpp"
#include "crmsync/core/status.hpp"

namespace crmsync::sim {

struct ConfigTarget {
  std::string origin;        // "https://127.0.0.1:PORT"
  std::string ca_file;       // absolute path of the CA PEM; empty with --plain-http
  std::string api_version = "60.0";
  std::string key_dir{};     // absolute directory of the Gmail tenants' key files
  std::string object_model{};   // written as [tenants.salesforce] object_model unless empty (--object)
  // --mail-access delegated: Graph tenants get access = "delegated", Gmail tenants access = "oauth_user", and a
  // listed users source (every user of the tenant), each user then
  // connecting with `crmsync connect mailbox`.
  bool delegated_mail = false;
  // --authorization per_user: authorization = "per_user" and no service-account
  // refresh token (each user connects with `crmsync connect salesforce --user`).
  bool per_user_authorization = false;
};

// "{key_dir}/{tenant id}-service-account.json"
std::string KeyFilePath(const ConfigTarget& target, const Tenant& tenant);

// One [[tenants]] block per tenant with its Microsoft app (Graph tenants) or
// Google service-account key file (Gmail tenants) and Salesforce org
// credentials. Contains secrets: write it with owner-only permissions.
std::string RenderConfig(const Corpus& corpus, const ConfigTarget& target);

// Writes PATH.tmp, then renames it over PATH. `mode` applies to the new file.
Status WriteFileAtomically(const std::string& path, const std::string& content, unsigned mode = 0644);

}  // namespace crmsync::sim
