// Corpus determinism, mailbox views and the ground-truth rules.
#include <deque>
#include <set>

#include "ground_truth.hpp"
#include "sim_test_support.hpp"
#include "text_util.hpp"

using namespace crmsync::sim;

namespace {

std::vector<std::string> Fingerprint(const Corpus& c) {
  std::vector<std::string> out;
  Epochs epochs = c.epochs();
  for (const Tenant& t : c.tenants()) {
    out.push_back(t.ms_tenant_id + t.ms_client_secret + t.sf_refresh_token);
    for (const MailUser& u : t.users) out.push_back(u.primary + u.graph_id + u.sf_user_id);
    for (const ExternalPerson& p : t.people) out.push_back(p.address + p.contact_id + p.lead_id);
    c.ForEachMessage(t.index, 0, 1, epochs, [&](const MessageHeader& h) {
      MessageContent content = c.Content(h);
      out.push_back(h.internet_message_id + std::string(h.from.address) + std::to_string(h.sent) + content.subject +
                    content.body);
    });
  }
  return out;
}

std::vector<std::string> InboxIds(const Corpus& c, int tenant, int user, Folder folder) {
  Epochs epochs = c.epochs();
  ViewCursor cursor;
  std::vector<std::string> ids;
  while (auto h = c.NextInView(tenant, user, folder, static_cast<int>(epochs.size()), epochs, cursor)) {
    ids.push_back(h->internet_message_id);
  }
  return ids;
}

}  // namespace

TEST_CASE("same seed gives the same corpus, another seed a different one", "[sim][corpus]") {
  CorpusOptions o{7, 2, 4, 30, 0};
  Corpus a(o), b(o);
  auto fa = Fingerprint(a);
  CHECK(fa == Fingerprint(b));
  o.seed = 8;
  Corpus c(o);
  auto fc = Fingerprint(c);
  REQUIRE(fa.size() == fc.size());
  std::size_t same = 0;
  for (std::size_t i = 0; i < fa.size(); ++i) same += fa[i] == fc[i];
  CHECK(same < fa.size() / 10);
}

TEST_CASE("corpus shapes: aliases, domains, CRM people, unique message ids", "[sim][corpus]") {
  Corpus c(CorpusOptions{3, 3, 20, 40, 0});
  std::set<std::string> keys;
  std::size_t messages = 0;
  bool alias_used = false, long_body = false, many_recipients = false, upper_case_external = false;
  Epochs epochs = c.epochs();
  for (const Tenant& t : c.tenants()) {
    CHECK(t.people.size() == 50u);   // max(50, 2 * users)
    for (const MailUser& u : t.users) CHECK(u.aliases.size() <= 3);
    c.ForEachMessage(t.index, 0, 1, epochs, [&](const MessageHeader& h) {
      ++messages;
      keys.insert(NormalizeMessageId(h.internet_message_id));
      CHECK(h.internet_message_id.size() <= 200);
      CHECK(h.sent < epochs[0].clock);
      CHECK(h.sent > epochs[0].clock - 61 * 86400);
      std::size_t recipients = h.to.size() + h.cc.size();
      CHECK(recipients >= 1);
      CHECK(recipients <= 8);
      many_recipients |= recipients >= 6;
      for (const auto* list : {&h.to, &h.cc}) {
        for (const Participant& p : *list) {
          if (p.user >= 0 && p.address != t.users[static_cast<std::size_t>(p.user)].primary) alias_used = true;
          if (p.person >= 0 && p.address != AsciiLower(p.address)) upper_case_external = true;
        }
      }
      MessageContent content = c.Content(h);
      CHECK(Utf8Length(content.subject) <= 200);
      long_body |= Utf8Length(content.body) > kDescriptionMaxCodePoints;
    });
  }
  CHECK(keys.size() == messages);   // one key per distinct message, across tenants too
  CHECK(alias_used);
  CHECK(many_recipients);
  CHECK(upper_case_external);
  CHECK(long_body);
}

TEST_CASE("a message shared by two users is in both mailboxes with one internetMessageId", "[sim][corpus]") {
  Corpus c(CorpusOptions{11, 1, 4, 40, 0});
  auto inbox0 = InboxIds(c, 0, 0, Folder::kInbox);
  auto inbox1 = InboxIds(c, 0, 1, Folder::kInbox);
  auto sent0 = InboxIds(c, 0, 0, Folder::kSentItems);
  std::set<std::string> mailbox0(inbox0.begin(), inbox0.end());
  mailbox0.insert(sent0.begin(), sent0.end());
  std::size_t shared = 0;
  for (const auto& id : inbox1) shared += mailbox0.count(id);
  CHECK(shared > 0);
  // Every Inbox copy names its user as a recipient; Sent Items holds only mail the user sent.
  Epochs epochs = c.epochs();
  ViewCursor cursor;
  while (auto h = c.NextInView(0, 1, Folder::kSentItems, 1, epochs, cursor)) CHECK(h->from.user == 1);
}

