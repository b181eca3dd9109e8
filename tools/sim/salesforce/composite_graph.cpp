// POST /services/data/vNN.0/composite/graph (API-FACTS.md §4.3) with PATCH
// upserts by external id of EmailMessage and EmailMessageRelation (§4.6).
//
// Limits: 75 graphs and 500 nodes per payload; graphId unique; referenceId
// present, alphanumeric or '_' and unique within its graph; @{ref.id}
// refers to an earlier node of the same graph. Each graph is all-or-none:
// the failed node carries its error, every other node PROCESSING_HALTED.
// After 14 failed graphs the rest are not run (all nodes PROCESSING_HALTED).
// A whole payload runs under the org lock, so graphs never race each other.
#include <algorithm>
#include <cctype>
#include <map>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "email_fields.hpp"
#include "salesforce_ids.hpp"
#include "sf_text.hpp"
#include "sim_state.hpp"

namespace crmsync::sim {
namespace {

using sf::EmailField;
using sf::EmailFieldKind;
using sf::EmailObject;
using sf::SfError;
namespace dom = simdjson::dom;

constexpr std::size_t kMaxGraphs = 75;
constexpr std::size_t kMaxNodes = 500;
constexpr std::size_t kMaxFailedGraphs = 14;
constexpr std::string_view kHaltedMessage =
    "The transaction was rolled back since another operation in the same transaction failed.";

SfError InputError(std::string message) { return {"INVALID_INPUT", std::move(message), {}}; }

bool IsReferenceId(std::string_view id) {
  if (id.empty() || !std::isalnum(static_cast<unsigned char>(id.front()))) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    int hi = i + 1 < text.size() ? HexValue(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

struct Node {
  std::string method;
  std::string url;
  std::string reference;
  std::optional<dom::object> body;
};

struct Graph {
  std::string id;
  std::vector<Node> nodes;
};

std::variant<std::vector<Graph>, SfError> ParsePayload(dom::element root) {
  dom::object top;
  if (root.get_object().get(top) != simdjson::SUCCESS) {
    return SfError{"JSON_PARSER_ERROR", "Expected a JSON object as the request body", {}};
  }
  dom::array graphs;
  if (top["graphs"].get_array().get(graphs) != simdjson::SUCCESS) {
    return InputError("The request body must contain a 'graphs' array");
  }
  for (auto field : top) {
    if (field.key != "graphs") {
      return SfError{"JSON_PARSER_ERROR",
                     fmt::format("Unrecognized field \"{}\" in the request body", field.key), {}};
    }
  }
  if (graphs.size() == 0) return InputError("The request must contain at least one graph");
  if (graphs.size() > kMaxGraphs) {
    return InputError(fmt::format("A request can contain at most {} graphs, not {}", kMaxGraphs,
                                  graphs.size()));
  }
  std::vector<Graph> out;
  std::size_t nodes = 0;
  for (dom::element element : graphs) {
    Graph graph;
    std::string_view graph_id;
    if (element["graphId"].get_string().get(graph_id) != simdjson::SUCCESS || graph_id.empty()) {
      return InputError("Every graph needs a non-empty string graphId");
    }
    graph.id = std::string(graph_id);
    for (const Graph& other : out) {
      if (other.id == graph.id) return InputError(fmt::format("Duplicate graphId '{}'", graph.id));
    }
    dom::array requests;
    if (element["compositeRequest"].get_array().get(requests) != simdjson::SUCCESS ||
        requests.size() == 0) {
      return InputError(fmt::format("Graph '{}' needs a non-empty compositeRequest array", graph.id));
    }
    nodes += requests.size();
    if (nodes > kMaxNodes) {
      return InputError(fmt::format("A request can contain at most {} nodes", kMaxNodes));
    }
    for (dom::element request : requests) {
      Node node;
      std::string_view method, url, reference;
      if (request["method"].get_string().get(method) != simdjson::SUCCESS ||
          request["url"].get_string().get(url) != simdjson::SUCCESS) {
        return InputError(fmt::format("Graph '{}': every node needs a method and a url", graph.id));
      }
      if (request["referenceId"].get_string().get(reference) != simdjson::SUCCESS ||
          !IsReferenceId(reference)) {
        return InputError(fmt::format(
            "Graph '{}': every node needs a referenceId of letters, digits and underscores", graph.id));
      }
      for (const Node& other : graph.nodes) {
        if (other.reference == reference) {
          return InputError(fmt::format("Graph '{}': duplicate referenceId '{}'", graph.id, reference));
        }
      }
      dom::element body;
      if (request["body"].get(body) == simdjson::SUCCESS) {
        dom::object object;
        if (body.get_object().get(object) != simdjson::SUCCESS) {
          return SfError{"JSON_PARSER_ERROR",
                         fmt::format("Graph '{}', node '{}': body must be an object", graph.id, reference),
                         {}};
        }
        node.body = object;
      }
      node.method = std::string(method);
      node.url = std::string(url);
      node.reference = std::string(reference);
      graph.nodes.push_back(std::move(node));
    }
    out.push_back(std::move(graph));
  }
  return out;
}

// A record staged by a graph: committed only when every node succeeded.
struct Staged {
  EmailObject object;
  bool create = false;
  std::uint32_t index = 0;   // update: the stored record
  std::string norm_key;
  StoredTask record;         // create: the whole record; update: the fields sent
};

struct NodeOk {
  std::string id;
  bool created = false;
};

// The fault plan's per-record error for an EmailMessage key, or nullopt.
using MessageFault = std::function<std::optional<std::pair<std::string, std::string>>(const std::string& key)>;

class GraphRun {
 public:
  GraphRun(sf::Org& org, const sf::Directory& directory, int version, const MessageFault& message_fault)
      : org_(org), directory_(directory), version_(version), message_fault_(message_fault) {}

  // Runs the nodes in order; stops at the first failure (index in failed_at).
  void Run(const Graph& graph) {
    for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
      auto result = RunNode(graph.nodes[i]);
      if (std::holds_alternative<SfError>(result)) {
        failed_at_ = i;
        error_ = std::get<SfError>(std::move(result));
        return;
      }
      NodeOk ok = std::get<NodeOk>(std::move(result));
      ids_[graph.nodes[i].reference] = ok.id;
      oks_.push_back(std::move(ok));
    }
  }

  bool ok() const { return !failed_at_; }
  std::optional<std::size_t> failed_at() const { return failed_at_; }
  const SfError& error() const { return error_; }
  const std::vector<NodeOk>& oks() const { return oks_; }

  // Applies the staged records; returns (created, updated).
  std::pair<std::uint64_t, std::uint64_t> Commit() {
    std::uint64_t created = 0, updated = 0;
    for (Staged& s : staged_) {
      const bool message = s.object == EmailObject::kEmailMessage;
      auto& store = message ? org_.email_messages : org_.email_relations;
      auto& by_key = message ? org_.email_messages_by_key : org_.email_relations_by_key;
      if (s.create) {
        const auto index = static_cast<std::uint32_t>(store.size());
        if (message) org_.email_message_by_id[s.record.id] = index;
        by_key[s.norm_key].push_back(index);
        store.push_back(std::move(s.record));
        ++created;
      } else {
        for (auto& [name, value] : s.record.fields) store[s.index].fields[name] = value;
        ++updated;
      }
    }
    return {created, updated};
  }

 private:
  std::variant<NodeOk, SfError> RunNode(const Node& node) {
    if (node.method != "PATCH") {
      return SfError{"METHOD_NOT_ALLOWED",
                     fmt::format("HTTP Method '{}' not allowed: the simulated org serves only PATCH "
                                 "upserts by external id in a graph",
                                 node.method),
                     {}};
    }
    std::string url = Substitute(node.url);
    if (!missing_reference_.empty()) return ReferenceError();
    // /services/data/vNN.0/sobjects/{sobject}/{field}/{value}
    constexpr std::string_view kPrefix = "/services/data/";
    std::vector<std::string_view> parts;
    std::string_view rest = url;
    if (!rest.starts_with(kPrefix)) return NotFound(url);
    rest.remove_prefix(kPrefix.size());
    while (!rest.empty()) {
      std::size_t slash = rest.find('/');
      parts.push_back(rest.substr(0, slash));
      if (slash == std::string_view::npos) break;
      rest.remove_prefix(slash + 1);
    }
    if (parts.size() != 5 || parts[0] != fmt::format("v{}.0", version_) || parts[1] != "sobjects") {
      return NotFound(url);
    }
    std::optional<EmailObject> object = sf::FindEmailObject(parts[2]);
    if (!object) return NotFound(url);
    if (!sf::EqualsNoCase(parts[3], "Crmsync_Key__c")) {
      return SfError{"NOT_FOUND",
                     fmt::format("Provided external ID field does not exist or is not accessible: {}",
                                 parts[3]),
                     {}};
    }
    std::optional<std::string> key = PercentDecode(parts[4]);
    if (!key || key->empty() || key->find('/') != std::string::npos) return NotFound(url);
    return Upsert(*object, *key, node.body);
  }

  std::variant<NodeOk, SfError> Upsert(EmailObject object, const std::string& key,
                                       const std::optional<dom::object>& body) {
    const std::string_view type = sf::EmailObjectName(object);
    std::map<std::string, std::optional<std::string>> values;
    if (body) {
      for (auto field : *body) {
        if (field.key == "attributes") continue;
        if (sf::EqualsNoCase(field.key, "Id")) {
          return SfError{"INVALID_FIELD",
                         "Id field should not be specified in the sobject data of an upsert by external id",
                         {"Id"}};
        }
        const EmailField* spec = sf::FindEmailField(object, field.key);
        if (spec == nullptr) {
          return SfError{"INVALID_FIELD",
                         fmt::format("No such column '{}' on sobject of type {}", field.key, type),
                         {std::string(field.key)}};
        }
        std::optional<std::string> value;
        switch (field.value.type()) {
          case dom::element_type::STRING:
            value = Substitute(std::string(field.value.get_string().value_unsafe()));
            if (!missing_reference_.empty()) return ReferenceError();
            break;
          case dom::element_type::BOOL:
            if (spec->kind != EmailFieldKind::kBool) return TypeError(*spec, field.value);
            value = field.value.get_bool().value_unsafe() ? "true" : "false";
            break;
          case dom::element_type::NULL_VALUE:
            break;
          default:
            return TypeError(*spec, field.value);
        }
        if (value) {
          if (auto e = sf::CheckEmailValue(*spec, *value)) return *e;
          if (auto e = CheckReference(*spec, *value)) return *e;
        }
        values[std::string(spec->name)] = std::move(value);
      }
    }
    values["Crmsync_Key__c"] = key;
    const std::string norm_key = sf::AsciiLower(key);
    // An injected permanent error (validation rule, insufficient access)
    // fails the EmailMessage node, so its whole graph is rolled back.
    if (object == EmailObject::kEmailMessage && message_fault_) {
      if (auto fault = message_fault_(key)) return SfError{std::move(fault->first), std::move(fault->second), {}};
    }

    // The existing record: staged by this graph, else stored.
    StoredTask* existing = nullptr;
    Staged* staged_existing = nullptr;
    std::optional<std::uint32_t> stored_index;
    for (Staged& s : staged_) {
      if (s.object == object && s.norm_key == norm_key) {
        staged_existing = &s;
        existing = s.create ? &s.record : nullptr;
        if (!s.create) stored_index = s.index;
      }
    }
    const bool message = object == EmailObject::kEmailMessage;
    auto& store = message ? org_.email_messages : org_.email_relations;
    auto& by_key = message ? org_.email_messages_by_key : org_.email_relations_by_key;
    if (staged_existing == nullptr) {
      auto match = by_key.find(norm_key);
      if (match != by_key.end() && !match->second.empty()) stored_index = match->second.front();
    }
    if (existing == nullptr && stored_index) existing = &store[*stored_index];

    if (existing != nullptr) {
      // Once saved (and, for an EmailMessage, no longer a Draft), standard
      // fields are read-only.
      auto status = existing->fields.find("Status");
      const bool draft = message && status != existing->fields.end() && status->second == sf::kDraftStatus;
      std::vector<std::string> refused;
      for (const auto& [name, value] : values) {
        const EmailField* spec = sf::FindEmailField(object, name);
        if (!spec->updatable && !draft) refused.push_back(name);
      }
      if (!refused.empty()) {
        std::string list;
        for (const std::string& name : refused) list += (list.empty() ? "" : ", ") + name;
        return SfError{"INVALID_FIELD_FOR_INSERT_UPDATE",
                       fmt::format("Unable to create/update fields: {}. Please check the security "
                                   "settings of this field and verify that it is read/write for your "
                                   "profile or permission set.",
                                   list),
                       refused};
      }
      if (staged_existing != nullptr && staged_existing->create) {
        for (auto& [name, value] : values) {
          if (value) staged_existing->record.fields[name] = *value;
        }
      } else {
        Staged s{object, false, *stored_index, norm_key, {}};
        for (auto& [name, value] : values) {
          // The key matched case-insensitively; the stored spelling stays.
          if (value && name != "Crmsync_Key__c") s.record.fields[name] = *value;
        }
        staged_.push_back(std::move(s));
      }
      return NodeOk{existing->id, false};
    }

    // Create: required fields.
    for (const EmailField& spec : sf::EmailFields(object)) {
      auto it = values.find(std::string(spec.name));
      if (spec.required && (it == values.end() || !it->second || it->second->empty())) {
        return SfError{"REQUIRED_FIELD_MISSING",
                       fmt::format("Required fields are missing: [{}]", spec.name),
                       {std::string(spec.name)}};
      }
    }
    if (!message) {
      auto id = values.find("RelationId");
      auto address = values.find("RelationAddress");
      const bool has_id = id != values.end() && id->second && !id->second->empty();
      const bool has_address = address != values.end() && address->second && !address->second->empty();
      if (!has_id && !has_address) {
        return SfError{"REQUIRED_FIELD_MISSING",
                       "Required fields are missing: [RelationId or RelationAddress]",
                       {"RelationId", "RelationAddress"}};
      }
    }
    Staged s{object, true, 0, norm_key, {}};
    s.record.id = message ? sf::MakeSalesforceId("02s", org_.index, org_.next_email_serial++)
                          : sf::MakeSalesforceId("0BM", org_.index, org_.next_relation_serial++);
    for (auto& [name, value] : values) {
      if (value) s.record.fields[name] = *value;
    }
    if (message) staged_message_ids_.push_back(s.record.id);
    std::string id = s.record.id;
    staged_.push_back(std::move(s));
    return NodeOk{std::move(id), true};
  }

  std::optional<SfError> CheckReference(const EmailField& spec, const std::string& id) {
    auto error = [&](std::string code, std::string message) {
      return SfError{std::move(code), std::move(message), {std::string(spec.name)}};
    };
    switch (spec.kind) {
      case EmailFieldKind::kWhoOrUser:
        if (directory_.who_ids.Contains(id) || directory_.user_ids.Contains(id)) return std::nullopt;
        break;
      case EmailFieldKind::kEmailMessage:
        if (org_.email_message_by_id.count(id) != 0 ||
            std::find(staged_message_ids_.begin(), staged_message_ids_.end(), id) !=
                staged_message_ids_.end()) {
          return std::nullopt;
        }
        break;
      case EmailFieldKind::kAnyRecord:
        if (sf::IsWellFormedId(id)) return std::nullopt;
        break;
      default:
        return std::nullopt;
    }
    if (!sf::IsWellFormedId(id)) {
      return error("MALFORMED_ID", fmt::format("{}: id value of incorrect type: {}", spec.label, id));
    }
    return error("INVALID_CROSS_REFERENCE_KEY", fmt::format("{}: invalid cross reference id", spec.label));
  }

  static SfError TypeError(const EmailField& spec, dom::element value) {
    return SfError{"INVALID_TYPE_ON_FIELD_IN_RECORD",
                   fmt::format("{}: value not of required type: {}", spec.label,
                               simdjson::minify(value)),
                   {std::string(spec.name)}};
  }

  static SfError NotFound(std::string_view url) {
    return SfError{"NOT_FOUND",
                   fmt::format("The requested resource does not exist: {} (the simulated org upserts "
                               "EmailMessage and EmailMessageRelation on Crmsync_Key__c in a graph)",
                               url),
                   {}};
  }

  SfError ReferenceError() {
    std::string missing = std::move(missing_reference_);
    missing_reference_.clear();
    return SfError{"INVALID_REFERENCE",
                   fmt::format("Invalid reference specified. No value for {} found in an earlier node "
                               "of this graph",
                               missing),
                   {}};
  }

  // Replaces every @{ref.id} by the id of the earlier node `ref`; records
  // the first unknown reference in missing_reference_.
  std::string Substitute(const std::string& text) {
    std::string out;
    std::size_t pos = 0;
    while (true) {
      std::size_t start = text.find("@{", pos);
      if (start == std::string::npos) break;
      std::size_t end = text.find('}', start);
      if (end == std::string::npos) break;
      out.append(text, pos, start - pos);
      std::string expression = text.substr(start + 2, end - start - 2);
      std::size_t dot = expression.find('.');
      auto it = dot == std::string::npos ? ids_.end() : ids_.find(expression.substr(0, dot));
      if (it == ids_.end() || expression.substr(dot + 1) != "id") {
        if (missing_reference_.empty()) missing_reference_ = expression;
      } else {
        out += it->second;
      }
      pos = end + 1;
    }
    out.append(text, pos, std::string::npos);
    return out;
  }

  sf::Org& org_;
  const sf::Directory& directory_;
  const int version_;
  const MessageFault& message_fault_;
  std::vector<Staged> staged_;
  std::vector<std::string> staged_message_ids_;
  std::map<std::string, std::string> ids_;   // referenceId -> id
  std::vector<NodeOk> oks_;
  std::optional<std::size_t> failed_at_;
  SfError error_;
  std::string missing_reference_;
};

void AppendNode(std::string& out, const std::string& reference, int status, const std::string& body) {
  out += R"({"body":)";
  out += body;
  fmt::format_to(std::back_inserter(out), R"(,"httpHeaders":{{}},"httpStatusCode":{},"referenceId":)", status);
  sf::AppendJsonString(out, reference);
  out.push_back('}');
}

std::string HaltedBody() {
  return sf::RestErrorBody({"PROCESSING_HALTED", std::string(kHaltedMessage), {}});
}

}  // namespace

HttpResponse SalesforceSim::Impl::HandleCompositeGraph(const HttpRequest& request, int version,
                                                       sf::Org& org) {
  thread_local dom::parser parser;
  dom::element root;
  if (auto e = parser.parse(request.body).get(root)) {
    return sf::RestError(400, {"JSON_PARSER_ERROR",
                               fmt::format("Malformed JSON request body: {}", simdjson::error_message(e)),
                               {}});
  }
  auto parsed = ParsePayload(root);
  if (std::holds_alternative<SfError>(parsed)) return sf::RestError(400, std::get<SfError>(parsed));
  const std::vector<Graph>& graphs = std::get<std::vector<Graph>>(parsed);

  std::shared_ptr<const sf::Directory> directory;
  std::string out = R"({"graphs":[)";
  std::uint64_t created = 0, updated = 0, failed = 0;
  std::size_t failed_graphs = 0;
  std::lock_guard lock(org.mu);
  directory = org.directory;
  MessageFault message_fault;
  if (record_faults) {
    message_fault = [this, tenant = org.credentials.tenant](const std::string& key) {
      return record_faults(tenant, key);
    };
  }
  for (std::size_t g = 0; g < graphs.size(); ++g) {
    const Graph& graph = graphs[g];
    if (g != 0) out.push_back(',');
    out += R"({"graphId":)";
    sf::AppendJsonString(out, graph.id);
    out += R"(,"graphResponse":{"compositeResponse":[)";
    GraphRun run(org, *directory, version, message_fault);
    const bool halted = failed_graphs >= kMaxFailedGraphs;
    if (!halted) run.Run(graph);
    const bool success = !halted && run.ok();
    if (success) {
      auto [c, u] = run.Commit();
      created += c;
      updated += u;
    } else {
      ++failed_graphs;
      failed += graph.nodes.size();
    }
    for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
      if (i != 0) out.push_back(',');
      const std::string& reference = graph.nodes[i].reference;
      if (success) {
        const NodeOk& ok = run.oks()[i];
        AppendNode(out, reference, ok.created ? 201 : 200,
                   fmt::format(R"({{"id":"{}","success":true,"errors":[],"created":{}}})", ok.id,
                               ok.created));
      } else if (!halted && run.failed_at() == i) {
        AppendNode(out, reference, 400, sf::RestErrorBody(run.error()));
      } else {
        AppendNode(out, reference, 400, HaltedBody());
      }
    }
    fmt::format_to(std::back_inserter(out), R"(]}},"isSuccessful":{}}})", success);
  }
  out += "]}";
  return AnswerWrite(std::move(out), created, updated, failed);
}

std::map<std::string, std::map<std::string, std::vector<StoredEmailMessage>>>
SalesforceSim::EmailMessagesByKey() const {
  std::map<std::string, std::map<std::string, std::vector<StoredEmailMessage>>> out;
  std::shared_lock lock(impl_->orgs_mu);
  for (const auto& [org_id, org] : impl_->orgs_by_id) {
    std::lock_guard org_lock(org->mu);
    std::unordered_map<std::string, std::vector<const StoredTask*>> relations_by_email;
    for (const StoredTask& relation : org->email_relations) {
      auto parent = relation.fields.find("EmailMessageId");
      if (parent != relation.fields.end()) relations_by_email[parent->second].push_back(&relation);
    }
    auto& by_key = out[org->credentials.tenant];
    for (const StoredTask& message : org->email_messages) {
      auto key = message.fields.find("Crmsync_Key__c");
      StoredEmailMessage stored{message, {}};
      auto relations = relations_by_email.find(message.id);
      if (relations != relations_by_email.end()) {
        for (const StoredTask* relation : relations->second) stored.relations.push_back(*relation);
      }
      by_key[key == message.fields.end() ? std::string() : key->second].push_back(std::move(stored));
    }
  }
  return out;
}

}  // namespace crmsync::sim
