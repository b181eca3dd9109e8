// AddressList: the lower-cased, unique participant addresses of one message,
// kept in strings that are reused from message to message. Classify runs per
// message on the hot path: with one AddressList per thread, lower-casing the
// participants allocates nothing once the strings have grown to the longest
// address seen. Not thread-safe: one instance per thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crmsync::engine {

class AddressList {
 public:
  // Empties the list; the strings keep their capacity for the next Add.
  void Clear();
  // Appends `address` ASCII lower-cased. False (nothing added) when it is
  // empty or already in the list (compared after lower-casing).
  bool Add(std::string_view address);
  // In order of first Add.
  const std::vector<std::string>& addresses() const { return items_; }

 private:
  std::vector<std::string> items_;
  std::vector<std::string> spare_;   // cleared strings, capacity kept
};

}  // namespace crmsync::engine
