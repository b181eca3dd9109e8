// A tenant's users family as read before a run (state::Store::ListUsers),
// looked up by mail system user id, and handed over to the run's per-user
// records without copying: the run holds one copy of every user's record.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crmsync/state/store.hpp"

namespace crmsync::engine {

using StoredUserList = std::vector<std::pair<std::string, state::UserRecord>>;
// Views into a StoredUserList's ids: valid while that list is not changed.
using StoredUserIndex = std::unordered_map<std::string_view, std::size_t>;

// By id (the store keys users by id, so ids are unique; the first wins otherwise).
StoredUserIndex IndexStoredUsers(const StoredUserList& stored);

// The stored record of each of `ids`, in order (an empty record for a user
// not stored), moved out of `stored`; an id listed twice gets a copy. The
// stored list is left for the caller to release.
std::vector<state::UserRecord> TakeStoredRecords(StoredUserList& stored, const StoredUserIndex& index,
                                                 const std::vector<std::string_view>& ids);

}  // namespace crmsync::engine
