// Typed, key-tracking reads of one TOML table for the configuration parsers
// (config.cpp and one file per optional table). Private to the engine.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "crmsync/core/status.hpp"
#include "crmsync/engine/capture_config.hpp"
#include "crmsync/engine/config_keys.hpp"

#define CRMSYNC_RETURN_IF_ERROR(expr) \
  do {                                \
    Status _s = (expr);               \
    if (!_s.ok()) return _s;          \
  } while (false)

namespace crmsync::engine::config_detail {

// Reads typed fields of one TOML table, remembering which keys were used so
// that leftovers can be reported as unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string file, std::string prefix)
      : table_(table), file_(std::move(file)), prefix_(std::move(prefix)) {}

  Status String(const char* key, std::string& out, bool required, bool secret = false) {
    Use(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      if (required) return Error(key, "missing (a string is required)");
      return Status::Ok();
    }
    const auto* value = node->as_string();
    if (value == nullptr) return Error(key, fmt::format("must be a string, found {}", TypeName(*node)));
    out = value->get();
    if (required && out.empty()) {
      return Error(key, secret ? "is empty" : "is empty (a value is required)");
    }
    return Status::Ok();
  }

  Status Int(const char* key, int& out, int min, int max) {
    Use(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Status::Ok();
    const auto* value = node->as_integer();
    if (value == nullptr) return Error(key, fmt::format("must be an integer, found {}", TypeName(*node)));
    const auto v = value->get();
    if (v < min || v > max) return Error(key, fmt::format("= {} is out of range {}..{}", v, min, max));
    out = static_cast<int>(v);
    return Status::Ok();
  }

  Status StringList(const char* key, std::vector<std::string>& out, bool required) {
    Use(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      if (required) return Error(key, "missing (a list of strings is required)");
      return Status::Ok();
    }
    const auto* array = node->as_array();
    if (array == nullptr) return Error(key, fmt::format("must be a list of strings, found {}", TypeName(*node)));
    for (std::size_t i = 0; i < array->size(); ++i) {
      const auto* item = array->get(i)->as_string();
      if (item == nullptr) return Error(fmt::format("{}[{}]", key, i), "must be a string");
      out.push_back(item->get());
    }
    if (required && out.empty()) return Error(key, "is empty (at least one value is required)");
    return Status::Ok();
  }

  Status Bool(const char* key, bool& out) {
    Use(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Status::Ok();
    const auto* value = node->as_boolean();
    if (value == nullptr) return Error(key, fmt::format("must be true or false, found {}", TypeName(*node)));
    out = value->get();
    return Status::Ok();
  }

  // A string that must be one of `choices`; `out` gets its index.
  Status Choice(const char* key, int& out, std::initializer_list<std::string_view> choices) {
    std::string text;
    CRMSYNC_RETURN_IF_ERROR(String(key, text, false));
    if (table_.get(key) == nullptr) return Status::Ok();
    int i = 0;
    std::string list;
    for (std::string_view choice : choices) {
      if (text == choice) {
        out = i;
        return Status::Ok();
      }
      list += fmt::format("{}\"{}\"", i == 0 ? "" : ", ", choice);
      ++i;
    }
    return Error(key, fmt::format("= \"{}\" is not one of {}", text, list));
  }

  const toml::table* Table(const char* key) {
    Use(key);
    const toml::node* node = table_.get(key);
    return node == nullptr ? nullptr : node->as_table();
  }

  // The first key nobody read, with the nearest known key of this table as
  // a suggestion (config_keys.hpp).
  Status RejectUnknown() const {
    for (const auto& [key, node] : table_) {
      if (used_.count(std::string(key.str())) == 0) {
        return Status::InvalidArgument(UnknownKeyMessage(file_, node.source().begin.line, prefix_, key.str(),
                                                         std::vector<std::string>(used_.begin(), used_.end())));
      }
    }
    return Status::Ok();
  }

  // Reads key as a list of tables (TOML [[prefix.key]]); nullptr when absent.
  const toml::array* Array(const char* key) {
    Use(key);
    const toml::node* node = table_.get(key);
    return node == nullptr ? nullptr : node->as_array();
  }

  Status Error(std::string_view key, std::string_view problem) const {
    const toml::node* node = table_.get(key);
    const auto line = node != nullptr ? node->source().begin.line : table_.source().begin.line;
    return Status::InvalidArgument(fmt::format("{}:{}: {}{} {}", file_, line, prefix_, key, problem));
  }

  const std::string& file() const { return file_; }
  const std::string& prefix() const { return prefix_; }

  static std::string_view TypeName(const toml::node& node) {
    switch (node.type()) {
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a number";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::array: return "a list";
      case toml::node_type::table: return "a table";
      default: return "another type";
    }
  }

 private:
  void Use(const char* key) {
    used_.insert(key);
    if (KeyObserver* observer = CurrentKeyObserver()) observer->Seen(prefix_ + key);
  }

  const toml::table& table_;
  std::string file_;
  std::string prefix_;
  std::set<std::string> used_;
};

// [tenants.capture] (config_capture.cpp).
Status ReadCapture(const toml::table& table, const std::string& file, const std::string& prefix,
                   CaptureConfig& out);

}  // namespace crmsync::engine::config_detail
