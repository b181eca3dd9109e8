#include "email_verify.hpp"

#include "simulator.hpp"

namespace crmsync::sim {
namespace {

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

bool HasRelation(const std::vector<StoredEmailMessage>& messages, const std::string& type,
                 const std::string& address) {
  for (const StoredEmailMessage& message : messages) {
    for (const StoredTask& relation : message.relations) {
      auto t = relation.fields.find("RelationType");
      auto a = relation.fields.find("RelationAddress");
      auto id = relation.fields.find("RelationId");
      if (t == relation.fields.end() || t->second != type || a == relation.fields.end() ||
          id == relation.fields.end() || id->second.empty()) {
        continue;
      }
      if (Lower(a->second) == address) return true;
    }
  }
  return false;
}

}  // namespace

std::map<std::string, std::map<std::string, std::vector<StoredTask>>> EmailMessagesAsRecords(
    const std::map<std::string, EmailMessagesByKey>& emails) {
  std::map<std::string, std::map<std::string, std::vector<StoredTask>>> out;
  for (const auto& [tenant, by_key] : emails) {
    auto& records = out[tenant];
    for (const auto& [key, messages] : by_key) {
      auto& list = records[key];
      for (const StoredEmailMessage& message : messages) list.push_back(message.message);
    }
  }
  return out;
}

std::unordered_set<std::string> KnownAddresses(const Tenant& tenant) {
  std::unordered_set<std::string> known;
  for (const DirectoryRecord& record : OrgFor(tenant).records) known.insert(Lower(record.email));
  return known;
}

std::uint64_t MissingRelations(const MessageHeader& header, const std::string& key,
                               const std::unordered_set<std::string>& known,
                               const EmailMessagesByKey& by_key) {
  static const std::vector<StoredEmailMessage> kNone;
  auto it = by_key.find(key);
  const auto& messages = it == by_key.end() ? kNone : it->second;
  std::unordered_set<std::string> checked;
  std::uint64_t missing = 0;
  auto check = [&](const char* type, const Participant& p) {
    std::string address = Lower(std::string(p.address));
    if (known.count(address) == 0 || !checked.insert(std::string(type) + "|" + address).second) return;
    if (!HasRelation(messages, type, address)) ++missing;
  };
  check("FromAddress", header.from);
  for (const Participant& p : header.to) check("ToAddress", p);
  for (const Participant& p : header.cc) check("CcAddress", p);
  return missing;
}

const char* EmailFieldFor(const std::string& task_field) {
  if (task_field == "Subject") return "Subject";
  if (task_field == "Description") return "TextBody";
  return nullptr;
}

}  // namespace crmsync::sim
