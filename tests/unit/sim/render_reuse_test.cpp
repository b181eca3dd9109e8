// The cheaper page path of the simulator checked against the plain one:
// views walked with the message id and traits built for taken candidates
// only, content rendered into a reused MessageContent, and participants
// marked as needing no JSON escape copied as they are.
#include <random>

#include "graph_json.hpp"
#include "json_escape.hpp"
#include "sim_test_support.hpp"

using namespace crmsync::sim;

namespace {

void RequireSameHeader(const MessageHeader& a, const MessageHeader& b) {
  REQUIRE(a.ref.tenant == b.ref.tenant);
  REQUIRE(a.ref.owner == b.ref.owner);
  REQUIRE(a.ref.epoch == b.ref.epoch);
  REQUIRE(a.ref.index == b.ref.index);
  REQUIRE(a.kind == b.kind);
  REQUIRE(a.from.address == b.from.address);
  REQUIRE(a.from.name == b.from.name);
  REQUIRE(a.to.size() == b.to.size());
  REQUIRE(a.cc.size() == b.cc.size());
  for (std::size_t i = 0; i < a.to.size(); ++i) REQUIRE(a.to[i].address == b.to[i].address);
  for (std::size_t i = 0; i < a.cc.size(); ++i) REQUIRE(a.cc[i].address == b.cc[i].address);
  REQUIRE(a.sent == b.sent);
  REQUIRE(a.received == b.received);
  REQUIRE(a.internet_message_id == b.internet_message_id);
  REQUIRE(a.traits.bulk == b.traits.bulk);
  REQUIRE(a.traits.auto_reply == b.traits.auto_reply);
  REQUIRE(a.traits.confidential == b.traits.confidential);
  REQUIRE(a.traits.headers == b.traits.headers);
}

}  // namespace

TEST_CASE("NextInView takes the same messages, whole, as Header() filtered by InView", "[sim][corpus]") {
  Corpus corpus(CorpusOptions{11, 1, 5, 40, 0});
  corpus.Advance(7);
  const Epochs epochs = corpus.epochs();
  const int to_epoch = static_cast<int>(epochs.size());
  int taken = 0;
  for (int user = 0; user < 5; ++user) {
    for (Folder folder : {Folder::kInbox, Folder::kSentItems, Folder::kCrm}) {
      ViewCursor fast{}, plain{};
      while (true) {
        auto a = corpus.NextInView(0, user, folder, to_epoch, epochs, fast);
        auto b = corpus.NextCandidate(0, user, folder != Folder::kSentItems, to_epoch, epochs, plain,
                                      [&](const MessageHeader& h) { return corpus.InView(h, user, folder); });
        REQUIRE(a.has_value() == b.has_value());
        if (!a) break;
        RequireSameHeader(*a, *b);
        RequireSameHeader(*a, corpus.Header(a->ref, epochs));
        REQUIRE(fast.epoch == plain.epoch);
        REQUIRE(fast.slot == plain.slot);
        REQUIRE(fast.index == plain.index);
        ++taken;
      }
    }
  }
  CHECK(taken > 5 * 40);
}

TEST_CASE("Content into a reused MessageContent equals a fresh one, message after message", "[sim][corpus]") {
  // Seeds and sizes that include long bodies (1 in 200), categories and auto-replies.
  Corpus corpus(CorpusOptions{3, 1, 6, 200, 0});
  const Epochs epochs = corpus.epochs();
  MessageContent reused;
  int long_bodies = 0, categorized = 0;
  corpus.ForEachMessage(0, 0, 1, epochs, [&](const MessageHeader& h) {
    const MessageContent fresh = corpus.Content(h);
    corpus.Content(h, reused);
    REQUIRE(reused.subject == fresh.subject);
    REQUIRE(reused.body == fresh.body);
    REQUIRE(reused.conversation_id == fresh.conversation_id);
    REQUIRE(reused.importance == fresh.importance);
    REQUIRE(reused.has_attachments == fresh.has_attachments);
    REQUIRE(reused.categories == fresh.categories);
    if (fresh.body.size() > 32000) ++long_bodies;
    if (!fresh.categories.empty()) ++categorized;
  });
  CHECK(long_bodies > 0);
  CHECK(categorized > 0);
}

