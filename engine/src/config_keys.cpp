#include "crmsync/engine/config_keys.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "crmsync/engine/config.hpp"
#include "crmsync/engine/config_example.hpp"

namespace crmsync::engine {
namespace {

thread_local KeyObserver* current_observer = nullptr;

// A typo is at most a third of the word away (and at least 2 edits allowed).
bool IsNearMiss(std::string_view typed, std::string_view known, std::size_t distance) {
  return distance <= std::max<std::size_t>(2, known.size() / 3) && distance < std::max(typed.size(), known.size());
}

std::string Parent(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? std::string() : path.substr(0, dot);
}

std::string Leaf(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

bool HasKnownChildren(const std::set<std::string>& known, const std::string& path) {
  const std::string prefix = path + ".";
  auto it = known.lower_bound(prefix);
  return it != known.end() && it->compare(0, prefix.size(), prefix) == 0;
}

class UnknownKeySweep {
 public:
  UnknownKeySweep(const std::set<std::string>& known, std::string file) : known_(known), file_(std::move(file)) {}

  void Walk(const toml::table& table, const std::string& normalized, const std::string& display) {
    for (const auto& [key_node, node] : table) {
      const std::string key(key_node.str());
      const std::string path = normalized.empty() ? key : normalized + "." + key;
      const std::string shown = display.empty() ? key : display + "." + key;
      if (known_.count(path) == 0) {
        Report(normalized, display, key, node.source().begin.line);
        continue;
      }
      // Tables without known children (salesforce_map) hold free-form keys.
      if (!HasKnownChildren(known_, path)) continue;
      if (const toml::table* child = node.as_table()) {
        Walk(*child, path, shown);
      } else if (const toml::array* array = node.as_array()) {
        for (std::size_t i = 0; i < array->size(); ++i) {
          if (const toml::table* item = array->get(i)->as_table()) Walk(*item, path, fmt::format("{}[{}]", shown, i));
        }
      }
    }
  }

  // In file order (toml++ iterates a table's keys sorted by name).
  std::vector<std::string> TakeErrors() {
    std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (auto& [line, message] : errors_) out.push_back(std::move(message));
    return out;
  }

 private:
  void Report(const std::string& normalized, const std::string& display, const std::string& key, std::size_t line) {
    std::vector<std::string> siblings;
    for (const auto& known : known_) {
      if (Parent(known) == normalized) siblings.push_back(Leaf(known));
    }
    const std::string prefix = display.empty() ? "" : display + ".";
    std::string message = UnknownKeyMessage(file_, line, prefix, key, siblings);
    if (message.find("did you mean") == std::string::npos) {
      // The right key in the wrong table: name the table it belongs to.
      for (const auto& known : known_) {
        if (Leaf(known) == key && Parent(known) != normalized) {
          message += fmt::format(" ('{}' belongs in [{}])", key, Parent(known));
          break;
        }
      }
    }
    errors_.emplace_back(line, std::move(message));
  }

  const std::set<std::string>& known_;
  std::string file_;
  std::vector<std::pair<std::size_t, std::string>> errors_;
};

}  // namespace

std::string NormalizeKeyPath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  bool in_index = false;
  for (char c : path) {
    if (c == '[') in_index = true;
    if (!in_index) out.push_back(c);
    if (c == ']') in_index = false;
  }
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string UnknownKeyMessage(std::string_view file, std::size_t line, std::string_view prefix, std::string_view key,
                              const std::vector<std::string>& known) {
  std::string message = fmt::format("{}:{}: unknown key '{}{}'", file, line, prefix, key);
  std::string_view best;
  std::size_t best_distance = 0;
  for (const auto& candidate : known) {
    const std::size_t distance = EditDistance(key, candidate);
    if (!IsNearMiss(key, candidate, distance)) continue;
    if (best.empty() || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (!best.empty()) message += fmt::format(" (did you mean '{}{}'?)", prefix, best);
  return message;
}

KeyObserver* CurrentKeyObserver() { return current_observer; }

ScopedKeyObserver::ScopedKeyObserver(KeyObserver& observer) : previous_(current_observer) {
  current_observer = &observer;
}

ScopedKeyObserver::~ScopedKeyObserver() { current_observer = previous_; }

const std::set<std::string>& KnownConfigKeys() {
  static const std::set<std::string> keys = [] {
    KeyObserver observer;
    ScopedKeyObserver scope(observer);
    // The example loads (a test asserts it); its tables cover every table.
    (void)ParseConfig(ConfigExample(), "example.toml");
    return observer.keys();
  }();
  return keys;
}

std::vector<std::string> CheckConfigText(std::string_view text, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& error) {
    return {fmt::format("{}:{}:{}: {}", path, error.source().begin.line, error.source().begin.column,
                        error.description())};
  }
  UnknownKeySweep sweep(KnownConfigKeys(), path);
  sweep.Walk(root, "", "");
  std::vector<std::string> errors = sweep.TakeErrors();
  auto loaded = ParseConfig(text, path);
  // The loader's own unknown-key error repeats one the sweep already named.
  if (!loaded.ok() && (errors.empty() || loaded.status().message().find("unknown key") == std::string::npos)) {
    errors.push_back(loaded.status().message());
  }
  return errors;
}

}  // namespace crmsync::engine
