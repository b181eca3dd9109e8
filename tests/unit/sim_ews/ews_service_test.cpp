// The simulated EWS on its own: authentication, impersonation, strictness,
// faults, and the Inbox / Sent Items views it serves.
#include <catch2/catch.hpp>

#include <regex>

#include "ews_test_support.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

bool Has(const std::string& body, const std::string& text) { return body.find(text) != std::string::npos; }

std::vector<std::string> Captures(const std::string& body, const std::string& pattern) {
  std::vector<std::string> out;
  std::regex re(pattern);
  for (auto it = std::sregex_iterator(body.begin(), body.end(), re); it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

}  // namespace

TEST_CASE("sim EWS: tokens must be EWS-scoped, valid, and present", "[sim][ews]") {
  FakeClock clock;
  Simulator sim(Options(2, 3, 4, clock));
  const std::string ann = sim.corpus().tenants()[0].users[0].primary;
  const std::string graph_token = GraphToken(sim, 0);
  HttpResponse no_token = sim.Handle(Soap({"", ann, ann, "Exchange2013_SP1", SyncOp("inbox", 10)}));
  CHECK(no_token.status == 401);
  HttpResponse graph = sim.Handle(Soap({graph_token, ann, ann, "Exchange2013_SP1", SyncOp("inbox", 10)}));
  CHECK(graph.status == 401);
  // ...and an EWS token does not open Graph.
  const std::string ews_token = EwsToken(sim, 0);
  HttpResponse users = sim.Handle(Request("GET", "/v1.0/users", {}, {{"authorization", "Bearer " + ews_token}}));
  CHECK(users.status == 401);
  HttpResponse ok = sim.Handle(Soap({ews_token, ann, ann, "Exchange2013_SP1", SyncOp("inbox", 10)}));
  CHECK(ok.status == 200);
  clock.Advance(4000);
  HttpResponse expired = sim.Handle(Soap({ews_token, ann, ann, "Exchange2013_SP1", SyncOp("inbox", 10)}));
  CHECK(expired.status == 401);
}

TEST_CASE("sim EWS: impersonation, X-AnchorMailbox and RequestServerVersion are required", "[sim][ews]") {
  FakeClock clock;
  Simulator sim(Options(2, 3, 4, clock));
  const std::string token = EwsToken(sim, 0);
  const std::string ann = sim.corpus().tenants()[0].users[0].primary;
  const std::string other_tenant = sim.corpus().tenants()[1].users[0].primary;
  auto call = [&](std::string who, std::string anchor, std::string version) {
    return sim.Handle(Soap({token, who, anchor, version, SyncOp("inbox", 10)}));
  };
  HttpResponse none = call("", "", "Exchange2013_SP1");
  CHECK(none.status == 500);
  CHECK(Has(none.body, "ErrorInvalidExchangeImpersonationHeaderData"));
  HttpResponse anchor = call(ann, "someone.else@x.example", "Exchange2013_SP1");
  CHECK(anchor.status == 500);
  CHECK(Has(anchor.body, "X-AnchorMailbox"));
  HttpResponse no_version = call(ann, ann, "");
  CHECK(no_version.status == 500);
  CHECK(Has(no_version.body, "ErrorSchemaValidation"));
  HttpResponse unknown = call("nobody@nowhere.example", "nobody@nowhere.example", "Exchange2013_SP1");
  CHECK(Has(unknown.body, "ErrorNonExistentMailbox"));
  HttpResponse foreign = call(other_tenant, other_tenant, "Exchange2013_SP1");
  CHECK(foreign.status == 500);
  CHECK(Has(foreign.body, "ErrorImpersonateUserDenied"));
  CHECK(sim.ews().isolation_violations() == 1);
  HttpResponse verify = sim.Handle(Request("GET", "/_sim/verify"));
  CHECK(verify.body.find(R"("tenant-2":{)") != std::string::npos);
  CHECK(verify.body.find(R"("isolation_violations":1,"detail_reads")") != std::string::npos);
}

TEST_CASE("sim EWS: strict requests and typed errors", "[sim][ews]") {
  FakeClock clock;
  Simulator sim(Options(1, 3, 4, clock));
  const std::string token = EwsToken(sim, 0);
  const std::string ann = sim.corpus().tenants()[0].users[0].primary;
  auto call = [&](const std::string& op) { return sim.Handle(Soap({token, ann, ann, "Exchange2013_SP1", op})); };

  HttpResponse too_many = call(SyncOp("inbox", 513));
  CHECK(too_many.status == 500);
  CHECK(Has(too_many.body, "ErrorSchemaValidation"));
  CHECK(Has(too_many.body, "MaxChangesReturned"));
  CHECK(call(SyncOp("inbox", 512)).status == 200);

  HttpResponse bad_state = call(SyncOp("inbox", 10, "bm90LWEtc3RhdGU="));
  CHECK(bad_state.status == 200);
  CHECK(Has(bad_state.body, R"(ResponseClass="Error")"));
  CHECK(Has(bad_state.body, "ErrorInvalidSyncStateData"));

  CHECK(Has(call(SyncOp("drafts", 10)).body, "ErrorFolderNotFound"));
  HttpResponse malformed = call("<m:SyncFolderItems><unclosed>");
  CHECK(malformed.status == 500);
  CHECK(Has(malformed.body, "ErrorSchemaValidation"));
  HttpResponse field = call(R"(<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>)"
                            R"(<t:FieldURI FieldURI="item:NoSuchThing"/></t:AdditionalProperties></m:ItemShape>)"
                            R"(<m:ItemIds><t:ItemId Id="x"/></m:ItemIds></m:GetItem>)");
  CHECK(field.status == 500);
  CHECK(Has(field.body, "item:NoSuchThing"));
  HttpResponse garbage_id = call(R"(<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>)"
                                 R"(<m:ItemIds><t:ItemId Id="AAMkAGSimZZZ"/><t:ItemId Id="junk"/></m:ItemIds></m:GetItem>)");
  CHECK(garbage_id.status == 200);
  CHECK(Captures(garbage_id.body, "<m:ResponseCode>(\\w+)</m:ResponseCode>") ==
        std::vector<std::string>{"ErrorInvalidIdMalformed", "ErrorInvalidIdMalformed"});

  sim.ews().InjectServerBusy(1, 2500);
  HttpResponse busy = call(SyncOp("inbox", 10));
  CHECK(busy.status == 500);
  CHECK(Has(busy.body, "ErrorServerBusy"));
  CHECK(Has(busy.body, R"(<t:Value Name="BackOffMilliseconds">2500</t:Value>)"));
  CHECK(call(SyncOp("inbox", 10)).status == 200);
}

TEST_CASE("sim EWS: pages, SyncState and GetItem follow the mailbox view", "[sim][ews]") {
  FakeClock clock;
  Simulator sim(Options(1, 4, 9, clock));
  const std::string token = EwsToken(sim, 0);
  const std::string ann = sim.corpus().tenants()[0].users[1].primary;
  auto call = [&](const std::string& op) { return sim.Handle(Soap({token, ann, ann, "Exchange2013_SP1", op})); };

  std::vector<std::string> ids;
  std::string state;
  for (int guard = 0; guard < 100; ++guard) {
    HttpResponse page = call(SyncOp("sentitems", 3, state));
    REQUIRE(page.status == 200);
    auto got = Captures(page.body, R"re(<t:ItemId Id="([^"]+)")re");
    CHECK(got.size() <= 3);
    ids.insert(ids.end(), got.begin(), got.end());
    auto states = Captures(page.body, "<m:SyncState>([^<]+)</m:SyncState>");
    REQUIRE(states.size() == 1);
    state = states[0];
    if (Has(page.body, "<m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>")) break;
  }
  // The same view Graph serves: count it from the corpus.
  const Epochs epochs = sim.corpus().epochs();
  ViewCursor cursor;
  std::size_t expected = 0;
  while (sim.corpus().NextInView(0, 1, Folder::kSentItems, static_cast<int>(epochs.size()), epochs, cursor)) ++expected;
  CHECK(ids.size() == expected);
  REQUIRE(!ids.empty());

  HttpResponse item = call(R"(<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:BodyType>Text</t:BodyType>)"
                           R"(<t:AdditionalProperties><t:FieldURI FieldURI="message:InternetMessageId"/>)"
                           R"(<t:FieldURI FieldURI="item:Subject"/><t:FieldURI FieldURI="message:From"/>)"
                           R"(</t:AdditionalProperties></m:ItemShape><m:ItemIds><t:ItemId Id=")" + ids[0] +
                           R"("/></m:ItemIds></m:GetItem>)");
  CHECK(item.status == 200);
  CHECK(Has(item.body, R"(ResponseClass="Success")"));
  CHECK(Has(item.body, "<t:InternetMessageId>&lt;"));
  CHECK(Has(item.body, "<t:From><t:Mailbox>"));
  CHECK_FALSE(Has(item.body, "<t:Body"));   // not asked for

  // Caught up: nothing new until the corpus grows, then only the new mail.
  CHECK(Captures(call(SyncOp("sentitems", 512, state)).body, R"re(<t:ItemId Id="([^"]+)")re").empty());
  sim.corpus().Advance(2);
  auto fresh = Captures(call(SyncOp("sentitems", 512, state)).body, R"re(<t:ItemId Id="([^"]+)")re");
  const Epochs grown = sim.corpus().epochs();
  ViewCursor new_cursor{1, 0, 0};
  std::size_t expected_new = 0;
  while (sim.corpus().NextInView(0, 1, Folder::kSentItems, static_cast<int>(grown.size()), grown, new_cursor)) ++expected_new;
  CHECK(fresh.size() == expected_new);
  for (const auto& id : fresh) CHECK(std::find(ids.begin(), ids.end(), id) == ids.end());

  // A SyncState of another mailbox or folder is refused.
  CHECK(Has(call(SyncOp("inbox", 10, state)).body, "ErrorInvalidSyncStateData"));
}
