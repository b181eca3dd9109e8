// Opaque, stateless paging tokens for Graph links ($skiptoken, $deltatoken).
// A token carries the whole position, so a client that crashed can replay a
// saved nextLink or deltaLink later. Tokens are base64url (no '&', no '='),
// authenticated with a truncated HMAC-SHA256 keyed by the seed: a garbled or
// forged token fails to open.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "corpus.hpp"

namespace crmsync::sim {

struct DeltaPosition {
  bool is_delta = false;        // false: $skiptoken inside a round; true: $deltatoken
  int tenant = 0;
  int user = 0;
  Folder folder = Folder::kInbox;
  int from_epoch = 0;           // the round covers epochs [from_epoch, to_epoch)
  int to_epoch = 0;             // for a deltatoken: the watermark of the next round
  ViewCursor cursor;            // next position (skiptoken only)
  std::uint64_t select_mask = 0;   // 0: no $select
};

struct UsersPosition {
  int tenant = 0;
  int offset = 0;
  int page_size = 100;
  std::uint64_t select_mask = 0;
};

class LinkTokens {
 public:
  explicit LinkTokens(std::uint64_t seed);
  std::string Encode(const DeltaPosition& position) const;
  std::optional<DeltaPosition> DecodeDelta(std::string_view token) const;
  std::string Encode(const UsersPosition& position) const;
  std::optional<UsersPosition> DecodeUsers(std::string_view token) const;

 private:
  std::string Seal(std::string payload) const;
  std::optional<std::string> Open(std::string_view token) const;
  std::string key_;
};

}  // namespace crmsync::sim
