// Composite Graph body builder and response parser (API-FACTS.md §4.3).
#include "crmsync/salesforce/email_graph.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "crmsync/json/escape.hpp"
#include "url_encode.hpp"

namespace crmsync::salesforce {
namespace {

constexpr std::string_view kWhat = "Salesforce composite graph response";
constexpr std::string_view kHalted = "PROCESSING_HALTED";

void AppendFields(std::string& out, const std::vector<Field>& fields, bool include_create_only,
                  bool& first) {
  for (const Field& field : fields) {
    if (field.create_only && !include_create_only) continue;
    if (!first) out.push_back(',');
    first = false;
    json::AppendJsonString(out, field.name);
    out.push_back(':');
    if (field.null) {
      out += "null";
    } else if (field.literal) {
      out += field.value;
    } else {
      json::AppendJsonString(out, field.value);
    }
  }
}

void AppendNodeUrl(std::string& out, const GraphTarget& target, std::string_view sobject,
                   std::string_view external_id) {
  std::string url = fmt::format("/services/data/v{}/sobjects/{}/{}/{}", target.api_version,
                                detail::UrlEncode(sobject),
                                detail::UrlEncode(target.external_id_field),
                                detail::UrlEncode(external_id));
  json::AppendJsonString(out, url);
}

Status Corrupt(std::string_view where, std::string_view problem) {
  return Status::Corruption(fmt::format("{}: {}: {}", kWhat, where, problem));
}

// The first error of a failed node's body ([{"errorCode","message"}]) that
// is not PROCESSING_HALTED; halted errors only fill in when nothing else does.
void TakeNodeError(simdjson::dom::element body, UpsertOutcome& outcome, bool& have_cause) {
  simdjson::dom::array errors;
  if (body.get_array().get(errors) != simdjson::SUCCESS) return;
  for (simdjson::dom::element error : errors) {
    std::string_view code;
    std::string_view message;
    if (error["errorCode"].get_string().get(code) != simdjson::SUCCESS) continue;
    if (error["message"].get_string().get(message) != simdjson::SUCCESS) message = {};
    const bool halted = code == kHalted;
    if (have_cause || (halted && !outcome.error_code.empty())) return;
    outcome.error_code = std::string(code);
    outcome.error_message = std::string(message);
    have_cause = !halted;
    return;
  }
}

Status ReadGraph(simdjson::dom::element graph, std::size_t position, std::size_t graphs,
                 std::vector<UpsertOutcome>& outcomes, std::vector<bool>& seen) {
  const std::string where = fmt::format("graphs[{}]", position);
  std::string_view graph_id;
  if (graph["graphId"].get_string().get(graph_id) != simdjson::SUCCESS) {
    return Corrupt(where, "graphId missing or not a string");
  }
  std::size_t index = graphs;
  if (graph_id.size() > 1 && graph_id.front() == 'g') {
    std::size_t value = 0;
    bool digits = true;
    for (char c : graph_id.substr(1)) {
      if (c < '0' || c > '9' || value > graphs) {
        digits = false;
        break;
      }
      value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    if (digits) index = value;
  }
  if (index >= graphs) return Corrupt(where, fmt::format("unknown graphId '{}'", graph_id));
  if (seen[index]) return Corrupt(where, fmt::format("graphId '{}' answered twice", graph_id));
  seen[index] = true;
  bool successful = false;
  if (graph["isSuccessful"].get_bool().get(successful) != simdjson::SUCCESS) {
    return Corrupt(where, "isSuccessful missing or not a boolean");
  }
  simdjson::dom::array nodes;
  if (graph["graphResponse"]["compositeResponse"].get_array().get(nodes) != simdjson::SUCCESS) {
    return Corrupt(where, "graphResponse.compositeResponse missing or not an array");
  }
  UpsertOutcome& outcome = outcomes[index];
  outcome.success = successful;
  bool have_parent = false;
  bool have_cause = false;
  for (simdjson::dom::element node : nodes) {
    std::string_view reference;
    if (node["referenceId"].get_string().get(reference) != simdjson::SUCCESS) {
      return Corrupt(where, "a compositeResponse entry has no referenceId");
    }
    std::int64_t http_status = 0;
    if (node["httpStatusCode"].get_int64().get(http_status) != simdjson::SUCCESS) {
      return Corrupt(where, fmt::format("node '{}': httpStatusCode missing", reference));
    }
    simdjson::dom::element body;
    const bool has_body = node["body"].get(body) == simdjson::SUCCESS;
    if (!successful) {
      if (has_body) TakeNodeError(body, outcome, have_cause);
      continue;
    }
    if (reference != kParentReference) continue;
    have_parent = true;
    std::string_view id;
    if (!has_body || body["id"].get_string().get(id) != simdjson::SUCCESS) {
      return Corrupt(where, "the parent node of a successful graph has no id");
    }
    outcome.id = std::string(id);
    bool created = http_status == 201;
    if (bool flag = false; body["created"].get_bool().get(flag) == simdjson::SUCCESS) created = flag;
    outcome.created = created;
  }
  if (successful && !have_parent) return Corrupt(where, "successful graph without its parent node");
  if (!successful && outcome.error_code.empty()) {
    outcome.error_code = "UNKNOWN_EXCEPTION";
    outcome.error_message = "the graph failed without reporting an error";
  }
  return Status::Ok();
}

}  // namespace

std::size_t GraphNodeCount(const UpsertRecord& record, bool with_children) {
  return 1 + (with_children ? record.children.size() : 0);
}

GraphPlan PlanGraphPayloads(std::span<const UpsertRecord> records, bool with_children) {
  std::vector<std::size_t> all(records.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  return PlanGraphPayloads(records, all, with_children);
}

GraphPlan PlanGraphPayloads(std::span<const UpsertRecord> records,
                            std::span<const std::size_t> indices, bool with_children) {
  GraphPlan plan;
  std::size_t nodes = 0;
  for (std::size_t i : indices) {
    const std::size_t need = GraphNodeCount(records[i], with_children);
    if (need > kMaxNodesPerPayload) {
      plan.too_large.push_back(i);
      continue;
    }
    if (plan.payloads.empty() || plan.payloads.back().size() == kMaxGraphsPerPayload ||
        nodes + need > kMaxNodesPerPayload) {
      plan.payloads.emplace_back();
      nodes = 0;
    }
    plan.payloads.back().push_back(i);
    nodes += need;
  }
  return plan;
}

std::string BuildGraphBody(const GraphTarget& target, std::span<const UpsertRecord> records,
                           std::span<const std::size_t> indices, bool include_create_only) {
  std::string out;
  out.reserve(256 * indices.size());
  out += R"({"graphs":[)";
  for (std::size_t g = 0; g < indices.size(); ++g) {
    const UpsertRecord& record = records[indices[g]];
    if (g != 0) out.push_back(',');
    fmt::format_to(std::back_inserter(out), R"({{"graphId":"g{}","compositeRequest":[)", g);
    out += R"({"method":"PATCH","url":)";
    AppendNodeUrl(out, target, target.sobject, record.external_id);
    fmt::format_to(std::back_inserter(out), R"(,"referenceId":"{}","body":{{)", kParentReference);
    bool first = true;
    AppendFields(out, record.fields, include_create_only, first);
    out += "}}";
    if (include_create_only) {
      for (std::size_t c = 0; c < record.children.size(); ++c) {
        const ChildRecord& child = record.children[c];
        out += R"(,{"method":"PATCH","url":)";
        AppendNodeUrl(out, target, child.sobject, child.external_id);
        fmt::format_to(std::back_inserter(out), R"(,"referenceId":"r{}","body":{{)", c + 1);
        bool first_child = true;
        if (!child.parent_field.empty()) {
          json::AppendJsonString(out, child.parent_field);
          fmt::format_to(std::back_inserter(out), R"(:"@{{{}.id}}")", kParentReference);
          first_child = false;
        }
        AppendFields(out, child.fields, include_create_only, first_child);
        out += "}}";
      }
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

Result<std::vector<UpsertOutcome>> ParseGraphResponse(std::string_view body, std::size_t graphs) {
  if (body.empty()) return Status::Corruption(fmt::format("{}: empty body", kWhat));
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(body.data(), body.size(), true).get(root)) {
    return Status::Corruption(
        fmt::format("{}: document: {}", kWhat, simdjson::error_message(error)));
  }
  simdjson::dom::array list;
  if (root["graphs"].get_array().get(list) != simdjson::SUCCESS) {
    return Corrupt("document", "graphs missing or not an array");
  }
  std::vector<UpsertOutcome> outcomes(graphs);
  std::vector<bool> seen(graphs, false);
  std::size_t position = 0;
  for (simdjson::dom::element graph : list) {
    if (Status s = ReadGraph(graph, position, graphs, outcomes, seen); !s.ok()) return s;
    ++position;
  }
  if (position != graphs) {
    return Status::Corruption(
        fmt::format("{}: {} graph results for {} graphs", kWhat, position, graphs));
  }
  return outcomes;
}

}  // namespace crmsync::salesforce
