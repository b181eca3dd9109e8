#include "stored_users.hpp"

namespace crmsync::engine {

StoredUserIndex IndexStoredUsers(const StoredUserList& stored) {
  StoredUserIndex index;
  index.reserve(stored.size());
  for (std::size_t i = 0; i < stored.size(); ++i) index.emplace(stored[i].first, i);
  return index;
}

std::vector<state::UserRecord> TakeStoredRecords(StoredUserList& stored, const StoredUserIndex& index,
                                                 const std::vector<std::string_view>& ids) {
  constexpr std::size_t kNotTaken = static_cast<std::size_t>(-1);
  std::vector<std::size_t> taken_by(stored.size(), kNotTaken);   // stored index -> the output that has it
  std::vector<state::UserRecord> out;
  out.reserve(ids.size());
  for (const std::string_view id : ids) {
    const auto found = index.find(id);
    if (found == index.end()) {
      out.emplace_back();
    } else if (taken_by[found->second] != kNotTaken) {
      out.push_back(out[taken_by[found->second]]);
    } else {
      taken_by[found->second] = out.size();
      out.push_back(std::move(stored[found->second].second));
    }
  }
  return out;
}

}  // namespace crmsync::engine
