// SalesforceClient::Delete: sObject Collections DELETE
// (/composite/sobjects?ids=...&allOrNone=false), answered like an upsert:
// one {id, success, errors} per id, in request order.
#include <fmt/format.h>


#include "crmsync/salesforce/client.hpp"
#include "url_encode.hpp"

namespace crmsync::salesforce {

void SalesforceClient::Delete(std::vector<std::string> ids, UpsertCallback done) {
  if (ids.size() > kMaxCollectionRecords) {
    done(Status::InvalidArgument(
        fmt::format("Salesforce delete: {} ids, at most {} allowed", ids.size(), kMaxCollectionRecords)));
    return;
  }
  if (ids.empty()) {
    done(std::vector<UpsertOutcome>{});
    return;
  }
  std::string list;
  for (const auto& id : ids) list += (list.empty() ? "" : ",") + detail::UrlEncode(id);
  const std::string path = fmt::format("/services/data/v{}/composite/sobjects?ids={}&allOrNone=false",
                                       options_.api_version, list);
  // Counted with the writes (kind "sf.upsert"): a delete changes the org like an upsert.
  SendRequest("DELETE", path, {}, "sf.upsert",
              [expected = ids.size(), done = std::move(done)](Result<std::string> reply) {
                if (!reply.ok()) {
                  done(reply.status());
                  return;
                }
                done(ParseUpsertResponse(reply.value(), expected));
              });
}

}  // namespace crmsync::salesforce
