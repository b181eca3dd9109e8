#include "xml_document.hpp"

#include <climits>
#include <mutex>

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "crmsync/ews/ews.hpp"

namespace crmsync::ews::detail {
namespace {

std::string_view View(const xmlChar* text) {
  return text == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(text));
}

void InitOnce() {
  // libxml2 wants its globals set up once before parsing on several threads.
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

}  // namespace

void XmlDocument::Free::operator()(_xmlDoc* doc) const { xmlFreeDoc(doc); }

Result<XmlDocument> XmlDocument::Parse(std::string_view body, std::string_view what) {
  if (body.size() > kMaxResponseBytes || body.size() > static_cast<std::size_t>(INT_MAX)) {
    return Status::Corruption(fmt::format("{}: {} bytes exceeds the {} byte limit", what, body.size(),
                                          kMaxResponseBytes));
  }
  if (body.empty()) return Status::Corruption(fmt::format("{}: empty body", what));
  InitOnce();
  std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
  if (!ctxt) return Status::Corruption(fmt::format("{}: cannot allocate an XML parser", what));
  // No entity substitution, no DTD, no network; errors are collected, not printed.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  xmlDocPtr doc = xmlCtxtReadMemory(ctxt.get(), body.data(), static_cast<int>(body.size()), nullptr, "UTF-8",
                                    options);
  XmlDocument out;
  out.doc_.reset(doc);
  if (doc == nullptr || !ctxt->wellFormed) {
    const xmlError* error = xmlCtxtGetLastError(ctxt.get());
    std::string reason = error != nullptr && error->message != nullptr ? error->message : "not well-formed";
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    const int line = error != nullptr ? error->line : 0;
    return Status::Corruption(fmt::format("{}: malformed XML at line {}: {}", what, line, reason));
  }
  if (doc->intSubset != nullptr) {
    return Status::Corruption(fmt::format("{}: a DOCTYPE is not allowed in a SOAP message", what));
  }
  if (xmlDocGetRootElement(doc) == nullptr) return Status::Corruption(fmt::format("{}: no root element", what));
  return out;
}

XmlNode XmlDocument::root() const { return xmlDocGetRootElement(doc_.get()); }

bool Is(XmlNode node, std::string_view ns, std::string_view local) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return false;
  if (View(node->name) != local) return false;
  const std::string_view node_ns = node->ns != nullptr ? View(node->ns->href) : std::string_view();
  return node_ns == ns;
}

XmlNode Child(XmlNode parent, std::string_view ns, std::string_view local) {
  if (parent == nullptr) return nullptr;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (Is(c, ns, local)) return c;
  }
  return nullptr;
}

std::vector<XmlNode> Children(XmlNode parent, std::string_view ns, std::string_view local) {
  std::vector<XmlNode> out;
  if (parent == nullptr) return out;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (Is(c, ns, local)) out.push_back(c);
  }
  return out;
}

std::vector<XmlNode> Elements(XmlNode parent) {
  std::vector<XmlNode> out;
  if (parent == nullptr) return out;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  }
  return out;
}

std::string Text(XmlNode node) {
  if (node == nullptr) return {};
  xmlChar* content = xmlNodeGetContent(node);
  std::string out(View(content));
  xmlFree(content);
  return out;
}

std::string ChildText(XmlNode parent, std::string_view ns, std::string_view local) {
  return Text(Child(parent, ns, local));
}

std::string Attribute(XmlNode node, std::string_view name) {
  if (node == nullptr) return {};
  const std::string key(name);
  xmlChar* value = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(key.c_str()));
  std::string out(View(value));
  xmlFree(value);
  return out;
}

std::string_view LocalName(XmlNode node) { return node == nullptr ? std::string_view() : View(node->name); }

}  // namespace crmsync::ews::detail
