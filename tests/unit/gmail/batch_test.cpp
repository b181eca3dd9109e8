#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crmsync/gmail/batch.hpp"
#include "crmsync/gmail/gmail.hpp"

using namespace crmsync;
using namespace crmsync::gmail;

TEST_CASE("batch request: one application/http part per call", "[gmail][batch]") {
  auto body = BuildBatchRequest("batch_x", {{"item-0", MessageMetadataPath("me", "m1")}, {"item-1", "/p2"}});
  REQUIRE(body.ok());
  CHECK(body.value() ==
        "--batch_x\r\nContent-Type: application/http\r\nContent-ID: <item-0>\r\n\r\nGET " +
            MessageMetadataPath("me", "m1") +
            "\r\n\r\n--batch_x\r\nContent-Type: application/http\r\nContent-ID: <item-1>\r\n\r\nGET /p2\r\n\r\n"
            "--batch_x--\r\n");
  CHECK(BuildBatchRequest("b", {}).status().code() == StatusCode::kInvalidArgument);
  std::vector<BatchRequestPart> many(101, BatchRequestPart{"i", "/p"});
  CHECK(BuildBatchRequest("b", many).status().code() == StatusCode::kInvalidArgument);
  many.resize(100);
  CHECK(BuildBatchRequest("b_ok", many).ok());
  CHECK(!BuildBatchRequest("", {{"i", "/p"}}).ok());
  CHECK(!BuildBatchRequest("p", {{"i", "/p"}}).ok());  // boundary inside a part
}

TEST_CASE("batch request round-trips through the response parser", "[gmail][batch]") {
  // A request body has the same framing; each part's "GET" line is not a
  // status line, so it is refused, which proves the framing was found.
  auto body = BuildBatchRequest("rt", {{"item-0", "/a"}});
  REQUIRE(body.ok());
  auto parsed = ParseBatchResponse("multipart/mixed; boundary=rt", body.value());
  CHECK(parsed.status().message().find("missing HTTP status line") != std::string::npos);
}

TEST_CASE("batch response: CRLF, per-part 429 with Retry-After", "[gmail][batch]") {
  const std::string body =
      "--batch_abc\r\nContent-Type: application/http\r\nContent-ID: <response-item-0>\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: 11\r\n\r\n"
      "{\"id\":\"m1\"}\r\n"
      "--batch_abc\r\nContent-Type: application/http\r\nContent-ID: <response-item-1>\r\n\r\n"
      "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\n\r\n{\"error\":{\"code\":429}}\r\n"
      "--batch_abc--\r\n";
  auto parts = ParseBatchResponse("multipart/mixed; boundary=batch_abc", body);
  REQUIRE(parts.ok());
  REQUIRE(parts->size() == 2);
  CHECK((*parts)[0].content_id == "item-0");
  CHECK((*parts)[0].status == 200);
  CHECK((*parts)[0].body == "{\"id\":\"m1\"}");
  CHECK((*parts)[0].headers[0].first == "content-type");
  CHECK((*parts)[1].content_id == "item-1");
  CHECK((*parts)[1].status == 429);
  CHECK((*parts)[1].headers == std::vector<std::pair<std::string, std::string>>{{"retry-after", "2"}});
  CHECK((*parts)[1].body == "{\"error\":{\"code\":429}}");
}

TEST_CASE("batch response: quoted boundary, bare LF, preamble and epilogue", "[gmail][batch]") {
  const std::string body =
      "This is the preamble.\n"
      "--=_b 1\nContent-Type: application/http\nContent-ID: <response-item-3>\n\n"
      "HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"a\":\"--=_b 1 inside a line\"}\n"
      "--=_b 1--\nepilogue";
  auto parts = ParseBatchResponse("multipart/mixed; charset=utf-8; BOUNDARY=\"=_b 1\"", body);
  REQUIRE(parts.ok());
  REQUIRE(parts->size() == 1);
  CHECK((*parts)[0].content_id == "item-3");
  CHECK((*parts)[0].body == "{\"a\":\"--=_b 1 inside a line\"}");
}

TEST_CASE("batch response: malformed input is kCorruption", "[gmail][batch]") {
  const std::string part = "--b\r\nContent-ID: <response-x>\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{}\r\n";
  CHECK(ParseBatchResponse("application/json", part + "--b--").status().message().find("boundary") !=
        std::string::npos);
  CHECK(ParseBatchResponse("multipart/mixed; boundary=b", part).status().message().find(
            "missing closing delimiter") != std::string::npos);
  CHECK(ParseBatchResponse("multipart/mixed; boundary=b", "--b--").status().message().find("no parts") !=
        std::string::npos);
  CHECK(ParseBatchResponse("multipart/mixed; boundary=b", "").status().code() == StatusCode::kCorruption);
  CHECK(ParseBatchResponse("multipart/mixed; boundary=b", "--b\r\nContent-ID: x\r\n\r\nHTTP/1.1 2000\r\n\r\n--b--")
            .status()
            .message()
            .find("malformed HTTP status line") != std::string::npos);
  CHECK(!ParseBatchResponse("multipart/mixed; boundary=b", "--b\r\nContent-ID: x").ok());
  CHECK(!ParseBatchResponse("multipart/mixed; boundary=\"", "--\"").ok());
}

// The fuzz target's committed corpus, replayed through the parser: each file
// is "<Content-Type>\n<body>", and each must parse or fail as kCorruption,
// within a bounded time.
TEST_CASE("batch response: fuzz corpus replay", "[gmail][batch][fuzz]") {
  const std::filesystem::path corpus = std::filesystem::path(CRMSYNC_SOURCE_DIR) / "tests/fuzz/corpus/gmail_batch";
  REQUIRE(std::filesystem::is_directory(corpus));
  const auto start = std::chrono::steady_clock::now();
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string input = buffer.str();
    const std::size_t nl = input.find('\n');
    const std::string_view view(input);
    const std::string_view content_type = view.substr(0, nl == std::string::npos ? view.size() : nl);
    const std::string_view body = nl == std::string::npos ? std::string_view() : view.substr(nl + 1);
    auto parts = ParseBatchResponse(content_type, body);
    INFO(entry.path().filename().string());
    if (!parts.ok()) CHECK(parts.status().code() == StatusCode::kCorruption);
    // Every prefix too: truncated answers are what a dropped connection gives.
    for (std::size_t cut = 0; cut <= body.size(); cut += 7) {
      auto cut_parts = ParseBatchResponse(content_type, body.substr(0, cut));
      if (!cut_parts.ok()) CHECK(cut_parts.status().code() == StatusCode::kCorruption);
    }
    ++files;
  }
  CHECK(files >= 4);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}
