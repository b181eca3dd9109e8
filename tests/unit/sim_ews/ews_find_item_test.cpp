// The simulated EWS FindItem: a DateTimeReceived window paged with
// IndexedPageItemView, and refusals by name of what it does not implement.
#include <catch2/catch.hpp>

#include <regex>

#include "ews_test_support.hpp"
#include "text_util.hpp"

using namespace crmsync::sim;
using namespace crmsync::sim::testing;

namespace {

std::string Comparison(const std::string& op, const std::string& field, const std::string& value) {
  return "<t:" + op + R"(><t:FieldURI FieldURI=")" + field + R"("/><t:FieldURIOrConstant><t:Constant Value=")" +
         value + R"("/></t:FieldURIOrConstant></t:)" + op + ">";
}

std::string FindOp(const std::string& restriction, std::uint64_t offset, int max,
                   const std::string& view_extra = "", const std::string& sort = "") {
  return R"(<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>)"
         R"(<m:IndexedPageItemView MaxEntriesReturned=")" + std::to_string(max) + R"(" Offset=")" +
         std::to_string(offset) + R"(" BasePoint="Beginning")" + view_extra + "/>" +
         (restriction.empty() ? std::string() : "<m:Restriction>" + restriction + "</m:Restriction>") + sort +
         R"(<m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds></m:FindItem>)";
}

std::string Attr(const std::string& body, const std::string& name) {
  std::smatch m;
  REQUIRE(std::regex_search(body, m, std::regex(name + R"re(="([^"]*)")re")));
  return m[1];
}

std::size_t Count(const std::string& body, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = body.find(needle); at != std::string::npos; at = body.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("sim EWS FindItem lists exactly the Inbox items received in the window, page by page",
          "[sim][ews][backfill]") {
  FakeClock clock;
  Simulator sim(Options(1, 4, 12, clock));
  const std::string token = EwsToken(sim, 0);
  const std::string ann = sim.corpus().tenants()[0].users[0].primary;
  const Epochs epochs = sim.corpus().epochs();
  std::vector<std::int64_t> times;
  ViewCursor cursor{0, 0, 0};
  while (auto h = sim.corpus().NextInView(0, 0, Folder::kInbox, static_cast<int>(epochs.size()), epochs, cursor)) {
    times.push_back(h->received);
  }
  REQUIRE(times.size() >= 6);
  std::sort(times.begin(), times.end());
  const std::int64_t since = times[1], until = times[times.size() - 2];
  const auto expected = static_cast<std::size_t>(
      std::count_if(times.begin(), times.end(), [&](std::int64_t t) { return t >= since && t < until; }));
  const std::string window = "<t:And>" + Comparison("IsGreaterThanOrEqualTo", "item:DateTimeReceived", FormatIsoUtc(since)) +
                             Comparison("IsLessThan", "item:DateTimeReceived", FormatIsoUtc(until)) + "</t:And>";
  const std::string sort = R"(<m:SortOrder><t:FieldOrder Order="Ascending"><t:FieldURI FieldURI="item:DateTimeReceived"/></t:FieldOrder></m:SortOrder>)";

  std::size_t listed = 0;
  std::uint64_t offset = 0;
  for (int page = 0;; ++page) {
    REQUIRE(page < 100);
    HttpResponse r = sim.Handle(Soap({token, ann, ann, "Exchange2013_SP1", FindOp(window, offset, 2, "", sort)}));
    REQUIRE(r.status == 200);
    INFO(r.body);
    REQUIRE(r.body.find(R"(ResponseClass="Success")") != std::string::npos);
    const std::size_t items = Count(r.body, "<t:Message>");
    CHECK(items <= 2);
    listed += items;
    CHECK(Attr(r.body, "TotalItemsInView") == std::to_string(expected));
    CHECK(Attr(r.body, "IndexedPagingOffset") == std::to_string(offset + items));
    if (Attr(r.body, "IncludesLastItemInRange") == "true") break;
    offset += items;
  }
  CHECK(listed == expected);

  // One bound only: an open window on the other side.
  HttpResponse lower = sim.Handle(Soap({token, ann, ann, "Exchange2013_SP1",
                                        FindOp(Comparison("IsGreaterThanOrEqualTo", "item:DateTimeReceived", FormatIsoUtc(since)), 0, 1000)}));
  CHECK(Attr(lower.body, "TotalItemsInView") == std::to_string(times.size() - 1));
}

TEST_CASE("sim EWS FindItem refuses by name what it does not implement, never ignores it", "[sim][ews][backfill]") {
  FakeClock clock;
  Simulator sim(Options(1, 2, 4, clock));
  const std::string token = EwsToken(sim, 0);
  const std::string ann = sim.corpus().tenants()[0].users[0].primary;
  auto call = [&](const std::string& op) { return sim.Handle(Soap({token, ann, ann, "Exchange2013_SP1", op})); };
  const std::string date = "2026-10-01T00:00:00Z";

  HttpResponse equal = call(FindOp(Comparison("IsEqualTo", "item:DateTimeReceived", date), 0, 10));
  CHECK(equal.body.find("ErrorInvalidRestriction") != std::string::npos);
  CHECK(equal.body.find("t:IsEqualTo is not supported") != std::string::npos);
  HttpResponse subject = call(FindOp(Comparison("IsLessThan", "item:Subject", "x"), 0, 10));
  CHECK(subject.body.find("a restriction on 'item:Subject' is not supported") != std::string::npos);
  HttpResponse bad_date = call(FindOp(Comparison("IsLessThan", "item:DateTimeReceived", "yesterday"), 0, 10));
  CHECK(bad_date.body.find("'yesterday' is not a valid xs:dateTime") != std::string::npos);
  HttpResponse either = call(FindOp("<t:Or>" + Comparison("IsLessThan", "item:DateTimeReceived", date) + "</t:Or>", 0, 10));
  CHECK(either.body.find("ErrorInvalidRestriction") != std::string::npos);
  HttpResponse from_end = call(std::regex_replace(FindOp("", 0, 10), std::regex("Beginning"), "End"));
  CHECK(from_end.body.find("BasePoint 'End' is not supported") != std::string::npos);
  HttpResponse sorted = call(FindOp("", 0, 10, "",
                                    R"(<m:SortOrder><t:FieldOrder Order="Descending"><t:FieldURI FieldURI="item:DateTimeReceived"/></t:FieldOrder></m:SortOrder>)"));
  CHECK(sorted.body.find("sorts by item:DateTimeReceived Ascending only") != std::string::npos);
  for (const HttpResponse* r : {&equal, &subject, &bad_date, &either, &from_end, &sorted}) {
    CHECK(r->body.find("<t:Message>") == std::string::npos);
  }
}
