// SOAP plumbing of the simulated EWS: request parsing (libxml2, by namespace
// URI and local name), text escaping and the response/fault envelopes
// (API-FACTS.md §2.1, §2.5). Written apart from the connector on purpose.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_server.hpp"

struct _xmlDoc;
struct _xmlNode;

namespace crmsync::sim::ews {

inline constexpr std::string_view kSoap = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kTypes = "http://schemas.microsoft.com/exchange/services/2006/types";
inline constexpr std::string_view kMessages = "http://schemas.microsoft.com/exchange/services/2006/messages";
inline constexpr std::string_view kErrors = "http://schemas.microsoft.com/exchange/services/2006/errors";

using Node = const _xmlNode*;

class SoapRequest {
 public:
  // nullopt when the body is not well-formed XML (or too big, or has a DTD);
  // `error` then says why.
  static std::optional<SoapRequest> Parse(std::string_view body, std::string& error);
  Node envelope() const;

 private:
  struct Free {
    void operator()(_xmlDoc* doc) const;
  };
  std::shared_ptr<_xmlDoc> doc_;
};

Node Child(Node parent, std::string_view ns, std::string_view local);
std::vector<Node> Children(Node parent, std::string_view ns, std::string_view local);
std::vector<Node> ElementChildren(Node parent);
bool Is(Node node, std::string_view ns, std::string_view local);
std::string TextOf(Node node);
std::string AttributeOf(Node node, std::string_view name);
std::string LocalNameOf(Node node);

std::string Escape(std::string_view text);

// A 200 response: the envelope with ServerVersionInfo around `body_xml`.
HttpResponse SoapResponse(std::string body_xml);
// HTTP 500 with a SOAP fault carrying `code` (and BackOffMilliseconds when > 0).
HttpResponse SoapFault(std::string_view code, std::string_view message, long back_off_ms = 0);

}  // namespace crmsync::sim::ews
