// Parse stage: the Graph delta page and Gmail metadata parsers next to a raw
// simdjson On-Demand pass that reads the same fields from the same bytes.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <utility>

#include "crmsync/gmail/gmail.hpp"
#include "crmsync/graph/graph.hpp"
#include "inputs.hpp"

namespace crmsync::bench {
namespace {

std::size_t Length(simdjson::simdjson_result<std::string_view> s) {
  std::string_view v;
  return std::move(s).get(v) ? 0 : v.size();
}

// The floor: every field the connector keeps, as string_views, nothing materialized.
std::size_t RawGraphPage(simdjson::ondemand::parser& parser, const simdjson::padded_string& page) {
  std::size_t total = 0;
  simdjson::ondemand::document doc;
  if (parser.iterate(page).get(doc)) return 0;
  simdjson::ondemand::object root;
  if (doc.get_object().get(root)) return 0;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return 0;
    if (key == "@odata.nextLink" || key == "@odata.deltaLink") {
      total += Length(field.value().get_string());
      continue;
    }
    if (key != "value") continue;
    simdjson::ondemand::array messages;
    if (field.value().get_array().get(messages)) return 0;
    for (auto m : messages) {
      simdjson::ondemand::object message;
      if (m.get_object().get(message)) return 0;
      for (auto f : message) {
        std::string_view name;
        if (f.unescaped_key().get(name)) return 0;
        simdjson::ondemand::value v = f.value();
        if (name == "id" || name == "internetMessageId" || name == "subject" || name == "sentDateTime" ||
            name == "receivedDateTime") {
          total += Length(v.get_string());
        } else if (name == "body") {
          total += Length(v["content"].get_string());
        } else if (name == "from") {
          total += Length(v["emailAddress"]["address"].get_string());
        } else if (name == "toRecipients" || name == "ccRecipients" || name == "bccRecipients") {
          for (auto r : v.get_array()) {
            simdjson::ondemand::object address;
            if (r["emailAddress"].get_object().get(address)) return 0;
            for (auto a : address) {
              std::string_view n;
              if (a.unescaped_key().get(n)) return 0;
              total += Length(a.value().get_string());
            }
          }
        } else if (name == "categories") {
          for (auto c : v.get_array()) total += Length(c.get_string());
        } else if (name == "isDraft") {
          bool draft = false;
          total += v.get_bool().get(draft) ? 0 : draft;
        } else if (name == "internetMessageHeaders") {
          for (auto h : v.get_array()) total += Length(h["name"].get_string());
        }
      }
    }
  }
  return total;
}

std::size_t RawGmailMetadata(simdjson::ondemand::parser& parser, const simdjson::padded_string& body) {
  std::size_t total = 0;
  simdjson::ondemand::document doc;
  if (parser.iterate(body).get(doc)) return 0;
  simdjson::ondemand::object root;
  if (doc.get_object().get(root)) return 0;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return 0;
    simdjson::ondemand::value v = field.value();
    if (key == "id" || key == "snippet" || key == "historyId" || key == "internalDate") {
      total += Length(v.get_string());
    } else if (key == "labelIds") {
      for (auto l : v.get_array()) total += Length(l.get_string());
    } else if (key == "payload") {
      for (auto h : v["headers"].get_array()) {
        simdjson::ondemand::object header;
        if (h.get_object().get(header)) return 0;
        for (auto hf : header) {
          std::string_view n;
          if (hf.unescaped_key().get(n)) return 0;
          total += Length(hf.value().get_string());
        }
      }
    }
  }
  return total;
}

void graph_page_parse(benchmark::State& state) {
  const std::string page = GraphDeltaPage(kMessagesPerPage);
  for (auto _ : state) {
    auto parsed = graph::ParseDeltaPage(page, "Inbox");
    if (!parsed.ok() || parsed->messages.size() != kMessagesPerPage) {
      state.SkipWithError("graph page did not parse");
      break;
    }
    benchmark::DoNotOptimize(parsed);
  }
  state.counters["items"] = kMessagesPerPage;
  state.counters["bytes_per_item"] = static_cast<double>(page.size()) / kMessagesPerPage;
}
BENCHMARK(graph_page_parse);

void graph_page_parse_floor(benchmark::State& state) {
  // The connector receives the body as a std::string and pads it; so does the floor.
  const std::string page = GraphDeltaPage(kMessagesPerPage);
  simdjson::ondemand::parser parser;
  for (auto _ : state) {
    simdjson::padded_string padded(page);
    const std::size_t n = RawGraphPage(parser, padded);
    if (n == 0) {
      state.SkipWithError("raw parse failed");
      break;
    }
    benchmark::DoNotOptimize(n);
  }
  state.counters["items"] = kMessagesPerPage;
}
BENCHMARK(graph_page_parse_floor);

constexpr int kGmailMessages = 100;

void gmail_metadata_parse(benchmark::State& state) {
  std::vector<std::string> bodies;
  for (int i = 0; i < kGmailMessages; ++i) bodies.push_back(GmailMetadata(i));
  for (auto _ : state) {
    for (const auto& body : bodies) {
      auto parsed = gmail::ParseMessageMetadata(body);
      if (!parsed.ok()) {
        state.SkipWithError("gmail metadata did not parse");
        return;
      }
      benchmark::DoNotOptimize(parsed);
    }
  }
  state.counters["items"] = kGmailMessages;
}
BENCHMARK(gmail_metadata_parse);

void gmail_metadata_parse_floor(benchmark::State& state) {
  std::vector<std::string> bodies;
  for (int i = 0; i < kGmailMessages; ++i) bodies.push_back(GmailMetadata(i));
  simdjson::ondemand::parser parser;
  for (auto _ : state) {
    for (const auto& body : bodies) {
      simdjson::padded_string padded(body);
      const std::size_t n = RawGmailMetadata(parser, padded);
      if (n == 0) {
        state.SkipWithError("raw parse failed");
        return;
      }
      benchmark::DoNotOptimize(n);
    }
  }
  state.counters["items"] = kGmailMessages;
}
BENCHMARK(gmail_metadata_parse_floor);

}  // namespace
}  // namespace crmsync::bench
