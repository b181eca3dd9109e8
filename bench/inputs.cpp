#include "inputs.hpp"

#include <iterator>

#include <fmt/format.h>

namespace crmsync::bench {
namespace {

// A body of about 1.2 KB of plain text with a few characters JSON must escape.
std::string BodyText(int index) {
  std::string body = fmt::format("Hi team,\\n\\nfollowing up on order #{} \\\"as discussed\\\". ", index);
  while (body.size() < 1200) {
    body += "The revised quote covers licences, support and onboarding for the next twelve months; ";
    body += "Grüße aus Köln. Let me know if the timeline works for you.\\n";
  }
  return body;
}

}  // namespace

std::string GraphDeltaPage(int count, int seed) {
  std::string out =
      "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#Collection(message)\","
      "\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/users/u/mailFolders/inbox/messages/"
      "delta?$skiptoken=MSZYeXNDaGFuZ2VLZXk9MTAwJlN0YXJ0PTEwMA\",\"value\":[";
  auto it = std::back_inserter(out);
  for (int i = 0; i < count; ++i) {
    const int n = seed * count + i;
    fmt::format_to(
        it,
        "{}{{\"@odata.type\":\"#microsoft.graph.message\",\"@odata.etag\":\"W/\\\"CQAAABYAAAB{:08}\\\"\","
        "\"id\":\"AAMkAGI2THVSAAA{:08}ADwZQBiAC0ANABhADcAZgAtADgAZQA5AGIALQAxADYAZgA0AGIAMwBkADgAZABmAGIAOABGAAA=\","
        "\"internetMessageId\":\"<CAF={:08}.f00d@mail.fabrikam.example>\","
        "\"subject\":\"RE: Q3 pricing for order {} \\u2014 revised\",\"body\":{{\"contentType\":\"text\","
        "\"content\":\"{}\"}},\"sentDateTime\":\"2026-05-01T10:{:02}:00Z\","
        "\"receivedDateTime\":\"2026-05-01T10:{:02}:02Z\","
        "\"from\":{{\"emailAddress\":{{\"name\":\"Bob Buyer\",\"address\":\"bob{}@fabrikam.example\"}}}},"
        "\"toRecipients\":[{{\"emailAddress\":{{\"name\":\"Alice Adams\",\"address\":\"alice@acme.example\"}}}},"
        "{{\"emailAddress\":{{\"name\":\"Carol Clerk\",\"address\":\"carol@acme.example\"}}}}],"
        "\"ccRecipients\":[{{\"emailAddress\":{{\"name\":\"Dan\",\"address\":\"dan{}@partner.example\"}}}}],"
        "\"bccRecipients\":[],\"isDraft\":false,\"categories\":[\"Customer\"],"
        "\"internetMessageHeaders\":[{{\"name\":\"Received\",\"value\":\"from mail.fabrikam.example\"}},"
        "{{\"name\":\"X-MS-Exchange-Organization-SCL\",\"value\":\"1\"}}]}}",
        i == 0 ? "" : ",", n, n, n, n, BodyText(n), i % 60, i % 60, n % 500, n % 50);
  }
  out += "]}";
  return out;
}

std::string GmailMetadata(int index) {
  return fmt::format(
      R"({{"id":"18f2a1b2c3{:06x}","threadId":"18f2a1b2c3{:06x}","labelIds":["INBOX","IMPORTANT","CATEGORY_PERSONAL"],)"
      R"("snippet":"Hi Alice, attached is the revised quote &amp; the timeline for order {}.","historyId":"{}",)"
      R"("internalDate":"17145576{:05}","payload":{{"partId":"","mimeType":"multipart/alternative","filename":"",)"
      R"("headers":[{{"name":"From","value":"\"Bob Buyer\" <bob{}@fabrikam.example>"}},)"
      R"({{"name":"To","value":"Alice Adams <alice@acme.example>, carol@acme.example"}},)"
      R"({{"name":"Cc","value":"\"Last, First\" <first.last@partner.example>"}},)"
      R"({{"name":"Date","value":"Wed, 1 May 2024 10:00:00 +0000"}},)"
      R"({{"name":"Message-Id","value":"<CAF={}@mail.gmail.com>"}},)"
      R"({{"name":"Subject","value":"Quote – revised (Ünïcode) {}"}}]}},"sizeEstimate":5120}})",
      index, index, index, 900000 + index, index % 100000, index % 500, index, index);
}

std::vector<Message> Messages(int count) {
  std::vector<Message> out;
  out.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    Message m;
    m.source_id = fmt::format("AAMkAGI2THVSAAA{:08}", i);
    m.internet_message_id = fmt::format("<CAF={:08}.f00d@mail.fabrikam.example>", i);
    m.subject = fmt::format("RE: Q3 pricing for order {} — revised", i);
    m.body_text = std::string(1100, 'x') + " \"quoted\" line\n";
    m.sent_at = "2026-05-01T10:00:00Z";
    m.from = {fmt::format("Bob{}@Fabrikam.example", i % 500), "Bob Buyer"};
    m.to = {{"alice@acme.example", "Alice Adams"}, {"carol@acme.example", "Carol Clerk"}};
    m.cc = {{fmt::format("dan{}@partner.example", i % 50), "Dan"}};
    m.categories = {"Customer"};
    m.folder = "Inbox";
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace crmsync::bench
