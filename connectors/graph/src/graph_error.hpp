// Graph error bodies: {"error":{"code":"…","message":"…","innerError":{…}}}.
#pragma once

#include <string>
#include <string_view>

namespace crmsync::graph::detail {

struct GraphError {
  std::string code;     // e.g. "SyncStateNotFound"; empty when not parseable
  std::string message;  // Graph's message, or a short printable excerpt of the body
};

// Never fails: a body that is not Graph's error JSON yields an excerpt.
GraphError ParseGraphError(std::string_view body);

// "Graph <status> <code>: <message>" for Status messages.
std::string DescribeGraphError(long status, std::string_view body);

}  // namespace crmsync::graph::detail
