// The simulator's page renderer without per-message heap strings: ids in
// fixed buffers, participants as views of the corpus, the long body built to
// its cut, each checked against the straightforward form.
#include <random>
#include <set>

#include "graph_json.hpp"
#include "json_escape.hpp"
#include "prng.hpp"
#include "sim_test_support.hpp"
#include "text_util.hpp"

using namespace crmsync::sim;

TEST_CASE("MailboxMessageIdText is AAMkAG and the base64url of 16 bytes, unique per copy", "[sim][render]") {
  Corpus corpus(CorpusOptions{5, 2, 6, 30, 0});
  const Epochs epochs = corpus.epochs();
  std::set<std::string> seen;
  int copies = 0;
  for (int t = 0; t < 2; ++t) {
    corpus.ForEachMessage(t, 0, 1, epochs, [&](const MessageHeader& h) {
      for (int user : {h.ref.owner, (h.ref.owner + 1) % 6}) {
        for (Folder folder : {Folder::kInbox, Folder::kSentItems, Folder::kCrm}) {
          const std::string id(corpus.MailboxMessageIdText(h, user, folder).view());
          REQUIRE(id.size() == 28);
          REQUIRE(id.substr(0, 6) == "AAMkAG");
          const auto raw = Base64UrlDecode(id.substr(6));
          REQUIRE(raw);
          REQUIRE(raw->size() == 16);
          REQUIRE("AAMkAG" + Base64UrlEncode(*raw) == id);   // OpenSSL's encoder agrees
          REQUIRE(corpus.MailboxMessageId(h, user, folder) == id);
          seen.insert(id);
          ++copies;
        }
      }
    });
  }
  CHECK(copies == 2 * 6 * 30 * 2 * 3);
  CHECK(seen.size() == static_cast<std::size_t>(copies));
}

TEST_CASE("WriteBase62 and AppendBase62 draw the same characters as Base62", "[sim][render]") {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const std::size_t length = seed % 45;
    Rng a(seed), b(seed), c(seed);
    const std::string reference = Base62(a, length);
    std::string appended = "AQHa";
    AppendBase62(appended, b, length);
    REQUIRE(appended == "AQHa" + reference);
    std::string written(length, '?');
    WriteBase62(c, written.data(), length);
    REQUIRE(written == reference);
    REQUIRE(a.Next() == b.Next());   // the streams stay in step
  }
}

TEST_CASE("header participants are the tenant's own users and people, by view", "[sim][corpus]") {
  Corpus corpus(CorpusOptions{8, 1, 7, 60, 0});
  const Tenant& tenant = corpus.tenants()[0];
  const Epochs epochs = corpus.epochs();
  int checked = 0;
  auto check = [&](const Participant& p) {
    if (p.person >= 0) {
      const ExternalPerson& person = tenant.people[static_cast<std::size_t>(p.person)];
      // Views of the corpus's packed copy of the person's texts (corpus.hpp: PersonDraw).
      REQUIRE(p.address == person.address);
      REQUIRE((p.name == person.display_name || p.name == person.address));
    } else {
      REQUIRE(p.user >= 0);
      const MailUser& user = tenant.users[static_cast<std::size_t>(p.user)];
      REQUIRE(p.name == user.display_name);
      bool own = p.address == user.primary;
      for (const auto& alias : user.aliases) own = own || p.address == alias;
      REQUIRE(own);
    }
    ++checked;
  };
  corpus.ForEachMessage(0, 0, 1, epochs, [&](const MessageHeader& h) {
    check(h.from);
    for (const Participant& p : h.to) check(p);
    for (const Participant& p : h.cc) check(p);
    // The views outlive the header they came with.
    const MessageHeader again = corpus.Header(h.ref, epochs);
    REQUIRE(again.from.address == h.from.address);
    REQUIRE(again.internet_message_id == h.internet_message_id);
  });
  CHECK(checked > 7 * 60);
}

TEST_CASE("a long body is the repeated paragraph cut at a code point, past 32,000", "[sim][corpus]") {
  Corpus corpus(CorpusOptions{9, 1, 4, 400, 0});
  const Epochs epochs = corpus.epochs();
  int long_bodies = 0;
  corpus.ForEachMessage(0, 0, 1, epochs, [&](const MessageHeader& h) {
    const MessageContent content = corpus.Content(h);
    const std::size_t code_points = Utf8Length(content.body);
    if (code_points <= 32000) return;
    ++long_bodies;
    CHECK(code_points <= 32001 + 15000);
    constexpr std::string_view kEnd = "counts differ. ";
    const std::size_t end = content.body.find(kEnd);
    REQUIRE(end != std::string::npos);
    const std::string paragraph = content.body.substr(0, end + kEnd.size());
    std::string reference;
    while (reference.size() < content.body.size() + paragraph.size()) reference += paragraph;
    REQUIRE(content.body == Utf8Prefix(reference, code_points));
  });
  CHECK(long_bodies > 0);
}

