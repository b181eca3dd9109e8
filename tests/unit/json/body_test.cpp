#include <catch2/catch.hpp>

#include <simdjson.h>

#include <string>

#include "crmsync/graph/graph.hpp"
#include "crmsync/json/on_demand.hpp"

using crmsync::json::Body;
using crmsync::json::Padded;

TEST_CASE("a string with the padding in its capacity is parsed in place, others from a copy", "[json][body]") {
  std::string spacious = R"({"a":1})";
  spacious.reserve(spacious.size() + simdjson::SIMDJSON_PADDING);
  const auto in_place = Padded(Body(spacious));
  CHECK(in_place.data() == spacious.data());
  CHECK(std::string_view(in_place) == spacious);
  CHECK(in_place.padding() >= simdjson::SIMDJSON_PADDING);

  std::string tight = R"({"a":1})";
  tight.shrink_to_fit();
  if (tight.capacity() < tight.size() + simdjson::SIMDJSON_PADDING) {
    const auto copied = Padded(Body(tight));
    CHECK(copied.data() != tight.data());
    CHECK(std::string_view(copied) == tight);
    CHECK(copied.padding() >= simdjson::SIMDJSON_PADDING);
  }

  // A view says nothing of what follows it: always copied, never read past.
  const std::string_view prefix = std::string_view(spacious).substr(0, 3);
  const auto from_view = Padded(Body(prefix));
  CHECK(from_view.data() != spacious.data());
  CHECK(std::string_view(from_view) == prefix);
}

TEST_CASE("a Graph page parsed in place reads as the same page parsed from a copy", "[json][body][graph]") {
  std::string page =
      R"({"value":[{"id":"m1","subject":"Hi \"you\"","internetMessageId":"<a@b>","isDraft":false,)"
      R"("from":{"emailAddress":{"address":"x@ext.example","name":"X"}},)"
      R"("toRecipients":[{"emailAddress":{"address":"y@org.example"}}]}],"@odata.deltaLink":"https://g/d"})";
  page.reserve(page.size() + 4096);   // as the transport leaves a response body
  auto in_place = crmsync::graph::ParseDeltaPage(page, "Inbox");
  auto copied = crmsync::graph::ParseDeltaPage(std::string_view(page), "Inbox");
  REQUIRE(in_place.ok());
  REQUIRE(copied.ok());
  REQUIRE(in_place->messages.size() == 1);
  CHECK(in_place->messages[0].subject == copied->messages[0].subject);
  CHECK(in_place->messages[0].subject == "Hi \"you\"");
  CHECK(in_place->messages[0].to[0].address == "y@org.example");
  CHECK(in_place->delta_link == "https://g/d");

  // Stale bytes after the end of a shorter body in the same buffer are not part of it.
  std::string reused = page;
  reused.reserve(page.size() + 4096);
  reused.resize(page.size() / 2);
  CHECK(crmsync::graph::ParseDeltaPage(reused, "Inbox").status().code() == crmsync::StatusCode::kCorruption);
}

TEST_CASE("a scoped parser stands in for the thread's parser, and is released with its scope", "[json][parser]") {
  using crmsync::json::ScopedThreadParser;
  using crmsync::json::ThreadParser;
  simdjson::ondemand::parser* const thread_parser = &ThreadParser();
  {
    const ScopedThreadParser listing;
    simdjson::ondemand::parser* const scoped = &ThreadParser();
    CHECK(scoped != thread_parser);
    {
      const ScopedThreadParser nested;
      CHECK(&ThreadParser() != scoped);
      CHECK(&ThreadParser() != thread_parser);
    }
    CHECK(&ThreadParser() == scoped);
    // Documents parse through it as through the thread's parser.
    auto page = crmsync::graph::ParseUsersPage(R"({"value":[{"id":"u1","mail":"A@contoso.com"}]})");
    REQUIRE(page.ok());
    CHECK(page->users.at(0).aliases == std::vector<std::string>{"a@contoso.com"});
  }
  CHECK(&ThreadParser() == thread_parser);
}