TEST_CASE("ground truth: internal-only, unknown externals, Contact over Lead, owner", "[sim][corpus][truth]") {
  Corpus c(CorpusOptions{5, 1, 3, 1, 60});
  const Tenant& t = c.tenants()[0];
  auto person_where = [&](auto pred) {
    for (std::size_t i = 0; i < t.people.size(); ++i) {
      if (pred(t.people[i])) return static_cast<int>(i);
    }
    FAIL("no such person in the corpus");
    return -1;
  };
  int unknown = person_where([](const ExternalPerson& p) { return p.contact_id.empty() && p.lead_id.empty(); });
  int lead = person_where([](const ExternalPerson& p) { return p.contact_id.empty() && !p.lead_id.empty(); });
  int contact = person_where([](const ExternalPerson& p) { return !p.contact_id.empty() && p.lead_id.empty(); });
  int both = person_where([](const ExternalPerson& p) { return !p.contact_id.empty() && !p.lead_id.empty(); });
  auto ext = [&](int i) {
    return Participant{"", t.people[static_cast<std::size_t>(i)].address, -1, i};
  };
  std::deque<std::string> addresses;   // Participant views its address: keep them alive
  auto user = [&](int u, bool upper = false) {
    std::string& a = addresses.emplace_back(t.users[static_cast<std::size_t>(u)].primary);
    if (upper) {   // domains compare case-insensitively
      for (std::size_t i = a.find('@'); i < a.size(); ++i) {
        if (a[i] >= 'a' && a[i] <= 'z') a[i] = static_cast<char>(a[i] - 'a' + 'A');
      }
    }
    return Participant{"", a, u, -1};
  };

  MessageHeader h;
  h.internet_message_id = "  <AbC.Def@Example.COM> ";
  h.from = user(0);
  h.to = {user(1, true)};
  Judgement j = Judge(c, h);
  CHECK(j.outcome == Outcome::kInternalOnly);
  CHECK(j.key == "abc.def@example.com");

  h.to = {user(1), ext(unknown)};
  CHECK(Judge(c, h).outcome == Outcome::kNoCrmMatch);

  h.to = {ext(unknown), ext(lead)};
  h.cc = {ext(contact)};
  j = Judge(c, h);
  CHECK(j.outcome == Outcome::kCaptured);
  CHECK(j.who_id == t.people[static_cast<std::size_t>(contact)].contact_id);
  CHECK(j.owner_id == t.users[0].sf_user_id);

  h.cc.clear();
  j = Judge(c, h);
  CHECK(j.who_id == t.people[static_cast<std::size_t>(lead)].lead_id);

  h.from = ext(both);
  h.to = {ext(lead), user(2)};
  j = Judge(c, h);
  CHECK(j.who_id == t.people[static_cast<std::size_t>(both)].contact_id);
  CHECK(j.owner_id == t.users[2].sf_user_id);

  // An alias maps to its user.
  for (const MailUser& u : t.users) {
    if (u.aliases.empty()) continue;
    h.to = {Participant{"", u.aliases[0], u.index, -1}};
    CHECK(Judge(c, h).owner_id == u.sf_user_id);
  }
}

TEST_CASE("the generated corpus has every outcome and truncates long descriptions", "[sim][corpus][truth]") {
  Corpus c(CorpusOptions{9, 1, 4, 150, 0});
  OutcomeCounts counts;
  bool checked_long = false;
  Epochs epochs = c.epochs();
  c.ForEachMessage(0, 0, 1, epochs, [&](const MessageHeader& h) {
    Judgement j = Judge(c, h);
    counts.Add(j.outcome);
    if (h.kind == MessageKind::kInternal) CHECK(j.outcome == Outcome::kInternalOnly);
    if (j.outcome != Outcome::kCaptured) return;
    MessageContent content = c.Content(h);
    ExpectedTask task = ExpectedFields(h, j, content);
    CHECK(task["ActivityDate"] == FormatIsoUtc(h.sent).substr(0, 10));
    CHECK(task["Description"] == content.body.substr(0, std::min(content.body.size(), task["Description"].size())));
  });
  // Long bodies are rare (1 in 200): look further for one.
  for (int k = 0; k < 5000 && !checked_long; ++k) {
    MessageHeader h = c.Header(MessageRef{0, 1, 0, k}, Epochs{Epoch{5000, epochs[0].clock}});
    MessageContent content = c.Content(h);
    if (Utf8Length(content.body) <= kDescriptionMaxCodePoints) continue;
    ExpectedTask task = ExpectedFields(h, Judge(c, h), content);
    CHECK(Utf8Length(task["Description"]) == kDescriptionMaxCodePoints);
    CHECK(task["Description"].size() < content.body.size());
    CHECK(content.body.rfind(task["Description"], 0) == 0);
    checked_long = true;
  }
  CHECK(counts.captured > 0);
  CHECK(counts.internal_only > 0);
  CHECK(counts.no_crm_match > 0);
  CHECK(counts.total() == 600u);
  CHECK(checked_long);
}