TEST_CASE("a page's folder id handed in renders the same message JSON as computed per message", "[sim][render]") {
  Corpus corpus(CorpusOptions{4, 1, 5, 40, 0});
  const Epochs epochs = corpus.epochs();
  const std::uint64_t mask = DefaultMessageMask();
  corpus.ForEachMessage(0, 0, 1, epochs, [&](const MessageHeader& h) {
    const MessageContent content = corpus.Content(h);
    for (Folder folder : {Folder::kInbox, Folder::kSentItems, Folder::kCrm}) {
      const std::string folder_id = corpus.FolderId(0, h.ref.owner, folder);
      std::string computed, given;
      AppendMessageJson(computed, corpus, MessageCopy{&h, &content, h.ref.owner, folder}, mask, true);
      AppendMessageJson(given, corpus, MessageCopy{&h, &content, h.ref.owner, folder, folder_id}, mask, true);
      REQUIRE(given == computed);
      REQUIRE(computed.find(folder_id) != std::string::npos);
    }
  });
}

TEST_CASE("the escape scanners find every special byte at every position of a run", "[sim][render]") {
  std::vector<unsigned char> bytes;
  for (unsigned b = 0; b < 256; ++b) bytes.push_back(static_cast<unsigned char>(b));
  using Scanner = std::size_t (*)(const char*, std::size_t, std::size_t);
  std::vector<std::pair<const char*, Scanner>> scanners{{"words", &NextJsonEscapeWords}, {"dispatch", &NextJsonEscape}};
#if defined(__SSE2__)
  scanners.emplace_back("sse2", &NextJsonEscapeSse2);
#endif
  for (std::size_t length : {1u, 7u, 8u, 15u, 16u, 17u, 33u, 70u}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (unsigned char b : bytes) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(b);
        const std::size_t expected = NextJsonEscapeBytes(text.data(), 0, text.size());
        REQUIRE(expected == ((b < 0x20 || b == '"' || b == '\\') ? at : length));
        for (const auto& [name, scan] : scanners) {
          INFO(name << " length " << length << " at " << at << " byte " << unsigned{b});
          REQUIRE(scan(text.data(), 0, text.size()) == expected);
          // Starting past the byte finds nothing more; starting on it finds it.
          REQUIRE(scan(text.data(), at + 1, text.size()) == length);
          REQUIRE(scan(text.data(), at, text.size()) == expected);
        }
        std::string escaped = "x";
        AppendJsonEscaped(escaped, text);
        std::string reference = "x" + text.substr(0, at);
        switch (b) {
          case '"': reference += "\\\""; break;
          case '\\': reference += "\\\\"; break;
          case '\n': reference += "\\n"; break;
          case '\r': reference += "\\r"; break;
          case '\t': reference += "\\t"; break;
          default: reference += b < 0x20 ? fmt::format("\\u{:04x}", unsigned{b}) : std::string(1, static_cast<char>(b));
        }
        REQUIRE(escaped == reference + text.substr(at + 1));
      }
    }
  }
}

TEST_CASE("Utf8Prefix cuts before the code point past the limit, short texts whole", "[sim][render]") {
  auto reference = [](std::string_view text, std::size_t max) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && seen++ == max) return text.substr(0, i);
    }
    return text;
  };
  const std::string pieces[] = {"a", "é", "日", "🎉", "\x80", "\xFF", "\"", std::string(1, '\0')};
  std::mt19937_64 random(5);
  for (int i = 0; i < 4000; ++i) {
    std::string text;
    const std::size_t parts = random() % 40;
    for (std::size_t k = 0; k < parts; ++k) text += pieces[random() % std::size(pieces)];
    for (std::size_t max : {std::size_t{0}, std::size_t{1}, parts / 2, parts, text.size(), text.size() + 1}) {
      const std::string_view cut = Utf8Prefix(text, max);
      REQUIRE(cut == reference(text, max));
      REQUIRE(cut.data() == text.data());
    }
  }
}
