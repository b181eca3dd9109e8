// A tenant's users by mail system id, holding no copy of the ids: a
// FlatStringIndex whose hits are checked against the ids their owner keeps
// (the directory's records or, without a directory, the stored users),
// which outlive the index. 16-32 bytes per user, where a
// std::unordered_map<std::string_view, std::size_t> cost a 48-byte node and
// a bucket each. Immutable once built; lookups are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "crmsync/engine/flat_string_index.hpp"

namespace crmsync::engine {

class UserIndex {
 public:
  using IdOf = std::function<std::string_view(std::size_t user)>;

  UserIndex() = default;
  // Users 0..count-1 under id_of(user). Of two users with one id, the later
  // is found (as assigning them in order to a map would leave it).
  UserIndex(std::size_t count, IdOf id_of) : id_of_(std::move(id_of)) {
    index_.Reserve(count);
    for (std::size_t user = count; user-- > 0;) index_.Insert(id_of_(user), static_cast<std::uint32_t>(user), Holds());
  }

  std::optional<std::size_t> Find(std::string_view id) const {
    if (!id_of_) return std::nullopt;
    const std::uint32_t found = index_.Find(id, Holds());
    if (found == FlatStringIndex<>::kNone) return std::nullopt;
    return found;
  }

 private:
  // Whether `user` has the id `text`: the index keeps no copy of the ids.
  struct HoldsId {
    const UserIndex* index;
    bool operator()(std::uint32_t user, std::string_view text) const { return index->id_of_(user) == text; }
  };
  HoldsId Holds() const { return HoldsId{this}; }

  IdOf id_of_;
  FlatStringIndex<> index_;
};

}  // namespace crmsync::engine
