// TaskValues: a stored Task's fields in one buffer.
#include <catch2/catch.hpp>

#include "task_values.hpp"

namespace crmsync::sim::sf {
namespace {

std::size_t Field(std::string_view name) { return TaskFieldIndex(*FindTaskField(name)); }

TEST_CASE("TaskValues keeps each field's value and tells an empty value from an absent one", "[sim][salesforce]") {
  TaskValues::Views views;
  views[Field("Subject")] = "Hello";
  views[Field("Description")] = "";
  views[Field("Crmsync_Key__c")] = "<a@b>";
  const TaskValues values(views);
  CHECK(values.Get(Field("Subject")) == std::optional<std::string_view>("Hello"));
  CHECK(values.Get(Field("Description")) == std::optional<std::string_view>(""));
  CHECK(values.Get(Field("Crmsync_Key__c")) == std::optional<std::string_view>("<a@b>"));
  CHECK_FALSE(values.Get(Field("Status")).has_value());
  CHECK_FALSE(values.Get(kTaskFieldCount).has_value());
  CHECK(values.ToMap() == std::map<std::string, std::string>{
                              {"Crmsync_Key__c", "<a@b>"}, {"Description", ""}, {"Subject", "Hello"}});
}

TEST_CASE("TaskValues built from another's views (an update) copies them", "[sim][salesforce]") {
  TaskValues::Views views;
  views[Field("Subject")] = "old subject";
  views[Field("Status")] = "Completed";
  TaskValues values(views);
  TaskValues::Views update = values.All();
  update[Field("Subject")] = "new";
  update[Field("Status")] = std::nullopt;   // a JSON null clears it
  update[Field("WhoId")] = "003000000000001AAA";
  values = TaskValues(update);
  CHECK(values.ToMap() == std::map<std::string, std::string>{{"Subject", "new"}, {"WhoId", "003000000000001AAA"}});
}

}  // namespace
}  // namespace crmsync::sim::sf
