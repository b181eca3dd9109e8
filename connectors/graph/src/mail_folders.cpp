// Top-level mail folder listing: URL, parser and display-name lookup.
#include "crmsync/graph/mail_folders.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>

#include "json_support.hpp"

namespace crmsync::graph {
namespace {

namespace od = detail::od;

constexpr std::string_view kWhat = "Graph mailFolders page";
// Mailboxes rarely have more top-level folders; more pages follow nextLink.
constexpr int kFoldersPageSize = 100;

std::string EscapeSegment(std::string_view segment) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, segment.data(), static_cast<int>(segment.size())), &curl_free);
  return escaped ? std::string(escaped.get()) : std::string();
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

Status ReadFolder(od::value& element, MailFolder& folder) {
  bool has_id = false;
  Status s = detail::ForEachObjectField(element, [&](std::string_view key, od::value& v) {
    if (key == "id") {
      has_id = true;
      return detail::ReadRequiredString(v, folder.id);
    }
    if (key == "displayName") return detail::ReadString(v, folder.display_name);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!has_id || folder.id.empty()) return Status::Corruption("id: missing");
  return Status::Ok();
}

}  // namespace

std::string MailFoldersUrl(std::string_view graph_url, std::string_view user_id) {
  while (!graph_url.empty() && graph_url.back() == '/') graph_url.remove_suffix(1);
  return fmt::format("{}/v1.0/users/{}/mailFolders?$select=id,displayName&$top={}", graph_url,
                     EscapeSegment(user_id), kFoldersPageSize);
}

bool IsMailFoldersUrl(std::string_view url) {
  std::string_view path = url.substr(0, url.find('?'));
  constexpr std::string_view kSuffix = "/mailFolders";
  return path.size() >= kSuffix.size() && EqualsIgnoringAsciiCase(path.substr(path.size() - kSuffix.size()), kSuffix);
}

Result<MailFoldersPage> ParseMailFoldersPage(std::string_view body) {
  MailFoldersPage page;
  bool has_value = false;
  Status s = detail::ForEachTopLevelFieldNested(body, [&](std::string_view key, od::value& v) {
    if (key == "value") {
      has_value = true;
      return detail::ForEachElement(v, [&page](od::value& element) {
        MailFolder folder;
        if (Status read = ReadFolder(element, folder); !read.ok()) return read;
        page.folders.push_back(std::move(folder));
        return Status::Ok();
      });
    }
    if (key == "@odata.nextLink") return detail::ReadString(v, page.next_link);
    return Status::Ok();
  });
  if (s.ok() && !has_value) s = Status::Corruption("value: missing");
  if (!s.ok()) return detail::Describe(kWhat, s);
  return page;
}

const MailFolder* FindFolderByName(const MailFoldersPage& page, std::string_view display_name) {
  for (const MailFolder& folder : page.folders) {
    if (EqualsIgnoringAsciiCase(folder.display_name, display_name)) return &folder;
  }
  return nullptr;
}

}  // namespace crmsync::graph