TEST_CASE("json_plain marks exactly the users and people whose strings need no JSON escape", "[sim][render]") {
  Corpus corpus(CorpusOptions{4, 2, 30, 1, 0});
  auto plain = [](std::string_view s) { return JsonEscape(s) == s; };
  for (const Tenant& tenant : corpus.tenants()) {
    for (const MailUser& u : tenant.users) {
      bool expected = plain(u.display_name) && plain(u.primary);
      for (const auto& alias : u.aliases) expected = expected && plain(alias);
      REQUIRE(u.json_plain == expected);
    }
    for (const ExternalPerson& p : tenant.people) {
      REQUIRE(p.json_plain == (plain(p.display_name) && plain(p.address)));
    }
  }
}

TEST_CASE("a page renders the same with every participant escaped", "[sim][render]") {
  Corpus corpus(CorpusOptions{9, 1, 6, 60, 0});
  const Epochs epochs = corpus.epochs();
  const std::uint64_t mask = ~std::uint64_t{0};
  int plain_participants = 0;
  corpus.ForEachMessage(0, 0, 1, epochs, [&](const MessageHeader& h) {
    const MessageContent content = corpus.Content(h);
    MessageHeader escaped = h;
    escaped.from.json_plain = false;
    for (auto& p : escaped.to) p.json_plain = false;
    for (auto& p : escaped.cc) p.json_plain = false;
    plain_participants += h.from.json_plain ? 1 : 0;
    for (bool text : {true, false}) {
      std::string fast, reference;
      AppendMessageJson(fast, corpus, MessageCopy{&h, &content, h.ref.owner, Folder::kInbox}, mask, text);
      AppendMessageJson(reference, corpus, MessageCopy{&escaped, &content, h.ref.owner, Folder::kInbox}, mask, text);
      REQUIRE(fast == reference);
    }
  });
  CHECK(plain_participants > 0);
}

TEST_CASE("a participant with quotes and controls is escaped when not marked plain", "[sim][render]") {
  Corpus corpus(CorpusOptions{9, 1, 3, 5, 0});
  MessageHeader h = corpus.Header(MessageRef{0, 0, 0, 0}, corpus.epochs());
  const std::string name = "Ann \"The Closer\" O\\Neil\t";
  h.from = Participant{name, "ann@example.com", -1, -1};
  std::string out;
  AppendMessageJson(out, corpus, MessageCopy{&h, nullptr, 0, Folder::kInbox}, std::uint64_t{1} << 23, true);
  CHECK(out.find(R"("name":"Ann \"The Closer\" O\\Neil\t")") != std::string::npos);
}

TEST_CASE("Modulus draws x % n exactly, for small, odd, power-of-two and huge n", "[sim][prng]") {
  std::mt19937_64 random(7);
  const std::uint64_t max = ~std::uint64_t{0};
  for (std::uint64_t n : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{3}, std::uint64_t{7}, std::uint64_t{50},
                          std::uint64_t{62}, std::uint64_t{100}, std::uint64_t{4000}, std::uint64_t{4001},
                          std::uint64_t{65536}, (std::uint64_t{1} << 32) + 15, (std::uint64_t{1} << 63) + 7, max - 1,
                          max}) {
    const Modulus modulus(n);
    REQUIRE(modulus.n() == n);
    for (std::uint64_t x : {std::uint64_t{0}, n - 1, n, n + 1, 2 * n, max, max - 1, max / n * n, max / n * n - 1}) {
      REQUIRE(modulus.Of(x) == x % n);
    }
    for (int i = 0; i < 20000; ++i) {
      const std::uint64_t x = random();
      REQUIRE(modulus.Of(x) == x % n);
    }
    Rng a(n), b(n);
    for (int i = 0; i < 100; ++i) REQUIRE(a.Below(modulus) == b.Below(n));
  }
}
