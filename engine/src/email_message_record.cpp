#include "crmsync/engine/email_message_record.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmsync/engine/text.hpp"

namespace crmsync::engine {
namespace {

constexpr std::string_view kAddressSeparator = "; ";

std::string Sha256Hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) fmt::format_to(std::back_inserter(hex), "{:02x}", digest[i]);
  return hex;
}

std::string Truncated(std::string_view text, std::size_t max_chars) {
  return std::string(TruncateCodePoints(text, max_chars));
}

// "a; b; c" with as many whole addresses as fit in max_chars: a cut address
// would be a wrong one.
std::string JoinAddresses(const std::vector<Participant>& participants, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  for (const Participant& p : participants) {
    if (p.address.empty()) continue;
    const std::size_t extra = CountCodePoints(p.address) + (out.empty() ? 0 : kAddressSeparator.size());
    if (chars + extra > max_chars) break;
    if (!out.empty()) out += kAddressSeparator;
    out += p.address;
    chars += extra;
  }
  return out;
}

struct Relation {
  std::string type;
  std::string address;   // lower-cased
  std::string relation_id;
};

}  // namespace

std::string RelationKey(std::string_view key, std::string_view relation_type,
                        std::string_view address) {
  std::string plain = fmt::format("{}|{}|{}", key, relation_type, AsciiLower(address));
  const bool url_safe = std::all_of(plain.begin(), plain.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x21 && byte <= 0x7e && c != '/';
  });
  if (!url_safe || plain.size() > kExternalIdMaxChars) return "sha256:" + Sha256Hex(plain);
  return plain;
}

salesforce::UpsertRecord BuildEmailMessageRecord(const std::string& key, const Message& message,
                                                 bool incoming,
                                                 const RelationIdsByAddress& relation_ids,
                                                 std::size_t max_body_chars) {
  salesforce::UpsertRecord record;
  record.external_id = key;
  auto add = [&record](std::string name, std::string value, bool literal = false) {
    record.fields.push_back({std::move(name), std::move(value), false, /*create_only=*/true, literal});
  };
  add("Subject", Truncated(message.subject, kEmailSubjectMaxChars));
  add("TextBody", Truncated(message.body_text, std::min(max_body_chars, kEmailTextBodyMaxChars)));
  if (!message.from.address.empty()) {
    add("FromAddress", Truncated(message.from.address, kEmailFromMaxChars));
  }
  if (!message.from.name.empty()) add("FromName", Truncated(message.from.name, kEmailFromMaxChars));
  if (std::string to = JoinAddresses(message.to, kEmailAddressListMaxChars); !to.empty()) {
    add("ToAddress", std::move(to));
  }
  if (std::string cc = JoinAddresses(message.cc, kEmailAddressListMaxChars); !cc.empty()) {
    add("CcAddress", std::move(cc));
  }
  if (std::string bcc = JoinAddresses(message.bcc, kEmailAddressListMaxChars); !bcc.empty()) {
    add("BccAddress", std::move(bcc));
  }
  if (!message.sent_at.empty()) add("MessageDate", message.sent_at);
  add("Incoming", incoming ? "true" : "false", /*literal=*/true);
  add("Status", incoming ? kEmailStatusRead : kEmailStatusSent);
  if (!message.internet_message_id.empty()) {
    add("MessageIdentifier", Truncated(message.internet_message_id, kEmailIdentifierMaxChars));
  }

  std::vector<Relation> relations;
  std::set<std::pair<std::string, std::string>> seen;
  auto collect = [&](const char* type, const Participant& p) {
    if (p.address.empty()) return;
    std::string address = AsciiLower(p.address);
    if (!seen.emplace(type, address).second) return;
    auto match = relation_ids.find(address);
    relations.push_back({type, std::move(address),
                         match == relation_ids.end() ? std::string() : match->second});
  };
  collect("FromAddress", message.from);
  for (const Participant& p : message.to) collect("ToAddress", p);
  for (const Participant& p : message.cc) collect("CcAddress", p);
  for (const Participant& p : message.bcc) collect("BccAddress", p);
  if (relations.size() > kMaxRelationsPerEmail) {
    std::stable_partition(relations.begin(), relations.end(),
                          [](const Relation& r) { return !r.relation_id.empty(); });
    relations.resize(kMaxRelationsPerEmail);
  }

  for (Relation& r : relations) {
    salesforce::ChildRecord child;
    child.sobject = kEmailRelationSobject;
    child.external_id = RelationKey(key, r.type, r.address);
    child.parent_field = kEmailRelationParentField;
    child.fields.push_back({"RelationType", r.type, false, true});
    child.fields.push_back({"RelationAddress", Truncated(r.address, kRelationAddressMaxChars), false, true});
    if (!r.relation_id.empty()) child.fields.push_back({"RelationId", r.relation_id, false, true});
    record.children.push_back(std::move(child));
  }
  return record;
}

}  // namespace crmsync::engine
