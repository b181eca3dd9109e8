#include <catch2/catch.hpp>

#include <string>

#include "crmsync/engine/email_message_record.hpp"
#include "crmsync/engine/text.hpp"

using crmsync::Message;
using crmsync::Participant;
using crmsync::engine::BuildEmailMessageRecord;
using crmsync::engine::kMaxRelationsPerEmail;
using crmsync::engine::RelationIdsByAddress;
using crmsync::engine::RelationKey;
using crmsync::salesforce::ChildRecord;
using crmsync::salesforce::Field;
using crmsync::salesforce::UpsertRecord;

namespace {

const Field* FieldOf(const std::vector<Field>& fields, const std::string& name) {
  for (const Field& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string ValueOf(const std::vector<Field>& fields, const std::string& name) {
  const Field* f = FieldOf(fields, name);
  return f == nullptr ? std::string("<absent>") : f->value;
}

Message Sample() {
  Message m;
  m.internet_message_id = "<Abc@Mail.Example>";
  m.subject = "Quarterly review";
  m.body_text = "Body";
  m.sent_at = "2026-05-01T10:00:00Z";
  m.from = {"Ann@Acme.example", "Ann Acme"};
  m.to = {{"bob@customer.example", "Bob"}, {"carol@customer.example", "Carol"}};
  m.cc = {{"BOB@customer.example", "Bob again"}, {"dan@acme.example", "Dan"}};
  m.bcc = {{"eve@customer.example", ""}};
  return m;
}

}  // namespace

TEST_CASE("EmailMessage fields of an outgoing email", "[engine][email]") {
  RelationIdsByAddress ids = {{"bob@customer.example", "003000000000001AAA"},
                              {"ann@acme.example", "005000000000001AAA"}};
  UpsertRecord r = BuildEmailMessageRecord("abc@mail.example", Sample(), false, ids);
  CHECK(r.external_id == "abc@mail.example");
  CHECK(ValueOf(r.fields, "Subject") == "Quarterly review");
  CHECK(ValueOf(r.fields, "TextBody") == "Body");
  CHECK(ValueOf(r.fields, "FromAddress") == "Ann@Acme.example");
  CHECK(ValueOf(r.fields, "FromName") == "Ann Acme");
  CHECK(ValueOf(r.fields, "ToAddress") == "bob@customer.example; carol@customer.example");
  CHECK(ValueOf(r.fields, "CcAddress") == "BOB@customer.example; dan@acme.example");
  CHECK(ValueOf(r.fields, "BccAddress") == "eve@customer.example");
  CHECK(ValueOf(r.fields, "MessageDate") == "2026-05-01T10:00:00Z");
  CHECK(ValueOf(r.fields, "Status") == "3");
  CHECK(ValueOf(r.fields, "MessageIdentifier") == "<Abc@Mail.Example>");
  const Field* incoming = FieldOf(r.fields, "Incoming");
  REQUIRE(incoming != nullptr);
  CHECK(incoming->value == "false");
  CHECK(incoming->literal);
  // Every standard field is create-only: a sent EmailMessage refuses updates.
  for (const Field& f : r.fields) CHECK(f.create_only);
}

TEST_CASE("an incoming email is Status 1 and Incoming true", "[engine][email]") {
  UpsertRecord r = BuildEmailMessageRecord("k", Sample(), true, {});
  CHECK(ValueOf(r.fields, "Status") == "1");
  CHECK(ValueOf(r.fields, "Incoming") == "true");
}

TEST_CASE("one relation per participant and type, matched ones carry RelationId", "[engine][email]") {
  RelationIdsByAddress ids = {{"bob@customer.example", "003000000000001AAA"},
                              {"ann@acme.example", "005000000000001AAA"}};
  UpsertRecord r = BuildEmailMessageRecord("k", Sample(), false, ids);
  // from, to x2, cc x2 (bob as Cc is a relation of its own), bcc.
  REQUIRE(r.children.size() == 6);
  const ChildRecord& from = r.children[0];
  CHECK(from.sobject == "EmailMessageRelation");
  CHECK(from.parent_field == "EmailMessageId");
  CHECK(ValueOf(from.fields, "RelationType") == "FromAddress");
  CHECK(ValueOf(from.fields, "RelationAddress") == "ann@acme.example");
  CHECK(ValueOf(from.fields, "RelationId") == "005000000000001AAA");
  CHECK(from.external_id == "k|FromAddress|ann@acme.example");
  CHECK(ValueOf(r.children[1].fields, "RelationId") == "003000000000001AAA");
  CHECK(FieldOf(r.children[2].fields, "RelationId") == nullptr);   // carol: unmatched
  CHECK(ValueOf(r.children[3].fields, "RelationType") == "CcAddress");
  CHECK(ValueOf(r.children[5].fields, "RelationType") == "BccAddress");
  // Relation keys are distinct, so no two nodes upsert the same row.
  for (std::size_t i = 0; i < r.children.size(); ++i) {
    for (std::size_t k = i + 1; k < r.children.size(); ++k) {
      CHECK(r.children[i].external_id != r.children[k].external_id);
    }
  }
}

TEST_CASE("a participant repeated in one role is one relation", "[engine][email]") {
  Message m = Sample();
  m.to.push_back({"Carol@Customer.Example", "Carol"});
  UpsertRecord r = BuildEmailMessageRecord("k", m, false, {});
  CHECK(r.children.size() == 6);
}

TEST_CASE("relation keys: readable, else hashed", "[engine][email]") {
  CHECK(RelationKey("k", "ToAddress", "A@B.example") == "k|ToAddress|a@b.example");
  const std::string with_slash = RelationKey("a/b", "ToAddress", "x@y");
  CHECK(with_slash.rfind("sha256:", 0) == 0);
  CHECK(with_slash.size() == 7 + 64);
  const std::string long_key = RelationKey(std::string(250, 'k'), "ToAddress", "x@y");
  CHECK(long_key.rfind("sha256:", 0) == 0);
  CHECK(long_key == RelationKey(std::string(250, 'k'), "ToAddress", "X@Y"));
  CHECK(long_key != RelationKey(std::string(250, 'k'), "CcAddress", "x@y"));
}

TEST_CASE("long texts are truncated at code points, never failing", "[engine][email]") {
  Message m = Sample();
  std::string euro = "\xE2\x82\xAC";
  m.subject.clear();
  for (int i = 0; i < 3001; ++i) m.subject += euro;
  m.body_text.clear();
  for (int i = 0; i < 32001; ++i) m.body_text += euro;
  m.to.clear();
  for (int i = 0; i < 400; ++i) m.to.push_back({"person" + std::to_string(i) + "@customer.example", ""});
  UpsertRecord r = BuildEmailMessageRecord("k", m, true, {});
  CHECK(crmsync::engine::CountCodePoints(ValueOf(r.fields, "Subject")) == 3000);
  CHECK(crmsync::engine::CountCodePoints(ValueOf(r.fields, "TextBody")) == 32000);
  const std::string to = ValueOf(r.fields, "ToAddress");
  CHECK(to.size() <= 4000);
  // Whole addresses only.
  CHECK(to.substr(to.rfind(' ') + 1).find("@customer.example") != std::string::npos);
}

TEST_CASE("over 499 relations, matched ones are kept first", "[engine][email]") {
  Message m = Sample();
  m.to.clear();
  m.cc.clear();
  m.bcc.clear();
  for (int i = 0; i < 600; ++i) m.to.push_back({"p" + std::to_string(i) + "@c.example", ""});
  RelationIdsByAddress ids = {{"p599@c.example", "003000000000599AAA"}};
  UpsertRecord r = BuildEmailMessageRecord("k", m, true, ids);
  REQUIRE(r.children.size() == kMaxRelationsPerEmail);
  CHECK(ValueOf(r.children[0].fields, "RelationAddress") == "p599@c.example");
}

TEST_CASE("the capture rules' body limit applies, capped at 32,000", "[engine][email]") {
  Message m = Sample();
  m.body_text = std::string(40000, 'x');
  CHECK(ValueOf(BuildEmailMessageRecord("k", m, true, {}, 100).fields, "TextBody").size() == 100);
  CHECK(ValueOf(BuildEmailMessageRecord("k", m, true, {}, 50000).fields, "TextBody").size() == 32000);
}
