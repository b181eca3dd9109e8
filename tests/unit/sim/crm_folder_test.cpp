// The user folder "CRM" (selective capture by folder): which users have it,
// its mailFolders listing, its delta, and the ground truth's copies in it.
#include <set>

#include "capture_rule_set.hpp"
#include "ground_truth.hpp"
#include "sim_test_support.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

// The request for an absolute link of the simulator with any query.
HttpRequest GetLink(const std::string& link, const std::map<std::string, std::string>& headers) {
  REQUIRE(link.rfind(kOrigin, 0) == 0);
  const std::string rest = link.substr(std::string(kOrigin).size());
  const std::size_t q = rest.find('?');
  std::vector<std::pair<std::string, std::string>> query;
  for (std::string qs = q == std::string::npos ? "" : rest.substr(q + 1); !qs.empty();) {
    const std::size_t amp = qs.find('&');
    const std::string pair = qs.substr(0, amp);
    const std::size_t eq = pair.find('=');
    query.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
    qs = amp == std::string::npos ? "" : qs.substr(amp + 1);
  }
  return Request("GET", rest.substr(0, q), query, headers);
}

// Every folder of a user's listing, display name -> id, pages of `top`.
std::map<std::string, std::string> ListFolders(Simulator& sim, const MailUser& user, const std::string& token,
                                               int top, int& pages) {
  std::map<std::string, std::string> headers{{"authorization", "Bearer " + token}};
  std::map<std::string, std::string> out;
  HttpRequest request =
      Request("GET", "/v1.0/users/" + user.graph_id + "/mailFolders", {{"$top", std::to_string(top)}}, headers);
  simdjson::dom::parser parser;
  for (pages = 1; pages < 100; ++pages) {
    HttpResponse r = sim.Handle(request);
    REQUIRE(r.status == 200);
    auto doc = Json(parser, r);
    auto values = doc["value"].get_array();
    CHECK(values.size() <= static_cast<std::size_t>(top));
    for (auto folder : values) {
      CHECK(out.emplace(Str(folder["displayName"]), Str(folder["id"])).second);
    }
    std::string_view next;
    if (doc["@odata.nextLink"].get(next) != simdjson::SUCCESS) break;
    request = GetLink(std::string(next), headers);
  }
  return out;
}

}  // namespace

TEST_CASE("mailFolders lists the top-level folders, with CRM for users that have it", "[sim][graph][folders]") {
  FakeClock clock;
  Simulator sim(Options(1, 3, 10, clock));
  const std::string token = GraphToken(sim, 0);
  const auto& users = sim.corpus().tenants()[0].users;
  for (int u = 0; u < 3; ++u) {
    INFO("user " << u);
    int pages = 0;
    auto folders = ListFolders(sim, users[static_cast<std::size_t>(u)], token, 4, pages);
    CHECK(pages >= 3);
    CHECK(folders.at("Inbox") == sim.corpus().FolderId(0, u, Folder::kInbox));
    CHECK(folders.at("Sent Items") == sim.corpus().FolderId(0, u, Folder::kSentItems));
    std::set<std::string> ids;
    for (const auto& [name, id] : folders) ids.insert(id);
    CHECK(ids.size() == folders.size());
    CHECK(Corpus::HasCrmFolder(u) == (u != 2));
    if (Corpus::HasCrmFolder(u)) {
      CHECK(folders.at("CRM") == sim.corpus().FolderId(0, u, Folder::kCrm));
    } else {
      CHECK(folders.count("CRM") == 0);
    }
  }
  HttpResponse bad = sim.Handle(Request("GET", "/v1.0/users/" + users[0].graph_id + "/mailFolders",
                                        {{"$top", "0"}}, {{"authorization", "Bearer " + token}}));
  CHECK(bad.status == 400);
}

