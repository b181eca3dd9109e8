#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "crmsync/state/secret_box.hpp"
#include "test_util.hpp"

using namespace crmsync;
using namespace crmsync::state;

TEST_CASE("state: sealed secrets open only for their tenant and kind", "[secrets]") {
  crmsync::testing::TempDir dir;
  const std::string key_file = (dir.path() / "master.key").string();
  auto box = SecretBox::LoadOrCreate(key_file);
  REQUIRE(box.ok());
  struct stat info {};
  REQUIRE(stat(key_file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  const std::string secret = "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n";
  auto sealed = box->Seal("acme", "google.service_account", secret);
  REQUIRE(sealed.ok());
  CHECK(sealed->find("PRIVATE KEY") == std::string::npos);
  CHECK(box->Open("acme", "google.service_account", *sealed).value() == secret);

  // Copied to another tenant or kind, or altered: refused, without the secret in the message.
  auto other_tenant = box->Open("globex", "google.service_account", *sealed);
  REQUIRE_FALSE(other_tenant.ok());
  CHECK_THAT(other_tenant.status().message(), Catch::Contains("another tenant"));
  CHECK_FALSE(box->Open("acme", "salesforce.refresh_token", *sealed).ok());
  std::string altered = *sealed;
  altered[altered.size() / 2] ^= 0x01;
  CHECK_FALSE(box->Open("acme", "google.service_account", altered).ok());
  CHECK_FALSE(box->Open("acme", "google.service_account", "short").ok());

  // The same key file opens it again; another master key does not.
  auto reloaded = SecretBox::LoadOrCreate(key_file);
  REQUIRE(reloaded.ok());
  CHECK(reloaded->Open("acme", "google.service_account", *sealed).value() == secret);
  auto stranger = SecretBox::LoadOrCreate((dir.path() / "other.key").string());
  REQUIRE(stranger.ok());
  CHECK_FALSE(stranger->Open("acme", "google.service_account", *sealed).ok());
  // Two seals of one secret differ (fresh nonce).
  CHECK(box->Seal("acme", "google.service_account", secret).value() != *sealed);
}

TEST_CASE("state: sealed secrets round-trip through the secrets column family", "[secrets]") {
  crmsync::testing::TempDir dir;
  auto store = Store::Open((dir.path() / "state").string());
  REQUIRE(store.ok());
  CHECK_FALSE(store.value()->GetSecret("acme", "google.service_account").value().has_value());
  REQUIRE(store.value()->PutSecret("acme", "google.service_account", std::string("\x01sealed\0bytes", 13)).ok());
  auto got = store.value()->GetSecret("acme", "google.service_account");
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == std::string("\x01sealed\0bytes", 13));
  CHECK_FALSE(store.value()->GetSecret("acme2", "google.service_account").value().has_value());
}
