// Helpers shared by the integration tests that drive per-user consent end to
// end (delegated and oauth_user mailboxes, connection lifecycles, per-user
// Salesforce authorization): one state directory per test, runs and status of
// tenant-1, the simulator's consent, `crmsync connect mailbox`, and the
// "browser" that follows an authorization URL.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harness.hpp"

namespace crmsync::harness {

// A test's state directory and report file, under a fresh temporary directory.
struct Setup {
  TempDir dir;
  std::string state = dir.path() + "/state";
  std::string report = dir.path() + "/report.json";
};

// The string at `path` (object keys, or decimal indexes into arrays); "" when absent.
std::string JsonText(const std::string& json, const std::vector<std::string>& path);

// `crmsync run --quiet` against the simulator's configuration.
ProcessResult Run(const SimProcess& sim, const Setup& s);

// `crmsync status --json --tenant tenant-1`, its output.
std::string TenantStatus(const SimProcess& sim, const Setup& s);

// The users the simulator listed in the configuration it wrote.
std::vector<std::string> ListedUsers(const SimProcess& sim);

// The user's consent (a fresh refresh token from the simulator), written to a file; the file's path.
std::string Consent(const SimProcess& sim, const Setup& s, const std::string& user);

// `crmsync connect mailbox` for `user` of tenant-1 with the token in `file`.
ProcessResult ConnectMailbox(const SimProcess& sim, const Setup& s, const std::string& user, const std::string& file,
                             bool refresh = false);

// Every user of `users` consents and is connected headless; the consents
// given (the first refresh tokens), which the output never shows.
std::vector<std::string> ConnectEveryMailbox(const SimProcess& sim, const Setup& s,
                                             const std::vector<std::string>& users);

// `crmsync connect mailbox` for `user` through the browser flow: the
// authorize URL it printed (into `url`) followed by the "browser", the
// command then Connected.
void ConnectMailboxInBrowser(const SimProcess& sim, const Setup& s, const std::string& user, std::string& url);

// `user` takes the consent back: the next run (after new mail) suspends only
// that user, naming invalid_grant; after the user consents again the next run
// resumes with all `users_total` active and everything written once.
void CheckOneUserRevokedThenResumes(const SimProcess& sim, const Setup& s, const std::string& user,
                                    std::int64_t users_total);

// status --tenant: the status and reason of `user`'s detail line; empty when not listed.
std::pair<std::string, std::string> UserStatus(const std::string& status, const std::string& user);

// Every expected mail written once, nothing else, no isolation or delegation violation.
void CheckDelegatedClean(const SimProcess& sim);

// The URL a `connect --url-file` process writes, without its line end; "" when
// none appeared within 15 seconds.
std::string AwaitUrlFile(const std::string& url_file);

struct BrowserVisit {
  bool transferred = false;  // curl completed the request chain
  long http_status = 0;      // of the last response
};

// The "browser": follows `url` and its redirects (the simulator signs the user
// in, consents and redirects to the loopback listener).
BrowserVisit FollowInBrowser(const SimProcess& sim, const std::string& url);

// Per-user Salesforce authorization (authorization = "per_user").
struct UserRow {
  std::string address, status, reason;
};

// The users of `tenant` as `crmsync status --tenant T --json` shows them.
std::vector<UserRow> Users(const SimProcess& sim, const Setup& s, const std::string& tenant);

// Records `address`'s own Salesforce authorization: the simulator issues a
// token bound to that user's Salesforce User, crmsync connect seals it.
void ConnectUser(const SimProcess& sim, const Setup& s, const std::string& tenant, const std::string& address,
                 bool refresh = false);

// The simulator's Salesforce token grants of `tenant` per user address.
std::map<std::string, std::int64_t> UserGrants(const SimProcess& sim, const std::string& tenant);

// Every expected mail written once, nothing else, no isolation or owner violation.
void CheckClean(const SimProcess& sim);

}  // namespace crmsync::harness
