// The engine's packed user record (mailbox_user.hpp) and the view the mail
// sources read users through (core/mail_user.hpp).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "crmsync/core/mail_user.hpp"
#include "crmsync/engine/mailbox_user.hpp"

using crmsync::AddressRange;
using crmsync::MailUser;
using crmsync::MailUserView;
using crmsync::engine::MailboxUser;

namespace {

std::vector<std::string> Strings(const AddressRange& range) {
  std::vector<std::string> out;
  for (std::string_view s : range) out.emplace_back(s);
  return out;
}

}  // namespace

TEST_CASE("a packed user reads back every field as given", "[mailbox_user]") {
  const MailUser listed{"id-1", "ann@acme.example", {"ann@acme.example", "a.smith@acme.example", "ann@old.example"}, false};
  const MailboxUser user(listed, "005000000000001AAA");
  CHECK(user.id() == "id-1");
  CHECK(user.primary() == "ann@acme.example");
  CHECK(Strings(user.aliases()) == listed.aliases);
  CHECK(user.aliases().size() == 3);
  CHECK(user.aliases()[1] == "a.smith@acme.example");
  CHECK(user.salesforce_user_id() == "005000000000001AAA");
  CHECK_FALSE(user.enabled());
}

TEST_CASE("the primary shares the characters of the alias it equals", "[mailbox_user]") {
  const std::vector<std::string> aliases{"ann@acme.example", "a@acme.example"};
  const MailboxUser shared(MailUser{"id-1", "ann@acme.example", aliases, true});
  const MailboxUser apart(MailUser{"id-1", "zzz@acme.example", aliases, true});   // same length, no alias
  CHECK(shared.primary().data() == shared.aliases()[0].data());
  CHECK(apart.primary() == "zzz@acme.example");
  CHECK(Strings(apart.aliases()) == aliases);
  CHECK(apart.heap_bytes() == shared.heap_bytes() + std::string_view("zzz@acme.example").size());
}

TEST_CASE("a user's Salesforce id is set once mapped, and empties stay empty", "[mailbox_user]") {
  MailboxUser user(MailUser{"id-1", "ann@acme.example", {"ann@acme.example"}, true});
  CHECK(user.salesforce_user_id().empty());
  user.set_salesforce_user_id("005A");
  CHECK(user.salesforce_user_id() == "005A");
  CHECK(user.id() == "id-1");
  CHECK(user.primary() == "ann@acme.example");
  CHECK(Strings(user.aliases()) == std::vector<std::string>{"ann@acme.example"});
  user.set_salesforce_user_id("");
  CHECK(user.salesforce_user_id().empty());
  CHECK(user.primary() == "ann@acme.example");

  const MailboxUser none;
  CHECK(none.id().empty());
  CHECK(none.primary().empty());
  CHECK(none.aliases().empty());
  CHECK(none.salesforce_user_id().empty());
  CHECK(none.heap_bytes() == 0);
  const MailboxUser no_aliases(MailUser{"id-2", "", {}, true});
  CHECK(no_aliases.id() == "id-2");
  CHECK(no_aliases.aliases().empty());
}

TEST_CASE("a copied user owns its own block", "[mailbox_user]") {
  auto original = std::make_unique<MailboxUser>(MailUser{"id-1", "ann@acme.example", {"ann@acme.example"}, true}, "005A");
  MailboxUser copy = *original;
  MailboxUser assigned;
  assigned = *original;
  original.reset();
  CHECK(copy.id() == "id-1");
  CHECK(copy.salesforce_user_id() == "005A");
  CHECK(assigned.primary() == "ann@acme.example");
  CHECK(Strings(assigned.aliases()) == std::vector<std::string>{"ann@acme.example"});
}

TEST_CASE("a view lends a MailUser or a packed user alike", "[mailbox_user]") {
  const MailUser listed{"id-1", "ann@acme.example", {"ann@acme.example", "a@acme.example"}, true};
  const MailboxUser packed(listed, "005A");
  for (const MailUserView& view : {MailUserView(listed), packed.view()}) {
    CHECK(view.id == "id-1");
    CHECK(view.primary == "ann@acme.example");
    CHECK(view.aliases.contains("a@acme.example"));
    CHECK_FALSE(view.aliases.contains("b@acme.example"));
    CHECK(view.aliases.ToVector() == listed.aliases);
    CHECK(view.enabled);
  }
}
