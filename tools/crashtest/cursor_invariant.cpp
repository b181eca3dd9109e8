#include "cursor_invariant.hpp"

#include <exception>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <simdjson.h>

#include "crmsync/json/escape.hpp"
#include "crmsync/state/store.hpp"

namespace crmsync::crashtest {

Result<std::vector<std::string>> TenantIds(const std::string& config_path) {
  std::ifstream in(config_path);
  if (!in) return Status::Io(fmt::format("{}: cannot read the configuration", config_path));
  std::vector<std::string> ids;
  const std::regex id_line(R"re(^\s*id\s*=\s*"([^"]*)")re");
  bool in_tenant = false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("[[tenants]]", 0) == 0) {
      in_tenant = true;
    } else if (!line.empty() && line[0] == '[') {
      in_tenant = false;
    } else if (std::smatch m; in_tenant && std::regex_search(line, m, id_line)) {
      ids.push_back(m[1]);
      in_tenant = false;
    }
  }
  if (ids.empty()) return Status::InvalidArgument(fmt::format("{}: no [[tenants]] with an id", config_path));
  return ids;
}

namespace {

struct PassedKeys {
  bool checkable = false;
  std::string reason;              // why not checkable
  std::string where;               // "tenant-1 user 3 inbox"
  std::vector<std::string> keys;
};

Result<PassedKeys> AskSimulator(const harness::SimProcess& sim, const std::string& position) {
  std::string body;
  try {
    body = sim.Post("/_sim/cursor_keys", position);
  } catch (const std::exception& e) {
    return Status::Io(fmt::format("POST /_sim/cursor_keys: {}", e.what()));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc)) return Status::Corruption("/_sim/cursor_keys answered malformed JSON");
  PassedKeys out;
  if (doc["checkable"].get(out.checkable) || !out.checkable) {
    std::string_view reason;
    if (!doc["reason"].get(reason)) out.reason = std::string(reason);
    return out;
  }
  std::string_view tenant, folder;
  std::int64_t user = -1;
  simdjson::dom::array keys;
  if (doc["tenant"].get(tenant) || doc["folder"].get(folder) || doc["user"].get(user) || doc["keys"].get(keys)) {
    return Status::Corruption("/_sim/cursor_keys answered without tenant, user, folder or keys");
  }
  out.where = fmt::format("{} user {} {}", tenant, user, folder);
  for (auto key : keys) {
    std::string_view k;
    if (key.get(k)) return Status::Corruption("/_sim/cursor_keys answered a key that is not a string");
    out.keys.emplace_back(k);
  }
  return out;
}

}  // namespace

// What /_sim/cursor_keys is asked: a Graph link names its mailbox itself;
// a Gmail cursor ("history:..." and the like) goes with its tenant and its
// mailbox.
std::string CursorKeysRequest(const state::StreamId& id, const state::Cursor& cursor,
                              const std::map<std::string, std::string>& primary_of) {
  if (cursor.position.find("://") != std::string::npos) return cursor.position;
  // Users are stored at the end of a run: a state whose runs were all killed
  // knows only the stream's user id (Gmail: the Directory id), which the
  // simulator accepts too.
  auto primary = primary_of.find(id.user);
  const std::string& mailbox = primary == primary_of.end() ? id.user : primary->second;
  return fmt::format(R"({{"tenant":{},"user":{},"cursor":{}}})", json::JsonQuote(id.tenant), json::JsonQuote(mailbox),
                     json::JsonQuote(cursor.position));
}

Result<InvariantReport> CheckCursorInvariant(const harness::SimProcess& sim, const std::string& state_dir,
                                             const std::vector<std::string>& tenants) {
  auto store = state::Store::Open(state_dir);
  if (!store.ok()) return store.status();
  InvariantReport report;
  for (const std::string& tenant : tenants) {
    auto cursors = (*store)->ListCursors(tenant);
    if (!cursors.ok()) return cursors.status();
    auto quarantine = (*store)->ListQuarantine(tenant);
    if (!quarantine.ok()) return quarantine.status();
    std::set<std::string> quarantined;
    for (const auto& [key, entry] : *quarantine) quarantined.insert(key);
    auto users = (*store)->ListUsers(tenant);
    if (!users.ok()) return users.status();
    std::map<std::string, std::string> primary_of;
    for (const auto& [user_id, record] : *users) primary_of[user_id] = record.primary;
    for (const auto& [id, cursor] : *cursors) {
      // Rows of the engine's own counters ("_budget", "_limits") ride in the
      // cursor family but are not mail streams.
      if (id.user.starts_with('_')) continue;
      ++report.cursors;
      auto passed = AskSimulator(sim, CursorKeysRequest(id, cursor, primary_of));
      if (!passed.ok()) return passed.status();
      if (!passed->checkable) {
        if (report.unplaced_example.empty()) {
          report.unplaced_example = fmt::format("{} {}: {} ({})", tenant, id.stream, cursor.position.substr(0, 80),
                                                passed->reason);
        }
        continue;
      }
      ++report.checked;
      auto ledger = (*store)->GetLedgerMany(tenant, passed->keys);
      if (!ledger.ok()) return ledger.status();
      for (std::size_t i = 0; i < passed->keys.size(); ++i) {
        ++report.keys_checked;
        if ((*ledger)[i] || quarantined.count(passed->keys[i]) != 0) continue;
        report.violations.push_back(fmt::format("{} ({}): the cursor has passed message {} but the ledger lacks it",
                                                passed->where, id.stream, passed->keys[i]));
      }
    }
  }
  return report;
}

}  // namespace crmsync::crashtest
