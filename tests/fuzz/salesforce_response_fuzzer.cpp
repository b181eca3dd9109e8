// libFuzzer target: Salesforce response parsers and the request-body escaper.
// Parsers must give a value or kCorruption; BuildUpsertBody must always
// produce valid UTF-8 (invalid input is replaced by U+FFFD).
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/salesforce/email_graph.hpp"
#include "crmsync/salesforce/salesforce.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using crmsync::StatusCode;

  auto upsert = crmsync::salesforce::ParseUpsertResponse(input, size % 4);
  if (!upsert.ok() && upsert.status().code() != StatusCode::kCorruption) std::abort();
  if (upsert.ok() && upsert->size() != size % 4) std::abort();

  auto query = crmsync::salesforce::ParseQueryResponse(input);
  if (!query.ok() && query.status().code() != StatusCode::kCorruption) std::abort();

  auto graph = crmsync::salesforce::ParseGraphResponse(input, size % 3);
  if (!graph.ok() && graph.status().code() != StatusCode::kCorruption) std::abort();
  if (graph.ok() && graph->size() != size % 3) std::abort();

  (void)crmsync::salesforce::DescribeRestError(input);

  const std::vector<crmsync::salesforce::UpsertRecord> records = {
      {std::string(input), {{"Subject", std::string(input), false, false}}}};
  const std::string body = crmsync::salesforce::BuildUpsertBody("Task", "Crmsync_Key__c", records);
  if (!simdjson::validate_utf8(body)) std::abort();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) std::abort();
  return 0;
}
