// The engine's side of delegated mailbox access (see
// crmsync/engine/mailbox_grants.hpp): a tenant's per-user token providers.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "crmsync/core/mail_source.hpp"
#include "crmsync/engine/mailbox_grants.hpp"

namespace crmsync::engine {

struct TenantRuntime;

// The Graph source of a delegated tenant: requests of a user go out with
// that user's provider from tenant.user_mail_tokens (mailbox_grants.cpp).
Status MakeDelegatedGraphSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout);

// The Gmail source of a google.access = "oauth_user" tenant (gmail_user_source.cpp):
// each user's calls with that user's provider from tenant.user_mail_tokens.
Status MakeOAuthUserGmailSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout);

// The users of a delegated tenant, from its list: users with a grant are
// read from Graph (/me, with their own token: id check and aliases), users
// without one are pending, users whose grant is refused are suspended
// (tenant.delegated_status holds both). Fills tenant.user_mail_tokens.
std::vector<MailUser> ListDelegatedUsers(TenantRuntime& tenant, http::Transport& transport, state::Store& store,
                                         const state::SecretBox* secrets);

// After ListDelegatedUsers: the refusal when every user's grant was refused
// (the tenant's consent revoked as a whole, not one user's): the tenant's
// mailbox connection is lost, as with application access.
std::optional<std::string> EveryGrantRefused(const TenantRuntime& tenant);

}  // namespace crmsync::engine
