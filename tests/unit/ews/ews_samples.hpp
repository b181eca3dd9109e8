// Canned EWS responses shaped like Exchange Online's (API-FACTS.md §2).
#pragma once

#include <string>
#include <vector>

namespace crmsync::ews::samples {

inline std::string Envelope(const std::string& body) {
  return R"(<?xml version="1.0" encoding="utf-8"?>)"
         R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">)"
         R"(<s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="20" MajorBuildNumber="7452" )"
         R"(MinorBuildNumber="27" Version="V2018_01_08" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/>)"
         R"(</s:Header><s:Body>)" +
         body + "</s:Body></s:Envelope>";
}

inline std::string Create(const std::string& id) {
  return R"(<t:Create><t:Message><t:ItemId Id=")" + id + R"(" ChangeKey="CQAAAB"/></t:Message></t:Create>)";
}
inline std::string Delete(const std::string& id) { return R"(<t:Delete><t:ItemId Id=")" + id + R"("/></t:Delete>)"; }
inline std::string ReadFlag(const std::string& id) {
  return R"(<t:ReadFlagChange><t:ItemId Id=")" + id + R"("/><t:IsRead>true</t:IsRead></t:ReadFlagChange>)";
}

inline std::string Sync(const std::string& state, bool last, const std::string& changes) {
  return Envelope(
      R"(<m:SyncFolderItemsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" )"
      R"(xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>)"
      R"(<m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>)"
      "<m:SyncState>" + state + "</m:SyncState><m:IncludesLastItemInRange>" + (last ? "true" : "false") +
      "</m:IncludesLastItemInRange><m:Changes>" + changes +
      "</m:Changes></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse>");
}

inline std::string SyncError(const std::string& code, const std::string& text) {
  return Envelope(
      R"(<m:SyncFolderItemsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" )"
      R"(xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>)"
      R"(<m:SyncFolderItemsResponseMessage ResponseClass="Error"><m:MessageText>)" + text +
      "</m:MessageText><m:ResponseCode>" + code +
      "</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:SyncFolderItemsResponseMessage>"
      "</m:ResponseMessages></m:SyncFolderItemsResponse>");
}

// A full t:Message as GetItem returns it, with a different prefix for t: to
// prove the parser goes by namespace URI, not by prefix.
inline std::string Item(const std::string& id, const std::string& subject = "Quarterly review") {
  return R"(<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items>)"
         R"(<x:Message xmlns:x="http://schemas.microsoft.com/exchange/services/2006/types">)"
         R"(<x:ItemId Id=")" + id + R"(" ChangeKey="CQ"/><x:ItemClass>IPM.Note</x:ItemClass>)"
         "<x:Subject>" + subject + "</x:Subject>"
         R"(<x:Body BodyType="Text">Hello &amp; welcome, Zoë</x:Body>)"
         "<x:Categories><x:String>Customer</x:String><x:String>Red</x:String></x:Categories>"
         "<x:IsDraft>false</x:IsDraft>"
         R"(<x:InternetMessageHeaders><x:InternetMessageHeader HeaderName="Precedence">bulk</x:InternetMessageHeader>)"
         R"(<x:InternetMessageHeader HeaderName="auto-submitted">auto-generated</x:InternetMessageHeader>)"
         R"(<x:InternetMessageHeader HeaderName="List-Unsubscribe">&lt;mailto:u@x.example&gt;</x:InternetMessageHeader>)"
         "</x:InternetMessageHeaders>"
         "<x:DateTimeSent>2026-05-01T10:00:00Z</x:DateTimeSent>"
         "<x:ToRecipients><x:Mailbox><x:Name>Ann</x:Name><x:EmailAddress>ann@customer.example</x:EmailAddress></x:Mailbox>"
         "<x:Mailbox><x:Name>Bob</x:Name><x:EmailAddress>bob@customer.example</x:EmailAddress></x:Mailbox></x:ToRecipients>"
         "<x:CcRecipients><x:Mailbox><x:EmailAddress>cc@org.example</x:EmailAddress></x:Mailbox></x:CcRecipients>"
         "<x:From><x:Mailbox><x:Name>Me</x:Name><x:EmailAddress>me@org.example</x:EmailAddress></x:Mailbox></x:From>"
         "<x:InternetMessageId>&lt;" + id + "@org.example&gt;</x:InternetMessageId>"
         "</x:Message></m:Items></m:GetItemResponseMessage>";
}

inline std::string ItemError(const std::string& code) {
  return R"(<m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>failed</m:MessageText><m:ResponseCode>)" +
         code + "</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:Items/></m:GetItemResponseMessage>";
}

inline std::string GetItem(const std::string& messages) {
  return Envelope(
      R"(<m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" )"
      R"(xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>)" +
      messages + "</m:ResponseMessages></m:GetItemResponse>");
}

inline std::string ServerBusyFault(const std::string& back_off_ms) {
  std::string hint;
  if (!back_off_ms.empty()) {
    hint = R"(<t:MessageXml xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">)"
           R"(<t:Value Name="BackOffMilliseconds">)" + back_off_ms + "</t:Value></t:MessageXml>";
  }
  return R"(<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">)"
         R"(<s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorServerBusy</faultcode>)"
         R"(<faultstring xml:lang="en-US">The server cannot service this request right now. Try again later.</faultstring>)"
         R"(<detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorServerBusy</e:ResponseCode>)"
         R"(<e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">The server cannot service this request right now. Try again later.</e:Message>)" +
         hint + "</detail></s:Fault></s:Body></s:Envelope>";
}

inline std::string Fault(const std::string& code, const std::string& text) {
  return R"(<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">)"
         R"(<s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:)" + code +
         "</faultcode><faultstring>" + text +
         R"(</faultstring><detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">)" +
         code + "</e:ResponseCode></detail></s:Fault></s:Body></s:Envelope>";
}

}  // namespace crmsync::ews::samples
