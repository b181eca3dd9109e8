// ParseDeltaPage: one pass over the page with On-Demand, fields in any order.
#include "crmsync/graph/graph.hpp"
#include "crmsync/core/message_pool.hpp"
#include "crmsync/graph/html_text.hpp"
#include "json_support.hpp"

#include <fmt/format.h>

namespace crmsync::graph {
namespace {

namespace od = detail::od;
using od::value;
using detail::JsonError;
using detail::Nest;

constexpr std::string_view kWhat = "Graph delta page";

Status ReadBody(value& body_value, std::string& text) {
  bool is_null = false;
  if (Status s = detail::CheckNull(body_value, &is_null); !s.ok() || is_null) return s;
  od::object body;
  if (auto error = body_value.get_object().get(body)) return JsonError("", error, "object");
  std::string_view content_type;
  Status s = detail::ForEachField(body, [&](std::string_view key, value& v) {
    if (key == "content") return detail::ReadString(v, text);
    if (key == "contentType") return detail::ReadStringView(v, content_type);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (content_type == "html" || content_type == "HTML") text = HtmlToText(text);
  return Status::Ok();
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// internetMessageHeaders: [{"name","value"}] or null. Only the facts of the
// bulk and automatic-reply rules are kept; names are case-insensitive and the
// first occurrence wins, as in the Gmail parser.
Status ReadHeaders(value& headers_value, Message& message) {
  bool is_null = false;
  if (Status s = detail::CheckNull(headers_value, &is_null); !s.ok() || is_null) return s;
  bool seen_precedence = false;
  bool seen_auto_submitted = false;
  return detail::ForEachElement(headers_value, [&](value& element) {
    std::string_view name;
    std::string_view header_value;
    Status s = detail::ForEachObjectField(element, [&](std::string_view key, value& v) {
      if (key == "name") return detail::ReadStringView(v, name);
      if (key == "value") return detail::ReadStringView(v, header_value);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    if (IEquals(name, "List-Unsubscribe")) {
      message.has_list_unsubscribe = true;
    } else if (IEquals(name, "Precedence") && !seen_precedence) {
      seen_precedence = true;
      message.precedence.assign(header_value);
    } else if (IEquals(name, "Auto-Submitted") && !seen_auto_submitted) {
      seen_auto_submitted = true;
      message.auto_submitted.assign(header_value);
    }
    return Status::Ok();
  });
}

Status ReadMessage(value& element, Message& message) {
  od::object object;
  if (auto error = element.get_object().get(object)) return JsonError("", error, "object");
  std::string_view received_at;
  bool has_id = false;
  // Ordered by how often the keys appear in a page.
  Status s = detail::ForEachField(object, [&](std::string_view key, value& v) {
    if (key == "id") {
      has_id = true;
      return detail::ReadRequiredString(v, message.source_id);
    }
    if (key == "subject") return detail::ReadString(v, message.subject);
    if (key == "toRecipients") return detail::ReadRecipientArray(v, message.to);
    if (key == "ccRecipients") return detail::ReadRecipientArray(v, message.cc);
    if (key == "bccRecipients") return detail::ReadRecipientArray(v, message.bcc);
    if (key == "from") return detail::ReadRecipient(v, message.from);
    if (key == "body") return ReadBody(v, message.body_text);
    if (key == "internetMessageId") return detail::ReadString(v, message.internet_message_id);
    if (key == "sentDateTime") return detail::ReadString(v, message.sent_at);
    if (key == "receivedDateTime") return detail::ReadStringView(v, received_at);
    if (key == "isDraft") return detail::ReadBool(v, message.is_draft);
    if (key == "categories") return detail::ReadStringArray(v, message.categories);
    if (key == "internetMessageHeaders") return ReadHeaders(v, message);
    if (key == "@removed") message.removed = true;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!has_id) return Status::Corruption("id: missing");
  if (message.removed) {
    // A tombstone carries nothing to capture; keep only what identifies it.
    Message tombstone;
    tombstone.source_id = std::move(message.source_id);
    tombstone.removed = true;
    message = std::move(tombstone);
  } else if (message.sent_at.empty()) {
    message.sent_at.assign(received_at);
  }
  return Status::Ok();
}

// Overwrites the messages of a finished page (message_pool.hpp) before
// growing: their strings keep their capacity, so most fields allocate nothing.
Status ReadMessages(value& value_field, std::string_view folder, std::vector<Message>& messages) {
  std::vector<Message> slots = TakeRecycledMessages();
  std::size_t used = 0;
  Status s = detail::ForEachElement(value_field, [&slots, &used, folder](value& element) {
    if (used == slots.size() && !TakeMoreRecycledMessages(slots)) {
      slots.emplace_back();
    } else {
      ReuseMessage(slots[used]);
    }
    Message& message = slots[used];
    if (Status read = ReadMessage(element, message); !read.ok()) return read;
    if (!message.removed) message.folder.assign(folder);
    ++used;
    return Status::Ok();
  });
  if (!s.ok()) {
    RecycleMessages(std::move(slots));
    return s;
  }
  RecycleUnusedMessages(slots, used);
  if (messages.empty()) {
    messages = std::move(slots);
  } else {
    for (Message& message : slots) messages.push_back(std::move(message));
  }
  return Status::Ok();
}

Status ReadLink(value& v, std::string_view key, std::string& out) {
  std::string_view link;
  if (auto error = v.get_string().get(link)) return JsonError(key, error, "string");
  if (link.empty()) return Status::Corruption(fmt::format("{}: empty", key));
  out.assign(link);
  return Status::Ok();
}

// `listing`: a plain message listing, whose last page has no link at all.
Status ParseInto(const json::Body& body, std::string_view folder, bool listing, DeltaPage& page) {
  bool has_value = false;
  bool has_next = false;
  bool has_delta = false;
  Status s = detail::ForEachTopLevelField(body, [&](std::string_view key, value& v) {
    if (key == "value") {
      has_value = true;
      if (Status read = ReadMessages(v, folder, page.messages); !read.ok()) return Nest("value", read);
    } else if (key == "@odata.nextLink") {
      has_next = true;
      return ReadLink(v, key, page.next_link);
    } else if (key == "@odata.deltaLink") {
      has_delta = true;
      return ReadLink(v, key, page.delta_link);
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!has_value) return Status::Corruption("value: missing");
  if (listing) {
    if (has_delta) return Status::Corruption("@odata.deltaLink in a message listing (not a delta query)");
    return Status::Ok();
  }
  if (has_next == has_delta) {
    return Status::Corruption(has_next
                                  ? "both @odata.nextLink and @odata.deltaLink are present"
                                  : "neither @odata.nextLink nor @odata.deltaLink is present");
  }
  return Status::Ok();
}

}  // namespace

Result<DeltaPage> ParseDeltaPage(json::Body body, std::string_view folder) {
  DeltaPage page;
  if (Status s = ParseInto(body, folder, false, page); !s.ok()) return detail::Describe(kWhat, s);
  return page;
}

Result<DeltaPage> ParseMessagesPage(json::Body body, std::string_view folder) {
  DeltaPage page;
  if (Status s = ParseInto(body, folder, true, page); !s.ok()) {
    return detail::Describe("Graph message listing page", s);
  }
  return page;
}

}  // namespace crmsync::graph
