// GET /services/data/vXX.X/sobjects/{name}/describe: the fields crmsync
// doctor checks (API-FACTS.md: describe lists fields with name, type,
// externalId, unique, caseSensitive). Every sObject crmsync writes carries
// Crmsync_Key__c as an external id unless crmsync-sim --sf-missing-key-field
// removed it from one, for doctor's "missing field" test.
#include <array>
#include <mutex>

#include <fmt/format.h>

#include "sf_error.hpp"
#include "sim_state.hpp"

namespace crmsync::sim {
namespace {

constexpr std::array<std::string_view, 8> kDescribed = {"Task",  "Event",           "EmailMessage", "EmailMessageRelation",
                                                       "Lead",  "ResourceAbsence", "Contact",      "User"};
// crmsync only reads these; they carry no key field.
bool HasKeyField(std::string_view sobject) { return sobject != "Contact" && sobject != "User"; }

}  // namespace

void SalesforceSim::SetMissingKeyField(const std::string& sobject) {
  std::lock_guard lock(impl_->describe_mu);
  impl_->missing_key_sobject = sobject;
}

HttpResponse SalesforceSim::Impl::HandleDescribe(std::string_view sobject) const {
  bool known = false;
  for (auto name : kDescribed) known = known || name == sobject;
  if (!known) {
    return sf::RestError(404, {"NOT_FOUND", fmt::format("The requested resource does not exist ({})", sobject), {}});
  }
  bool drop_key = false;
  {
    std::lock_guard lock(describe_mu);
    drop_key = missing_key_sobject == sobject;
  }
  std::string fields =
      R"({"name":"Id","type":"id","length":18,"externalId":false,"unique":false,"caseSensitive":false,"idLookup":true},)"
      R"({"name":"CreatedDate","type":"datetime","length":0,"externalId":false,"unique":false,"caseSensitive":false,"idLookup":false})";
  if (HasKeyField(sobject) && !drop_key) {
    fields += R"(,{"name":"Crmsync_Key__c","type":"string","length":255,"externalId":true,"unique":true,)"
              R"("caseSensitive":false,"idLookup":true,"custom":true})";
  }
  return sf::JsonResponse(200, fmt::format(R"({{"name":"{}","custom":false,"createable":true,"fields":[{}]}})",
                                           sobject, fields));
}

}  // namespace crmsync::sim
