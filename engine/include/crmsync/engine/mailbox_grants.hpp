// Per-user (delegated) mailbox access: each listed user's own OAuth consent,
// kept as a refresh token sealed in the state with the tenant AND the user as
// associated data, and turned into that user's own token provider at set-up.
// Used by the engine and by `crmsync connect mailbox`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crmsync/auth/token_provider.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/engine/config.hpp"
#include "crmsync/http/transport.hpp"
#include "crmsync/state/secret_box.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::engine {

// True when the tenant reads every mailbox with its user's own consent.
bool UsesDelegatedMail(const TenantConfig& tenant);

// The secret kind of `address`'s refresh token: "mailbox.refresh_token/<address, lower-case>".
// Sealing binds tenant + kind, so a token opens only for its tenant and user.
std::string MailboxGrantKind(const std::string& address);
// kNotFound when the user has none (or the state has no master key).
Result<std::string> OpenMailboxGrant(state::Store& store, const state::SecretBox* box, const std::string& tenant,
                                     const std::string& address);
// Sealed and stored with a synced write.
Status StoreMailboxGrant(state::Store& store, const state::SecretBox& box, const std::string& tenant,
                         const std::string& address, const std::string& refresh_token);

// Why a listed user without a recorded grant is pending.
std::string NoMailboxGrantReason(const std::string& tenant, const std::string& address);

// The user's delegated token provider (refresh_token grant at the tenant's
// token endpoint). `on_rotated` receives every rotated refresh token before
// the access token of that grant is used: store it there (sealed, synced).
std::unique_ptr<auth::TokenProvider> MakeMailboxTokenProvider(
    http::Transport& transport, const TenantConfig& tenant, const std::string& address,
    const std::string& refresh_token, std::function<Status(const std::string&)> on_rotated);

}  // namespace crmsync::engine
