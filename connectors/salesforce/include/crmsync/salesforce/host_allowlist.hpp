// Which hosts crmsync sends a Salesforce credential to: the login URL of a
// tenant and the instance_url a token grant answers with (API-FACTS.md §4.7).
#pragma once

#include <string_view>

#include "crmsync/core/status.hpp"

namespace crmsync::salesforce {

// Ok when `url` is https, has no user info, and its host is a Salesforce
// domain: salesforce.com, force.com, siteforce.com or my.site.com, or a
// subdomain of one on a label boundary (so "evil-salesforce.com" and
// "salesforce.com.attacker.io" are refused). With `allow_loopback` (tests
// against the simulator only) 127.0.0.0/8, ::1 and localhost are accepted too,
// over https. The error names the URL's host and why it was refused.
Status CheckSalesforceUrl(std::string_view url, bool allow_loopback);

}  // namespace crmsync::salesforce
