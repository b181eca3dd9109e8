// Microsoft Graph groups in the simulator: each tenant's one group (corpus.hpp
// SalesGroupAddress / SalesGroupId), found by address with
// GET /v1.0/groups?$filter=mail eq '...', and its users with
// GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user.
#pragma once

#include <string_view>

#include "corpus.hpp"
#include "http_server.hpp"

namespace crmsync::sim {

HttpResponse GraphGroupsByMail(const HttpRequest& request, const Tenant& tenant);
// `origin` prefixes the @odata.nextLink of a page that is not the last.
HttpResponse GraphGroupMembers(const HttpRequest& request, const Tenant& tenant, std::string_view group_id,
                               std::string_view origin);

}  // namespace crmsync::sim
