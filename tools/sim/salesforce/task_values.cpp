#include "task_values.hpp"

namespace crmsync::sim::sf {

TaskValues::TaskValues(const Views& values) {
  std::size_t size = 0;
  for (const auto& value : values) size += value ? value->size() : 0;
  text_.reserve(size);
  for (std::size_t i = 0; i < kTaskFieldCount; ++i) {
    if (values[i]) {
      text_ += *values[i];
      present_ = static_cast<std::uint16_t>(present_ | (1u << i));
    }
    end_[i] = static_cast<std::uint32_t>(text_.size());
  }
}

std::optional<std::string_view> TaskValues::Get(std::size_t field) const {
  if (field >= kTaskFieldCount || (present_ & (1u << field)) == 0) return std::nullopt;
  const std::uint32_t begin = field == 0 ? 0 : end_[field - 1];
  return std::string_view(text_).substr(begin, end_[field] - begin);
}

TaskValues::Views TaskValues::All() const {
  Views views;
  for (std::size_t i = 0; i < kTaskFieldCount; ++i) views[i] = Get(i);
  return views;
}

std::map<std::string, std::string> TaskValues::ToMap() const {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < kTaskFieldCount; ++i) {
    if (auto value = Get(i)) out.emplace(TaskFieldAt(i).name, *value);
  }
  return out;
}

}  // namespace crmsync::sim::sf
