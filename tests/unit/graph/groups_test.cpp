// Group membership through Graph: URLs, and GraphClient::ListGroupMembers
// resolving a group address, following pages and naming a missing group.
#include <catch2/catch.hpp>

#include "crmsync/graph/client.hpp"
#include "crmsync/graph/graph.hpp"
#include "fake_token_provider.hpp"
#include "scripted_transport.hpp"

using namespace crmsync::testing;
using crmsync::StatusCode;
using crmsync::graph::GraphClient;
using crmsync::graph::GraphClientOptions;

namespace {

GraphClientOptions Options() {
  GraphClientOptions options;
  options.graph_url = "https://graph.test/";
  options.page_size = 50;
  options.max_attempts = 1;
  return options;
}

}  // namespace

TEST_CASE("group URLs: filter by address with OData quoting, transitive user members", "[graph][groups]") {
  CHECK(crmsync::graph::GroupsByMailUrl("https://graph.test/", "o'neil@x.example") ==
        "https://graph.test/v1.0/groups?$filter=mail%20eq%20%27o%27%27neil%40x.example%27&$select=id,mail");
  CHECK(crmsync::graph::GroupMembersUrl("https://graph.test", "g/1", 5000) ==
        "https://graph.test/v1.0/groups/g%2F1/transitiveMembers/microsoft.graph.user"
        "?$select=id,mail,userPrincipalName&$top=999");
}

TEST_CASE("ListGroupMembers resolves an address, then reads every page of members", "[graph][groups]") {
  ScriptedTransport transport(Script({
      Reply(200, R"({"value":[{"id":"g-1","mail":"sales@x.example"}]})"),
      Reply(200, R"({"value":[{"id":"u-1","mail":"a@x.example"}],)"
                 R"("@odata.nextLink":"https://graph.test/v1.0/groups/g-1/transitiveMembers/microsoft.graph.user?$skiptoken=1"})"),
      Reply(200, R"({"value":[{"id":"u-2","userPrincipalName":"b@x.example"}]})"),
  }));
  FakeTokenProvider tokens;
  GraphClient client(transport, tokens, Options());
  auto members = client.ListGroupMembers("sales@x.example");
  REQUIRE(members.ok());
  REQUIRE(members->size() == 2);
  CHECK((*members)[0].id == "u-1");
  CHECK((*members)[1].id == "u-2");
  const auto requests = transport.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].url.find("/v1.0/groups?$filter=") != std::string::npos);
  CHECK(requests[1].url.find("/v1.0/groups/g-1/transitiveMembers/microsoft.graph.user") != std::string::npos);
  CHECK(requests[2].url.find("$skiptoken=1") != std::string::npos);
}

TEST_CASE("ListGroupMembers: an unknown address or id is kNotFound naming the group", "[graph][groups]") {
  SECTION("address") {
    ScriptedTransport transport(Script({Reply(200, R"({"value":[]})")}));
    FakeTokenProvider tokens;
    GraphClient client(transport, tokens, Options());
    auto members = client.ListGroupMembers("nobody@x.example");
    REQUIRE_FALSE(members.ok());
    CHECK(members.status().code() == StatusCode::kNotFound);
    CHECK_THAT(members.status().message(), Catch::Contains("nobody@x.example"));
  }
  SECTION("object id") {
    ScriptedTransport transport(Script({Reply(404, R"({"error":{"code":"Request_ResourceNotFound","message":"gone"}})")}));
    FakeTokenProvider tokens;
    GraphClient client(transport, tokens, Options());
    auto members = client.ListGroupMembers("g-404");
    REQUIRE_FALSE(members.ok());
    CHECK(members.status().code() == StatusCode::kNotFound);
    CHECK_THAT(members.status().message(), Catch::Contains("g-404"));
  }
  SECTION("malformed page") {
    ScriptedTransport transport(Script({Reply(200, R"({"value":[{"mail":"a@x.example"}]})")}));
    FakeTokenProvider tokens;
    GraphClient client(transport, tokens, Options());
    auto members = client.ListGroupMembers("g-1");
    REQUIRE_FALSE(members.ok());
    CHECK(members.status().code() == StatusCode::kCorruption);
    CHECK_THAT(members.status().message(), Catch::Contains("value[0].id"));
  }
}