TEST_CASE("long bodies: whole paragraphs repeated, cut at 32,001 to 47,000 code points", "[sim][corpus]") {
  Corpus c(CorpusOptions{3, 2, 20, 40, 0});
  Epochs epochs = c.epochs();
  int long_bodies = 0;
  for (const Tenant& t : c.tenants()) {
    c.ForEachMessage(t.index, 0, 1, epochs, [&](const MessageHeader& h) {
      const std::string body = c.Content(h).body;
      if (Utf8Length(body) <= kDescriptionMaxCodePoints) return;
      ++long_bodies;
      CHECK(Utf8Length(body) >= 32001);
      CHECK(Utf8Length(body) < 32001 + 15000);
      const std::string_view start = "This is a long message body";
      REQUIRE(body.rfind(start, 0) == 0);
      const std::size_t period = body.find(start, 1);
      REQUIRE(period != std::string::npos);
      bool periodic = true;
      for (std::size_t i = period; i < body.size() && periodic; ++i) periodic = body[i] == body[i - period];
      CHECK(periodic);
      // Cut on a code point boundary: the text is valid UTF-8 to its end.
      CHECK((static_cast<unsigned char>(body.back()) & 0xC0) != 0xC0);
    });
  }
  CHECK(long_bodies > 0);
}

TEST_CASE("mailbox views skip by kind exactly the messages InView rejects", "[sim][corpus]") {
  for (int users : {1, 2, 5}) {
    Corpus c(CorpusOptions{13, 1, users, 60, 0});
    c.Advance(25);
    const Epochs epochs = c.epochs();
    const int to = static_cast<int>(epochs.size());
    for (int user = 0; user < users; ++user) {
      for (Folder folder : {Folder::kInbox, Folder::kSentItems, Folder::kCrm}) {
        // Every candidate generated and judged by InView, in the view's order.
        std::vector<std::string> expected;
        const int previous = (user + users - 1) % users;
        for (int e = 0; e < to; ++e) {
          for (int slot = 0; slot < (folder != Folder::kSentItems && previous != user ? 2 : 1); ++slot) {
            for (int k = 0; k < epochs[static_cast<std::size_t>(e)].messages; ++k) {
              MessageHeader h = c.Header(MessageRef{0, slot == 0 ? user : previous, e, k}, epochs);
              CHECK(c.Kind(h.ref) == h.kind);
              if (c.InView(h, user, folder)) expected.push_back(h.internet_message_id);
            }
          }
        }
        std::vector<std::string> served;
        ViewCursor cursor;
        while (auto h = c.NextInView(0, user, folder, to, epochs, cursor)) served.push_back(h->internet_message_id);
        INFO("users " << users << " user " << user << " folder " << static_cast<int>(folder));
        CHECK(served == expected);
        CHECK((folder == Folder::kCrm && !Corpus::HasCrmFolder(user)) == expected.empty());
      }
    }
  }
}

namespace {

std::string HeaderText(const MessageHeader& h) {
  std::string out = h.internet_message_id + "|" + std::to_string(static_cast<int>(h.kind)) + "|" +
                    std::to_string(h.sent) + "|" + std::to_string(h.received) + "|" + std::string(h.from.address);
  for (const auto* list : {&h.to, &h.cc}) {
    out += "|";
    for (const Participant& p : *list) out += std::string(p.name) + "<" + std::string(p.address) + ">";
  }
  for (const auto& [name, value] : h.traits.headers) out += "|" + name + ":" + value;
  return out + "|" + std::to_string(h.traits.bulk) + std::to_string(h.traits.auto_reply) +
         std::to_string(h.traits.confidential);
}

}  // namespace

TEST_CASE("NextInView into one reused header walks the same view as the copying form", "[sim][corpus]") {
  Corpus corpus(CorpusOptions{9, 2, 5, 40, 0});
  const Epochs epochs = corpus.epochs();
  MessageHeader reused;   // carries the previous message's buffers into each call
  int messages = 0;
  for (int tenant = 0; tenant < 2; ++tenant) {
    for (int user = 0; user < 5; ++user) {
      for (Folder folder : {Folder::kInbox, Folder::kSentItems, Folder::kCrm}) {
        ViewCursor a{0, 0, 0}, b{0, 0, 0};
        while (true) {
          auto copied = corpus.NextInView(tenant, user, folder, static_cast<int>(epochs.size()), epochs, a);
          const bool found = corpus.NextInView(tenant, user, folder, static_cast<int>(epochs.size()), epochs, b, reused);
          REQUIRE(found == copied.has_value());
          REQUIRE((a.epoch == b.epoch && a.slot == b.slot && a.index == b.index));
          if (!found) break;
          REQUIRE(HeaderText(reused) == HeaderText(*copied));
          ++messages;
        }
      }
    }
  }
  CHECK(messages > 300);
}
