// How Graph serves the capture-rule features (CRM category per copy,
// internetMessageHeaders only on $select) and the detail_reads counter.
#include "ground_truth.hpp"
#include "sim_test_support.hpp"
#include "text_util.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

std::vector<MessageHeader> View(const Corpus& c, int user, Folder folder) {
  std::vector<MessageHeader> out;
  Epochs epochs = c.epochs();
  ViewCursor cursor;
  while (auto h = c.NextInView(0, user, folder, static_cast<int>(epochs.size()), epochs, cursor)) out.push_back(*h);
  return out;
}

std::uint64_t DetailReads(Simulator& sim) {
  simdjson::dom::parser parser;
  HttpResponse r = sim.Handle(Request("GET", "/_sim/stats"));
  REQUIRE(r.status == 200);
  return std::uint64_t(Json(parser, r)["detail_reads"]);
}

}  // namespace

TEST_CASE("Graph serves CRM categories per copy and headers only when selected", "[sim][capture][graph]") {
  FakeClock clock;
  Simulator sim(Options(1, 4, 60, clock));
  const std::string token = GraphToken(sim, 0);
  const Corpus& c = sim.corpus();
  std::map<std::string, std::string> headers{{"authorization", "Bearer " + token},
                                              {"prefer", "odata.maxpagesize=1000"}};
  int marked = 0, unmarked = 0, bulk_seen = 0, auto_seen = 0;
  for (Folder folder : {Folder::kInbox, Folder::kSentItems}) {
    const MailUser& u = c.tenants()[0].users[1];
    const char* name = folder == Folder::kInbox ? "inbox" : "sentitems";
    const std::string path = "/v1.0/users/" + u.graph_id + "/mailFolders/" + name + "/messages/delta";
    const std::vector<MessageHeader> view = View(c, 1, folder);
    REQUIRE(view.size() > 10);

    const std::uint64_t reads_before = DetailReads(sim);
    HttpResponse selected = sim.Handle(Request("GET", path, {{"$select", "categories,internetMessageHeaders,subject"}}, headers));
    REQUIRE(selected.status == 200);
    CHECK(DetailReads(sim) == reads_before + 1);
    simdjson::dom::parser parser;
    auto values = Json(parser, selected)["value"].get_array().value();
    REQUIRE(values.size() == view.size());
    std::size_t i = 0;
    for (auto m : values) {
      const MessageHeader& h = view[i++];
      bool has_crm = false;
      for (auto cat : m["categories"].get_array()) has_crm = has_crm || Str(cat) == "CRM";
      CHECK(has_crm == c.CrmMarked(h, 1, folder));
      (has_crm ? marked : unmarked)++;
      std::map<std::string, std::string> got;
      for (auto header : m["internetMessageHeaders"].get_array()) got[Str(header["name"])] = Str(header["value"]);
      CHECK(got["Message-ID"] == h.internet_message_id);
      for (const auto& [hn, hv] : h.traits.headers) CHECK(got[hn] == hv);
      if (!h.traits.bulk) CHECK(got.count("List-Unsubscribe") == 0);
      bulk_seen += h.traits.bulk;
      auto_seen += h.traits.auto_reply;
      if (h.traits.auto_reply) CHECK(got["Auto-Submitted"] == "auto-replied");
    }
    // Without $select naming it, no internetMessageHeaders.
    HttpResponse plain = sim.Handle(Request("GET", path, {}, headers));
    REQUIRE(plain.status == 200);
    CHECK(plain.body.find("internetMessageHeaders") == std::string::npos);
    HttpResponse other = sim.Handle(Request("GET", path, {{"$select", "subject,from"}}, headers));
    CHECK(other.body.find("internetMessageHeaders") == std::string::npos);
  }
  CHECK(marked > 0);
  CHECK(unmarked > 0);
  CHECK(bulk_seen + auto_seen > 0);
}

TEST_CASE("detail_reads counts only delta pages holding messages", "[sim][capture][graph]") {
  FakeClock clock;
  Simulator sim(Options(1, 2, 3, clock));
  const std::string token = GraphToken(sim, 0);
  const MailUser& u = sim.corpus().tenants()[0].users[0];
  std::map<std::string, std::string> headers{{"authorization", "Bearer " + token}};
  const std::string path = "/v1.0/users/" + u.graph_id + "/mailFolders/sentitems/messages/delta";
  simdjson::dom::parser parser;
  CHECK(DetailReads(sim) == 0);
  HttpResponse first = sim.Handle(Request("GET", path, {}, headers));
  REQUIRE(first.status == 200);
  const std::uint64_t after_first = DetailReads(sim);
  CHECK(after_first == (Json(parser, first)["value"].get_array().size() > 0 ? 1u : 0u));
  // An empty delta round (nothing new) is not a detail read.
  std::string delta = Str(Json(parser, first)["@odata.deltaLink"]);
  HttpResponse empty = sim.Handle(FollowLink(delta, headers));
  REQUIRE(empty.status == 200);
  CHECK(Json(parser, empty)["value"].get_array().size() == 0);
  CHECK(DetailReads(sim) == after_first);
  // /_sim/verify reports it next to its other fields.
  HttpResponse verify = sim.Handle(Request("GET", "/_sim/verify"));
  REQUIRE(verify.status == 200);
  auto doc = Json(parser, verify);
  CHECK(std::uint64_t(doc["detail_reads"]) == after_first);
  CHECK(std::int64_t(doc["missing"]) >= 0);
  CHECK(Str(doc["capture"]) == "automatic");
}

TEST_CASE("/_sim/expected reports message and copy outcomes of the rule set", "[sim][capture]") {
  FakeClock clock;
  SimulatorOptions options = Options(1, 5, 40, clock);
  options.corpus.capture = MakeRuleSet(RuleSetKind::kExclusions, Corpus::StartClock(42), Corpus::StartClock(42) + 20 * 86400);
  Simulator sim(options);
  simdjson::dom::parser parser;
  HttpResponse r = sim.Handle(Request("GET", "/_sim/expected"));
  REQUIRE(r.status == 200);
  auto total = Json(parser, r)["total"];
  CHECK(std::uint64_t(total["messages"]) == 200u);
  std::uint64_t sum = 0;
  for (int o = 0; o < kOutcomeCount; ++o) sum += std::uint64_t(total[OutcomeName(static_cast<Outcome>(o))]);
  CHECK(sum == 200u);
  CHECK(std::uint64_t(total["copies"]["copies"]) > 200u);
  CHECK(std::uint64_t(total["copies"]["excluded_subject"]) > 0u);
  CHECK(std::uint64_t(total["copies"]["too_old"]) > 0u);
  CHECK(Str(Json(parser, r)["capture"]) == "exclusions");
}
