// JSON of Graph resources (message, user) and their $select property sets
// (API-FACTS.md §1.2, §1.3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "corpus.hpp"

namespace crmsync::sim {

// Parses a $select list into a property mask for `type` ("message" or
// "user"); the id bit is always set. On an unknown name returns nullopt and
// stores it in `unknown`.
std::optional<std::uint64_t> MessageSelectMask(std::string_view select, std::string& unknown);
std::optional<std::uint64_t> UserSelectMask(std::string_view select, std::string& unknown);
// The properties returned without $select.
std::uint64_t DefaultMessageMask();
std::uint64_t DefaultUserMask();

struct MessageCopy {
  const MessageHeader* header;
  const MessageContent* content;   // may be null when the mask needs no content
  int user;
  Folder folder;
  // corpus.FolderId(tenant, user, folder) when the caller has it (the same
  // for a whole page); empty: computed per message.
  std::string_view folder_id = {};
};
bool MaskNeedsContent(std::uint64_t mask);
// A message's JSON appended to `out` (pages render their messages into one buffer).
void AppendMessageJson(std::string& out, const Corpus& corpus, const MessageCopy& copy, std::uint64_t mask,
                       bool text_body);
std::string UserJson(const Tenant& tenant, const MailUser& user, std::uint64_t mask);

}  // namespace crmsync::sim
