// users.labels.list: label ids to names, so that capture rules can name a
// user label ("CRM") although messages carry its id ("Label_12").
#include <fmt/format.h>

#include "crmsync/gmail/gmail.hpp"
#include "json_support.hpp"

namespace crmsync::gmail {

Result<LabelNames> ParseLabelsList(std::string_view body) {
  LabelNames names;
  Status s = detail::ForEachTopLevelFieldNested(body, [&](std::string_view key, detail::od::value& v) {
    if (key != "labels") return Status::Ok();
    return detail::ForEachElement(v, [&](detail::od::value& element) {
      std::string id;
      std::string name;
      Status r = detail::ForEachObjectField(element, [&](std::string_view lkey, detail::od::value& lv) {
        if (lkey == "id") return detail::ReadString(lv, id);
        if (lkey == "name") return detail::ReadString(lv, name);
        return Status::Ok();
      });
      if (!r.ok()) return r;
      if (id.empty()) return Status::Corruption("id: missing");
      if (!name.empty()) names.emplace(std::move(id), std::move(name));
      return Status::Ok();
    });
  });
  if (!s.ok()) return detail::Describe("Gmail labels list", s);
  return names;
}

void ApplyLabelNames(const LabelNames& names, Message& message) {
  for (std::string& label : message.labels) {
    const auto it = names.find(label);
    if (it != names.end()) label = it->second;
  }
}

}  // namespace crmsync::gmail
