// FindFolder (Traversal Shallow under msgfolderroot): the mailbox's top-level
// folders, the user folder "CRM" among them for users that have it
// (corpus.hpp). No paging: a mailbox has few top-level folders.
#include <fmt/core.h>

#include "ews_service.hpp"

namespace crmsync::sim::ews {

HttpResponse EwsService::FindFolder(Node op, const Mailbox& mailbox) {
  const std::string traversal = AttributeOf(op, "Traversal");
  Node parent = Child(Child(op, kMessages, "ParentFolderIds"), kTypes, "DistinguishedFolderId");
  if (Child(Child(op, kMessages, "FolderShape"), kTypes, "BaseShape") == nullptr || parent == nullptr) {
    return SoapFault("ErrorSchemaValidation",
                     "The request failed schema validation: FindFolder requires FolderShape/BaseShape and ParentFolderIds");
  }
  const auto reply = [](const std::string& message) {
    return SoapResponse(fmt::format(
        R"(<m:FindFolderResponse xmlns:m="{}" xmlns:t="{}"><m:ResponseMessages>{}</m:ResponseMessages></m:FindFolderResponse>)",
        kMessages, kTypes, message));
  };
  if (traversal != "Shallow" || AttributeOf(parent, "Id") != "msgfolderroot") {
    return reply(
        R"(<m:FindFolderResponseMessage ResponseClass="Error"><m:MessageText>The simulator lists only the top-level )"
        R"(folders (Shallow under msgfolderroot).</m:MessageText><m:ResponseCode>ErrorInvalidRequest</m:ResponseCode>)"
        R"(<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:FindFolderResponseMessage>)");
  }
  const std::string inbox = corpus_.FolderId(mailbox.tenant, mailbox.user, Folder::kInbox);
  std::vector<std::pair<std::string, std::string>> folders{
      {inbox + "a", "Archive"}, {inbox + "c", "Deleted Items"}, {inbox + "d", "Drafts"}, {inbox, "Inbox"},
      {corpus_.FolderId(mailbox.tenant, mailbox.user, Folder::kSentItems), "Sent Items"}};
  if (Corpus::HasCrmFolder(mailbox.user)) {
    folders.insert(folders.begin() + 1, {corpus_.FolderId(mailbox.tenant, mailbox.user, Folder::kCrm), kCrmMarker});
  }
  std::string items;
  for (const auto& [id, name] : folders) {
    items += fmt::format(R"(<t:Folder><t:FolderId Id="{}" ChangeKey="AQAAABYAAAA"/><t:DisplayName>{}</t:DisplayName></t:Folder>)",
                         Escape(id), Escape(name));
  }
  return reply(fmt::format(
      R"(<m:FindFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>)"
      R"(<m:RootFolder TotalItemsInView="{}" IncludesLastItemInRange="true"><t:Folders>{}</t:Folders></m:RootFolder>)"
      R"(</m:FindFolderResponseMessage>)",
      folders.size(), items));
}

}  // namespace crmsync::sim::ews