TEST_CASE("delta of the folder CRM serves exactly the filed copies, without the CRM category",
          "[sim][graph][folders]") {
  FakeClock clock;
  Simulator sim(Options(1, 3, 30, clock));
  const std::string token = GraphToken(sim, 0);
  const Corpus& corpus = sim.corpus();
  const auto& users = corpus.tenants()[0].users;
  std::map<std::string, std::string> headers{{"authorization", "Bearer " + token},
                                             {"prefer", "odata.maxpagesize=5"}};
  const Epochs epochs = corpus.epochs();
  const int now = static_cast<int>(epochs.size());
  simdjson::dom::parser parser;
  for (int u : {0, 1}) {
    INFO("user " << u);
    std::vector<std::string> expected;
    ViewCursor cursor{0, 0, 0};
    while (auto h = corpus.NextInView(0, u, Folder::kCrm, now, epochs, cursor)) {
      CHECK((corpus.InView(*h, u, Folder::kInbox) || corpus.InView(*h, u, Folder::kSentItems)));
      expected.push_back(h->internet_message_id);
    }
    REQUIRE(expected.size() > 5);
    std::vector<std::string> served;
    HttpRequest request = Request(
        "GET", "/v1.0/users/" + users[static_cast<std::size_t>(u)].graph_id + "/mailFolders/" +
                   corpus.FolderId(0, u, Folder::kCrm) + "/messages/delta",
        {{"$select", "internetMessageId,categories"}}, headers);
    for (int guard = 0; guard < 100; ++guard) {
      HttpResponse r = sim.Handle(request);
      REQUIRE(r.status == 200);
      auto doc = Json(parser, r);
      for (auto m : doc["value"].get_array()) {
        served.push_back(Str(m["internetMessageId"]));
        for (auto category : m["categories"].get_array()) CHECK(Str(category) != "CRM");
      }
      std::string_view next;
      if (doc["@odata.nextLink"].get(next) != simdjson::SUCCESS) {
        CHECK(doc["@odata.deltaLink"].error() == simdjson::SUCCESS);
        break;
      }
      request = GetLink(std::string(next), headers);
    }
    CHECK(served == expected);
  }
  // User 2 has no such folder: user 0's folder id is not found in its mailbox.
  HttpResponse missing = sim.Handle(Request("GET", "/v1.0/users/" + users[2].graph_id + "/mailFolders/" +
                                                       corpus.FolderId(0, 2, Folder::kCrm) + "/messages/delta",
                                            {}, headers));
  CHECK(missing.status == 404);
}

TEST_CASE("ground truth: selective Graph mail filed in CRM has a captured-by-folder copy, other rule sets none",
          "[sim][folders]") {
  FakeClock clock;
  Simulator sim(Options(1, 6, 40, clock));
  const Corpus& corpus = sim.corpus();
  const RuleSet selective = MakeRuleSet(RuleSetKind::kSelective, Corpus::StartClock(42), Corpus::StartClock(42));
  const RuleSet automatic = MakeRuleSet(RuleSetKind::kAutomatic, Corpus::StartClock(42), Corpus::StartClock(42));
  const Epochs epochs = corpus.epochs();
  int folder_copies = 0, only_by_folder = 0;
  corpus.ForEachMessage(0, 0, static_cast<int>(epochs.size()), epochs, [&](const MessageHeader& h) {
    const Judgement j = Judge(corpus, h, selective);
    std::set<int> holders, filed;
    for (const CopyVerdict& c : j.copies) {
      if (c.folder != Folder::kCrm) holders.insert(c.user);
    }
    bool marked_elsewhere = false;
    for (const CopyVerdict& c : j.copies) {
      if (c.folder == Folder::kCrm) {
        ++folder_copies;
        CHECK(holders.count(c.user) == 1);
        CHECK(corpus.CrmFiled(h, c.user));
        CHECK(c.outcome != Outcome::kNotSelected);
        CHECK(filed.insert(c.user).second);
      } else if (c.outcome != Outcome::kNotSelected) {
        marked_elsewhere = true;
      }
    }
    for (int user : holders) CHECK(filed.count(user) == (corpus.CrmFiled(h, user) ? 1u : 0u));
    if (j.outcome == Outcome::kCaptured && !marked_elsewhere) ++only_by_folder;
    for (const CopyVerdict& c : Judge(corpus, h, automatic).copies) CHECK(c.folder != Folder::kCrm);
  });
  CHECK(folder_copies > 10);
  CHECK(only_by_folder > 0);
}
