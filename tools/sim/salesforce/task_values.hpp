// The field values of one stored Task, by position in the Task field table
// (task_fields.hpp), in one buffer. A benchmark's org holds ~375k Tasks: a
// map node and a string per field made the store the simulator's largest
// cost (allocations, page faults); this is one allocation per Task.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "task_fields.hpp"

namespace crmsync::sim::sf {

class TaskValues {
 public:
  // values[i]: the value of field i of the table; nullopt when absent.
  using Views = std::array<std::optional<std::string_view>, kTaskFieldCount>;

  TaskValues() = default;
  // Copies the views (they may point into another TaskValues).
  explicit TaskValues(const Views& values);

  // nullopt when the field is absent (an empty value is present).
  std::optional<std::string_view> Get(std::size_t field) const;
  Views All() const;
  // API name -> value, the form snapshots hand out (StoredTask::fields).
  std::map<std::string, std::string> ToMap() const;

 private:
  std::string text_;                                   // present values, in table order
  std::array<std::uint32_t, kTaskFieldCount> end_{};   // end of field i's value in text_
  std::uint16_t present_ = 0;                          // bit i: field i is present
  static_assert(kTaskFieldCount <= 16, "present_ has a bit per field");
};

}  // namespace crmsync::sim::sf
