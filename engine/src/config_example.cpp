#include "crmsync/engine/config_example.hpp"

namespace crmsync::engine {

// Every value below is the default, except identities and secrets, which
// have none. Kept loadable and complete by tests/unit/ops/config_example_test.cpp.
std::string_view ConfigExample() {
  return R"toml(# crmsync configuration: every option with its default.
# `crmsync config check --config FILE` validates a file like this one.
# Unknown keys are errors; every error names the file, line and key.

[engine]
state_dir = ""                     # "" = ./crmsync-state; --state overrides
max_streams_in_flight = 256        # mailbox folders read at once, at most: 64, more while waiting on the network (1..100000)
max_writes_in_flight = 4           # concurrent Salesforce upserts per organization (1..64)
max_connections_per_host = 256     # HTTP connections to one host: its requests in flight over HTTP/1.1 (1..4096)
request_timeout_seconds = 60       # per HTTP request, seconds (1..3600)
retry_base_ms = 500                # first retry delay of a transient failure, doubled each attempt, with jitter (1..60000)
retry_cap_ms = 30000               # longest retry delay; a Retry-After the service sends wins (1..600000)

# One [[tenants]] block per organization. Each has exactly one mail system
# table ([tenants.microsoft], [tenants.google] or [tenants.exchange]) and a
# [tenants.salesforce] table.
[[tenants]]
id = "northwind"                   # crmsync's name for the organization (state keys, reports, metrics)
domains = ["northwind.example"]    # the organization's own mail domains (internal mail)
authorization = "service_account"  # service_account (one account writes for every user) | per_user (each user's own
                                   # token: `crmsync connect salesforce --tenant T --user ADDRESS`)
activation = "immediate"           # immediate | first_logon (pending until `crmsync users activate`)

[tenants.microsoft]                # Microsoft 365 through Microsoft Graph, application access
tenant_id = "00000000-0000-0000-0000-000000000000"   # Microsoft Entra tenant id (required)
client_id = "00000000-0000-0000-0000-000000000000"   # application id (required)
client_secret = "REPLACE-ME"       # secret (required); never printed
login_url = "https://login.microsoftonline.com"
graph_url = "https://graph.microsoft.com"
ca_file = ""                       # extra CA bundle (PEM) trusted for these hosts
page_size = 100                    # Prefer: odata.maxpagesize (1..1000)
access = "application"             # application (admin consent, every mailbox) | delegated (each listed user's own
                                   # consent: `crmsync connect mailbox`; needs [tenants.users] source = "listed")

[tenants.salesforce]               # the dedicated service account
connection = "production"          # production | sandbox | my_domain | experience_site
login_url = "https://login.salesforce.com"   # sandbox: https://test.salesforce.com; required for my_domain
                                   # (https://NAME.my.salesforce.com) and experience_site
client_id = "REPLACE-ME"           # connected app consumer key (required)
client_secret = "REPLACE-ME"       # secret (required)
refresh_token = ""                 # secret, optional: `crmsync connect salesforce` stores one sealed, which wins
api_version = "60.0"
ca_file = ""
object_model = "task"              # task | enhanced_email (EmailMessage + EmailMessageRelation)
allow_loopback = false             # TEST ONLY: lets a loopback simulator stand in for Salesforce

[tenants.users]
source = "directory"               # directory (every mailbox) | group (its members, nested groups too) | listed
group = ""                         # source = "group": the group's id or address
list = []                          # source = "listed": these mailboxes only (any alias)
salesforce_match = "email"         # email (User.Email = primary address) | federation_id (User.FederationIdentifier) | explicit

[tenants.users.salesforce_map]     # salesforce_match = "explicit": mailbox address = Salesforce User id
# "ann@northwind.example" = "005000000000001AAA"

[tenants.provisioning]             # `crmsync serve`: HMAC-SHA256 secrets, current first, then at most one previous
hmac_secrets = ["REPLACE-ME-WITH-32-OR-MORE-RANDOM-CHARACTERS"]

[tenants.budget]                   # a daily Salesforce API call budget for this organization
daily_salesforce_calls = 0         # 0 = no budget (0..1000000000); counted per UTC day in the state
backfill_share_percent = 50        # a backfill stops once the day's count reaches this share of the budget (1..100),
                                   # and uses this share of the per-mailbox and per-org concurrency (at least 1)

[tenants.capture]
mode = "automatic"                 # automatic | selective (only mail marked by a category, label or folder)
categories = ["CRM"]               # selective: Outlook categories
labels = ["CRM"]                   # selective: Gmail labels
folders = []                       # selective: mail folder display names (Graph also reads them)
direction = "both"                 # both | incoming | outgoing
skip_internal = true               # mail with no participant outside the organization's domains
skip_drafts = true
skip_auto_replies = true
skip_bulk = true                   # newsletters and bulk mail (List-Unsubscribe, Precedence: bulk)
exclude_domains = []               # privacy: mail with any participant in these domains is never captured
exclude_addresses = []             # privacy: ... with any of these addresses
exclude_subjects = []              # privacy: RE2 patterns matched against the subject
max_age_days = 0                   # 0 = no limit (0..36500)
max_body_chars = 32000             # bodies are truncated, never refused (1..32000)
match_objects = ["Contact", "Lead"]   # which records a participant is matched to, in order of preference
unknown_person = "skip"            # skip | create_lead (a Lead per unknown external address of captured mail)
match_ttl_hours = 24               # CRM match cache: how long a match is trusted (1..8760)
miss_ttl_hours = 6                 # ... and "nobody has this address" (1..8760)
prime_crm_cache = false            # load every Contact/Lead address before the first page
calendar = "off"                   # off | meetings (Events per iCalUID) | free_busy (busy slots only)
calendar_past_days = 30            # meetings: a full sync reads from this many days back (0..3650)
calendar_future_days = 90          # ... to this many days ahead (1..3650)
freebusy_days = 14                 # free_busy: the window of busy slots, from now (1..62)
calendar_anchor = ""               # "" = now; YYYY-MM-DD pins the calendar windows (tests, re-runs)

[[tenants.capture.users]]          # one user's own exclusions, on top of the organization's
address = "ann@northwind.example"
exclude_domains = []
exclude_addresses = []
exclude_subjects = []

[[tenants]]
id = "contoso"
domains = ["contoso.example"]
authorization = "service_account"
activation = "immediate"

[tenants.google]                   # Google Workspace: a service account with domain-wide delegation
key_file = ""                      # its JSON key (secret); "" = the key `crmsync connect google` sealed in the state
admin_email = "admin@contoso.example"   # a user the Directory API is read as (required with service_account)
customer = "my_customer"
api_url = "https://gmail.googleapis.com"
directory_url = "https://admin.googleapis.com"
ca_file = ""
scopes = []                        # [] = the read-only defaults
page_size = 100                    # messages.list / history.list maxResults (1..500)
since = ""                         # first run reads mail from this date (YYYY-MM-DD); "" = all mail
access = "service_account"         # service_account | oauth_user (each listed user's own consent:
                                   #   users.source = "listed", crmsync connect mailbox --tenant T --user U)
client_id = ""                     # oauth_user: the OAuth client users consent to (required with oauth_user)
client_secret = ""                 # oauth_user: its secret (required with oauth_user)
auth_url = "https://accounts.google.com/o/oauth2/v2/auth"   # oauth_user: Google's consent screen
token_url = "https://oauth2.googleapis.com/token"           # oauth_user: code exchange and refresh grants

[tenants.salesforce]
client_id = "REPLACE-ME"
client_secret = "REPLACE-ME"

[[tenants]]
id = "fabrikam"
domains = ["fabrikam.example"]

[tenants.exchange]                 # Exchange Web Services with impersonation (app-only OAuth)
tenant_id = "00000000-0000-0000-0000-000000000000"
client_id = "00000000-0000-0000-0000-000000000000"
client_secret = "REPLACE-ME"
login_url = "https://login.microsoftonline.com"
ews_url = "https://outlook.office365.com/EWS/Exchange.asmx"
graph_url = "https://graph.microsoft.com"   # users are listed with Graph /users
ca_file = ""
page_size = 100                    # SyncFolderItems MaxChangesReturned (1..512)

[tenants.salesforce]
client_id = "REPLACE-ME"
client_secret = "REPLACE-ME"
)toml";
}

}  // namespace crmsync::engine
