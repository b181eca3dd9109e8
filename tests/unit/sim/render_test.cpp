// The simulator's allocation-free renderers (dates, JSON escapes, Graph
// message bodies) against the straightforward forms they replaced.
#include <ctime>
#include <random>

#include "graph_json.hpp"
#include "json_escape.hpp"
#include "sim_test_support.hpp"
#include "text_util.hpp"

using namespace crmsync::sim;

namespace {

std::string GmtimeIso(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string PerCharacterEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string ReferenceHtml(std::string_view text) {
  std::string out = "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body><div>";
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\r': break;
      case '\n': out += "<br>\r\n"; break;
      default: out += c;
    }
  }
  return out + "</div></body></html>";
}

}  // namespace

TEST_CASE("AppendIsoUtc writes what gmtime gives, leap days and negative times included", "[sim][render]") {
  std::mt19937_64 random(7);
  std::vector<std::int64_t> seconds = {0, -1, -86400, -86401, 951782400 /* 2000-02-29 */, 4107542399 /* 2100-02-28T23:59:59 */,
                                       1793491200, 253402300799 /* 9999-12-31T23:59:59 */, -62135596800 /* 0001-01-01 */};
  for (int i = 0; i < 20000; ++i) seconds.push_back(static_cast<std::int64_t>(random() % 8000000000ULL) - 1000000000);
  for (std::int64_t s : seconds) {
    std::string out = "x";
    AppendIsoUtc(out, s);
    REQUIRE(out == "x" + GmtimeIso(s));
    REQUIRE(FormatIsoUtc(s) == GmtimeIso(s));
  }
}

TEST_CASE("AppendJsonEscaped escapes exactly as the per-character escaper", "[sim][render]") {
  std::mt19937_64 random(11);
  using namespace std::string_view_literals;
  const std::string alphabet(std::string("ab \"\\\n\r\t\x01\x1f\x7f/<>&") + "é日🎉" + std::string("\0"sv));
  for (int i = 0; i < 5000; ++i) {
    std::string text;
    const std::size_t length = random() % 120;
    // Mostly plain runs (escaped 8 bytes at a time), with the special bytes between them.
    for (std::size_t k = 0; k < length; ++k) {
      text += random() % 4 == 0 ? alphabet[random() % alphabet.size()] : static_cast<char>('a' + random() % 26);
    }
    std::string out = "prefix";
    AppendJsonEscaped(out, text);
    REQUIRE(out == "prefix" + PerCharacterEscape(text));
    REQUIRE(JsonEscape(text) == PerCharacterEscape(text));
  }
}

TEST_CASE("Graph message JSON: bodies round-trip as text and as Outlook HTML, appended or alone", "[sim][render]") {
  Corpus corpus(CorpusOptions{9, 1, 4, 400, 0});
  const Epochs epochs = corpus.epochs();
  std::string unknown;
  const std::uint64_t mask = *MessageSelectMask("id,subject,body,from,toRecipients,internetMessageHeaders,sentDateTime", unknown);
  simdjson::dom::parser parser;
  int long_bodies = 0, messages = 0;
  corpus.ForEachMessage(0, 0, 1, epochs, [&](const MessageHeader& h) {
    const MessageContent content = corpus.Content(h);
    long_bodies += Utf8Length(content.body) > 32000;
    ++messages;
    for (bool text_body : {true, false}) {
      const MessageCopy copy{&h, &content, h.ref.owner, Folder::kSentItems};
      std::string alone;
      AppendMessageJson(alone, corpus, copy, mask, text_body);
      std::string appended = "[1,";
      AppendMessageJson(appended, corpus, copy, mask, text_body);
      REQUIRE(appended == "[1," + alone);
      simdjson::dom::element doc;
      REQUIRE(parser.parse(alone).get(doc) == simdjson::SUCCESS);
      std::string_view body, subject, sent, message_id;
      REQUIRE(doc["body"]["content"].get(body) == simdjson::SUCCESS);
      REQUIRE(doc["subject"].get(subject) == simdjson::SUCCESS);
      REQUIRE(doc["sentDateTime"].get(sent) == simdjson::SUCCESS);
      REQUIRE(doc["internetMessageHeaders"].at(0)["value"].get(message_id) == simdjson::SUCCESS);
      CHECK(body == (text_body ? content.body : ReferenceHtml(content.body)));
      CHECK(subject == content.subject);
      CHECK(sent == GmtimeIso(h.sent));
      CHECK(message_id == h.internet_message_id);
    }
  });
  CHECK(messages == 1600);
  CHECK(long_bodies > 0);
}
