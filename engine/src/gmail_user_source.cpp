// The Gmail source of a google.access = "oauth_user" tenant: every user's
// calls go out with that user's own grant from tenant.user_mail_tokens
// (mailbox_grants.cpp), never with a service account.
#include <algorithm>

#include "crmsync/engine/text.hpp"
#include "crmsync/gmail/mail_source.hpp"
#include "mailbox_grants.hpp"
#include "tenant_runtime.hpp"

namespace crmsync::engine {

Status MakeOAuthUserGmailSource(TenantRuntime& tenant, http::Transport& transport, std::chrono::milliseconds timeout) {
  const TenantConfig& config = *tenant.config;
  gmail::GmailSourceOptions options;
  options.api_url = config.google.api_url;
  options.directory_url = config.google.directory_url;
  options.ca_file = config.google.ca_file;
  options.page_size = config.google.page_size;
  if (!config.google.since.empty()) {
    // Gmail's search syntax writes dates as YYYY/MM/DD.
    options.since_date = config.google.since;
    std::replace(options.since_date.begin(), options.since_date.end(), '-', '/');
  }
  options.timeout = timeout;
  options.resolve_label_names = config.capture.mode == CaptureMode::kSelective && !config.capture.labels.empty();
  // Read-only once set-up is done, so the lookups need no lock. The listed
  // address is the user id and the Gmail subject.
  options.user_tokens = [&tenant](const std::string& user) -> auth::TokenProvider* {
    auto it = tenant.user_mail_tokens.find(user);
    if (it == tenant.user_mail_tokens.end()) it = tenant.user_mail_tokens.find(AsciiLower(user));
    return it == tenant.user_mail_tokens.end() ? nullptr : it->second.get();
  };
  options.user_token_grants = [&tenant] {
    std::uint64_t grants = 0;
    for (const auto& [id, tokens] : tenant.user_mail_tokens) grants += tokens->grants();
    return grants;
  };
  tenant.signed_in_user = [&transport, api_url = options.api_url, ca_file = options.ca_file,
                           timeout](auth::TokenProvider& tokens) -> Result<MailUser> {
    auto address = gmail::GmailProfileAddress(transport, api_url, ca_file, timeout, tokens);
    if (!address.ok()) return address.status();
    MailUser user;
    user.id = AsciiLower(address.value());
    user.primary = user.id;
    user.aliases = {user.id};
    return user;
  };
  tenant.source = gmail::MakeGmailMailSource(transport, std::move(options));
  return Status::Ok();
}

}  // namespace crmsync::engine
