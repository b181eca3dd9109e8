// Gmail's side of the capture-rule features: the "CRM" user label (labels.list
// and labelIds), bulk / auto-reply headers through metadataHeaders, and
// detail_reads for messages.get, also inside a batch.
#include <catch2/catch.hpp>

#include "gmail_batch.hpp"
#include "google_test_support.hpp"
#include "ground_truth.hpp"

namespace crmsync::sim::testing {
namespace {

std::uint64_t DetailReads(Simulator& sim) {
  simdjson::dom::parser parser;
  return std::uint64_t(Json(parser, sim.Handle(Request("GET", "/_sim/stats")))["detail_reads"]);
}

}  // namespace

TEST_CASE("labels.list names the CRM user label and messages carry its id when marked", "[sim_google][capture]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 4, 40, clock));
  const int tenant = 1, user = 2;
  const std::string token = GoogleToken(sim, tenant, user);
  HttpResponse labels = sim.Handle(Request("GET", "/gmail/v1/users/me/labels", {}, Bearer(token)));
  REQUIRE(labels.status == 200);
  simdjson::dom::parser parser;
  std::string crm_id;
  std::set<std::string> system;
  for (auto l : Json(parser, labels)["labels"].get_array()) {
    if (Str(l["type"]) == "user" && Str(l["name"]) == "CRM") crm_id = Str(l["id"]);
    if (Str(l["type"]) == "system") system.insert(Str(l["id"]));
  }
  CHECK(crm_id.rfind("Label_", 0) == 0);
  CHECK(system.count("INBOX") == 1);
  CHECK(system.count("SENT") == 1);
  // Another mailbox has its own label id.
  const std::string other = GoogleToken(sim, tenant, 0);
  CHECK(sim.Handle(Request("GET", "/gmail/v1/users/me/labels", {}, Bearer(other))).body.find(crm_id) == std::string::npos);

  google::GmailMailbox mailbox(sim.corpus());
  const Epochs epochs = sim.corpus().epochs();
  google::MailboxCursor cursor;
  int labelled = 0, plain = 0, checked = 0, header_checks = 0;
  const std::uint64_t reads_before = DetailReads(sim);
  while (auto h = mailbox.Next(tenant, user, static_cast<int>(epochs.size()), epochs, cursor)) {
    if (checked == 40) break;
    ++checked;
    const std::string id = mailbox.MessageId(*h, user);
    HttpResponse r = sim.Handle(Request("GET", "/gmail/v1/users/me/messages/" + id,
                                        {{"format", "metadata"}, {"metadataHeaders", "List-Unsubscribe"},
                                         {"metadataHeaders", "Precedence"}, {"metadataHeaders", "Auto-Submitted"}},
                                        Bearer(token)));
    REQUIRE(r.status == 200);
    simdjson::dom::parser p;
    auto doc = Json(p, r);
    bool has_crm = false;
    for (auto l : doc["labelIds"].get_array()) has_crm = has_crm || Str(l) == crm_id;
    CHECK(has_crm == sim.corpus().CrmLabelled(*h, user));
    (has_crm ? labelled : plain)++;
    std::map<std::string, std::string> got;
    for (auto hd : doc["payload"]["headers"].get_array()) got[Str(hd["name"])] = Str(hd["value"]);
    std::map<std::string, std::string> want(h->traits.headers.begin(), h->traits.headers.end());
    CHECK(got == want);
    header_checks += !want.empty();
  }
  CHECK(DetailReads(sim) == reads_before + static_cast<std::uint64_t>(checked));
  CHECK(labelled > 0);
  CHECK(plain > 0);
  CHECK(header_checks > 0);
}

TEST_CASE("each messages.get inside a batch is a detail read", "[sim_google][capture]") {
  FakeClock clock;
  Simulator sim(MixedOptions(2, 3, 5, clock));
  const std::string token = GoogleToken(sim, 1, 0);
  google::GmailMailbox mailbox(sim.corpus());
  const Epochs epochs = sim.corpus().epochs();
  google::MailboxCursor cursor;
  std::vector<std::string> ids;
  while (auto h = mailbox.Next(1, 0, static_cast<int>(epochs.size()), epochs, cursor)) ids.push_back(mailbox.MessageId(*h, 0));
  REQUIRE(ids.size() >= 3);
  std::string body;
  for (int i = 0; i < 3; ++i) {
    body += "--b\r\nContent-Type: application/http\r\nContent-ID: <" + std::to_string(i) + ">\r\n\r\nGET /gmail/v1/users/me/messages/" +
            ids[static_cast<std::size_t>(i)] + "?format=metadata HTTP/1.1\r\n\r\n";
  }
  body += "--b\r\nContent-Type: application/http\r\n\r\nGET /gmail/v1/users/me/messages/0123456789abcdef HTTP/1.1\r\n\r\n--b--\r\n";
  const std::uint64_t before = DetailReads(sim);
  HttpResponse r = sim.Handle(Request("POST", "/batch/gmail/v1", {},
                                      {{"content-type", "multipart/mixed; boundary=b"}, {"authorization", "Bearer " + token}},
                                      body));
  REQUIRE(r.status == 200);
  CHECK(DetailReads(sim) == before + 3);   // the unknown id (404) is not one
  // Listing and labels are not detail reads.
  sim.Handle(Request("GET", "/gmail/v1/users/me/messages", {}, Bearer(token)));
  sim.Handle(Request("GET", "/gmail/v1/users/me/labels", {}, Bearer(token)));
  CHECK(DetailReads(sim) == before + 3);
}

}  // namespace crmsync::sim::testing
