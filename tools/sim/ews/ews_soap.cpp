#include "ews/ews_soap.hpp"

#include <climits>
#include <mutex>

#include <fmt/core.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

namespace crmsync::sim::ews {
namespace {

constexpr std::size_t kMaxRequestBytes = 16u << 20;

std::string_view View(const xmlChar* text) {
  return text == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(text));
}

HttpResponse Xml(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace("Content-Type", "text/xml; charset=utf-8");
  r.body = std::move(body);
  return r;
}

constexpr std::string_view kServerVersion =
    R"(<s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="20" MajorBuildNumber="8335" )"
    R"(MinorBuildNumber="17" Version="V2018_01_08" )"
    R"(xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types" )"
    R"(xmlns="http://schemas.microsoft.com/exchange/services/2006/types"/></s:Header>)";

}  // namespace

void SoapRequest::Free::operator()(_xmlDoc* doc) const { xmlFreeDoc(doc); }

std::optional<SoapRequest> SoapRequest::Parse(std::string_view body, std::string& error) {
  if (body.size() > kMaxRequestBytes) {
    error = fmt::format("the request is {} bytes; the limit is {}", body.size(), kMaxRequestBytes);
    return std::nullopt;
  }
  if (body.empty()) {
    error = "the request body is empty";
    return std::nullopt;
  }
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
  std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
  if (!ctxt) {
    error = "out of memory";
    return std::nullopt;
  }
  xmlDocPtr doc = xmlCtxtReadMemory(ctxt.get(), body.data(), static_cast<int>(body.size()), nullptr, nullptr,
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  SoapRequest out;
  out.doc_ = std::shared_ptr<_xmlDoc>(doc, Free{});
  if (doc == nullptr || !ctxt->wellFormed) {
    const xmlError* e = xmlCtxtGetLastError(ctxt.get());
    error = e != nullptr && e->message != nullptr ? e->message : "not well-formed";
    while (!error.empty() && error.back() == '\n') error.pop_back();
    return std::nullopt;
  }
  if (doc->intSubset != nullptr) {
    error = "a DTD is not allowed";
    return std::nullopt;
  }
  return out;
}

Node SoapRequest::envelope() const { return xmlDocGetRootElement(doc_.get()); }

bool Is(Node node, std::string_view ns, std::string_view local) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE || View(node->name) != local) return false;
  return (node->ns != nullptr ? View(node->ns->href) : std::string_view()) == ns;
}

Node Child(Node parent, std::string_view ns, std::string_view local) {
  for (const xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next) {
    if (Is(c, ns, local)) return c;
  }
  return nullptr;
}

std::vector<Node> Children(Node parent, std::string_view ns, std::string_view local) {
  std::vector<Node> out;
  for (const xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next) {
    if (Is(c, ns, local)) out.push_back(c);
  }
  return out;
}

std::vector<Node> ElementChildren(Node parent) {
  std::vector<Node> out;
  for (const xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  }
  return out;
}

std::string TextOf(Node node) {
  if (node == nullptr) return {};
  xmlChar* text = xmlNodeGetContent(node);
  std::string out(View(text));
  xmlFree(text);
  return out;
}

std::string AttributeOf(Node node, std::string_view name) {
  if (node == nullptr) return {};
  const std::string key(name);
  xmlChar* value = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(key.c_str()));
  std::string out(View(value));
  xmlFree(value);
  return out;
}

std::string LocalNameOf(Node node) { return node == nullptr ? std::string() : std::string(View(node->name)); }

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\r': out += "&#13;"; break;   // a raw CR would be normalized away by the reader
      default:
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') break;
        out += ch;
    }
  }
  return out;
}

HttpResponse SoapResponse(std::string body_xml) {
  return Xml(200, fmt::format(R"(<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{}">{}<s:Body>{}</s:Body></s:Envelope>)",
                              kSoap, kServerVersion, body_xml));
}

HttpResponse SoapFault(std::string_view code, std::string_view message, long back_off_ms) {
  std::string message_xml;
  if (back_off_ms > 0) {
    message_xml = fmt::format(R"(<t:MessageXml xmlns:t="{}"><t:Value Name="BackOffMilliseconds">{}</t:Value></t:MessageXml>)",
                              kTypes, back_off_ms);
  }
  return Xml(500, fmt::format(
                      R"(<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{}"><s:Body><s:Fault>)"
                      R"(<faultcode xmlns:a="{}">a:{}</faultcode><faultstring xml:lang="en-US">{}</faultstring>)"
                      R"(<detail><e:ResponseCode xmlns:e="{}">{}</e:ResponseCode><e:Message xmlns:e="{}">{}</e:Message>{}</detail>)"
                      R"(</s:Fault></s:Body></s:Envelope>)",
                      kSoap, kTypes, code, Escape(message), kErrors, code, kErrors, Escape(message), message_xml));
}

}  // namespace crmsync::sim::ews
