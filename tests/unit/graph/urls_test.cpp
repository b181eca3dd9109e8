#include <catch2/catch.hpp>

#include "crmsync/graph/graph.hpp"

using crmsync::graph::InitialMailDeltaUrl;
using crmsync::graph::UsersUrl;

TEST_CASE("UsersUrl selects the directory fields", "[graph][urls]") {
  CHECK(UsersUrl("https://graph.microsoft.com", 100) ==
        "https://graph.microsoft.com/v1.0/users?$select=id,userPrincipalName,mail,proxyAddresses,"
        "accountEnabled&$top=100");
  // Trailing slash tolerated; $top clamped to Graph's 999.
  CHECK(UsersUrl("https://sim.local:8443/", 5000) ==
        "https://sim.local:8443/v1.0/users?$select=id,userPrincipalName,mail,proxyAddresses,"
        "accountEnabled&$top=999");
}

TEST_CASE("InitialMailDeltaUrl encodes path segments but keeps '@'", "[graph][urls]") {
  CHECK(InitialMailDeltaUrl("https://graph.microsoft.com", "alice@contoso.com", "inbox") ==
        "https://graph.microsoft.com/v1.0/users/alice@contoso.com/mailFolders/inbox/messages/"
        "delta?$select=id,internetMessageId,subject,body,sentDateTime,receivedDateTime,from,"
        "toRecipients,ccRecipients,bccRecipients,isDraft,categories,internetMessageHeaders");
  const std::string url =
      InitialMailDeltaUrl("https://g/", "o'hara x/y#z+1@contoso.com", "sentitems");
  CHECK(url.rfind("https://g/v1.0/users/o%27hara%20x%2Fy%23z%2B1@contoso.com/mailFolders/"
                  "sentitems/messages/delta?$select=",
                  0) == 0);
}

TEST_CASE("FolderDisplayName maps well-known folders to Outlook's names", "[graph][urls]") {
  CHECK(crmsync::graph::FolderDisplayName("inbox") == "Inbox");
  CHECK(crmsync::graph::FolderDisplayName("sentitems") == "Sent Items");
  CHECK(crmsync::graph::FolderDisplayName("Clients") == "Clients");
}

TEST_CASE("MailWindowUrl filters receivedDateTime from since up to (not including) until, ordered, with the delta fields",
          "[graph][urls][backfill]") {
  const std::string url = crmsync::graph::MailWindowUrl("https://graph.microsoft.com/", "a@b.example", "sentitems",
                                                        1767225600, 1769904000 + 45296, 50);
  CHECK(url ==
        "https://graph.microsoft.com/v1.0/users/a@b.example/mailFolders/sentitems/messages?"
        "$filter=receivedDateTime%20ge%202026-01-01T00%3A00%3A00Z%20and%20receivedDateTime%20lt%20"
        "2026-02-01T12%3A34%3A56Z&$orderby=receivedDateTime&$select=id,internetMessageId,subject,body,sentDateTime,"
        "receivedDateTime,from,toRecipients,ccRecipients,bccRecipients,isDraft,categories,internetMessageHeaders"
        "&$top=50");
  CHECK(crmsync::graph::MailWindowUrl("https://g", "u", "inbox", 0, 1, 5000).find("&$top=1000") != std::string::npos);
}
