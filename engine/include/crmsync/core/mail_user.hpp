// A user of a mail system as the connectors see it: MailUser, the owning
// record ListUsers returns, and MailUserView, the borrowed one every other
// call of a source takes. The engine keeps its users packed (one heap block
// each, engine/mailbox_user.hpp) and lends views of them, so it holds no
// MailUser for the run; a caller holding a MailUser passes it as it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync {

struct MailUser {
  std::string id;                    // stable id in the mail system
  std::string primary;               // primary address, lower-case
  std::vector<std::string> aliases;  // every address of the user, lower-case, primary included
  bool enabled = true;
};

// Where a string lies in a packed block of characters.
struct PackedSpan {
  std::uint32_t offset = 0;
  std::uint32_t size = 0;
};

// The addresses of a user, read-only and without a copy: either the elements
// of a std::vector<std::string> or spans of one packed block. Valid while
// what it views is.
class AddressRange {
 public:
  AddressRange() = default;
  AddressRange(const std::vector<std::string>& strings)  // NOLINT(google-explicit-constructor): a MailUser's aliases
      : strings_(strings.data()), count_(strings.size()) {}
  AddressRange(const char* chars, const PackedSpan* spans, std::size_t count)
      : chars_(chars), spans_(spans), count_(count) {}

  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::string_view operator[](std::size_t i) const {
    if (strings_ != nullptr) return strings_[i];
    return std::string_view(chars_ + spans_[i].offset, spans_[i].size);
  }
  bool contains(std::string_view address) const {
    for (std::size_t i = 0; i < count_; ++i) {
      if ((*this)[i] == address) return true;
    }
    return false;
  }
  std::vector<std::string> ToVector() const {
    std::vector<std::string> out;
    out.reserve(count_);
    for (std::size_t i = 0; i < count_; ++i) out.emplace_back((*this)[i]);
    return out;
  }

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::string_view;

    iterator() = default;
    iterator(const AddressRange* range, std::size_t index) : range_(range), index_(index) {}
    std::string_view operator*() const { return (*range_)[index_]; }
    iterator& operator++() {
      ++index_;
      return *this;
    }
    iterator operator++(int) {
      iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const iterator& other) const { return index_ == other.index_; }

   private:
    const AddressRange* range_ = nullptr;
    std::size_t index_ = 0;
  };
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, count_); }

 private:
  const std::string* strings_ = nullptr;
  const char* chars_ = nullptr;
  const PackedSpan* spans_ = nullptr;
  std::size_t count_ = 0;
};

// A user lent to a source for one call: the source copies what it keeps
// beyond the call (a callback must not hold the view). Built implicitly from
// a MailUser, so callers holding one pass it unchanged.
struct MailUserView {
  std::string_view id;
  std::string_view primary;   // lower-case
  AddressRange aliases;       // lower-case, primary included
  bool enabled = true;

  MailUserView() = default;
  MailUserView(const MailUser& user)  // NOLINT(google-explicit-constructor): see above
      : id(user.id), primary(user.primary), aliases(user.aliases), enabled(user.enabled) {}
  MailUserView(std::string_view id_, std::string_view primary_, AddressRange aliases_, bool enabled_)
      : id(id_), primary(primary_), aliases(aliases_), enabled(enabled_) {}
};

}  // namespace crmsync
