// A parsed XML document (libxml2) with namespace-aware lookups by
// (namespace URI, local name). Private to the EWS connector.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crmsync/core/status.hpp"

struct _xmlDoc;
struct _xmlNode;

namespace crmsync::ews::detail {

using XmlNode = const _xmlNode*;

class XmlDocument {
 public:
  // Parses `body`: no network, no DTD loading, no entity substitution; a
  // document with a DOCTYPE, over kMaxResponseBytes, not well-formed or not
  // valid UTF-8 is kCorruption naming `what` (e.g. "SyncFolderItems response").
  static Result<XmlDocument> Parse(std::string_view body, std::string_view what);

  XmlNode root() const;

 private:
  struct Free {
    void operator()(_xmlDoc* doc) const;
  };
  std::unique_ptr<_xmlDoc, Free> doc_;
};

bool Is(XmlNode node, std::string_view ns, std::string_view local);
// First element child with this name, or nullptr.
XmlNode Child(XmlNode parent, std::string_view ns, std::string_view local);
// Every element child with this name, in document order.
std::vector<XmlNode> Children(XmlNode parent, std::string_view ns, std::string_view local);
// Every element child, in document order.
std::vector<XmlNode> Elements(XmlNode parent);
// Concatenated text content of `node` ("" for nullptr).
std::string Text(XmlNode node);
// Text of the first child with this name ("" when absent).
std::string ChildText(XmlNode parent, std::string_view ns, std::string_view local);
// Attribute without namespace ("" when absent).
std::string Attribute(XmlNode node, std::string_view name);
std::string_view LocalName(XmlNode node);

}  // namespace crmsync::ews::detail
