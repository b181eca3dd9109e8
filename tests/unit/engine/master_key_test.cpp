// The master key: where it comes from, and rotation that survives a crash
// at any point (engine/master_key.hpp).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "crmsync/engine/master_key.hpp"
#include "crmsync/engine/secrets.hpp"
#include "temp_dir.hpp"

using namespace crmsync;
using crmsync::testing::TempDir;

namespace {

// Unsets both key variables for the test's lifetime and restores nothing:
// no test of this binary runs with them set.
struct CleanKeyEnvironment {
  CleanKeyEnvironment() { Clear(); }
  ~CleanKeyEnvironment() { Clear(); }
  static void Clear() {
    ::unsetenv(engine::kMasterKeyEnv);
    ::unsetenv(engine::kMasterKeyFileEnv);
  }
};

struct Fixture {
  CleanKeyEnvironment env;
  TempDir dir;
  std::string state_dir = dir.Sub("state");
  std::string key_file = engine::MasterKeyFileFor(state_dir);
  std::unique_ptr<state::Store> store;

  Fixture() {
    auto opened = state::Store::Open(state_dir);
    REQUIRE(opened.ok());
    store = std::move(opened).value();
  }
  state::SecretBox KeyFile() {
    auto box = state::SecretBox::LoadOrCreate(key_file);
    REQUIRE(box.ok());
    return box.value();
  }
  void Put(const state::SecretBox& box, const std::string& tenant, const std::string& kind, const std::string& value) {
    REQUIRE(engine::StoreSealedSecret(*store, box, tenant, kind, value).ok());
  }
  std::string Open(const state::SecretBox& box, const std::string& tenant, const std::string& kind) {
    auto opened = engine::OpenSealedSecret(*store, &box, tenant, kind);
    return opened.ok() ? opened.value() : "<" + opened.status().message() + ">";
  }
};

}  // namespace

TEST_CASE("master key: base64 round trip, bad values are refused without showing them", "[master_key]") {
  auto box = state::SecretBox::Generate();
  REQUIRE(box.ok());
  const std::string text = box.value().ExportBase64();
  CHECK(text.size() == 44);
  auto again = state::SecretBox::FromBase64(text + "\n", "CRMSYNC_MASTER_KEY");
  REQUIRE(again.ok());
  auto sealed = box.value().Seal("acme", "kind", "plain");
  REQUIRE(sealed.ok());
  CHECK(again.value().Open("acme", "kind", sealed.value()).value() == "plain");

  const std::string short_text = "c2hvcnQtc2VjcmV0LXZhbHVl";
  auto bad = state::SecretBox::FromBase64(short_text, "CRMSYNC_MASTER_KEY");
  REQUIRE(!bad.ok());
  CHECK_THAT(bad.status().message(), Catch::Contains("CRMSYNC_MASTER_KEY"));
  CHECK_THAT(bad.status().message(), !Catch::Contains(short_text));
  std::string not_base64(43, '*');
  not_base64 += '=';
  auto garbage = state::SecretBox::FromBase64(not_base64, "CRMSYNC_MASTER_KEY");
  REQUIRE(!garbage.ok());
  CHECK_THAT(garbage.status().message(), !Catch::Contains(not_base64));
}

TEST_CASE("master key: CRMSYNC_MASTER_KEY, then CRMSYNC_MASTER_KEY_FILE, then the file beside the state",
          "[master_key]") {
  CleanKeyEnvironment env;
  TempDir dir;
  const std::string state_dir = dir.Sub("state");
  CHECK(engine::LocateMasterKey(state_dir).file == state_dir + ".key");
  CHECK(!engine::LocateMasterKey(state_dir).from_environment);
  auto none = engine::LoadMasterKey(engine::LocateMasterKey(state_dir), false);
  REQUIRE(none.ok());
  CHECK(!none.value().has_value());

  ::setenv(engine::kMasterKeyFileEnv, dir.Sub("elsewhere.key").c_str(), 1);
  CHECK(engine::LocateMasterKey(state_dir).file == dir.Sub("elsewhere.key"));
  auto created = engine::LoadMasterKey(engine::LocateMasterKey(state_dir), true);
  REQUIRE(created.ok());
  CHECK(std::filesystem::exists(dir.Sub("elsewhere.key")));
  CHECK(!std::filesystem::exists(state_dir + ".key"));

  auto key = state::SecretBox::Generate();
  REQUIRE(key.ok());
  ::setenv(engine::kMasterKeyEnv, key.value().ExportBase64().c_str(), 1);
  const auto where = engine::LocateMasterKey(state_dir);
  CHECK(where.from_environment);
  CHECK_THAT(where.Describe(), Catch::Contains("CRMSYNC_MASTER_KEY"));
  auto from_env = engine::LoadMasterKey(where, false);
  REQUIRE(from_env.ok());
  REQUIRE(from_env.value().has_value());
  auto sealed = key.value().Seal("t", "k", "v");
  CHECK(from_env.value()->Open("t", "k", sealed.value()).value() == "v");
}

TEST_CASE("master key rotation re-seals every secret, the old key opens none of them", "[master_key]") {
  Fixture f;
  const state::SecretBox old_key = f.KeyFile();
  f.Put(old_key, "acme", engine::kSalesforceRefreshSecret, "refresh-acme");
  f.Put(old_key, "globex", engine::kGoogleKeySecret, "{\"private_key\":\"globex\"}");

  auto counts = engine::RotateKeyFile(*f.store, f.key_file);
  REQUIRE(counts.ok());
  CHECK(counts.value().resealed == 2);
  CHECK(counts.value().already_rotated == 0);
  CHECK(!std::filesystem::exists(engine::PendingKeyFile(f.key_file)));
  const state::SecretBox new_key = f.KeyFile();
  CHECK(f.Open(new_key, "acme", engine::kSalesforceRefreshSecret) == "refresh-acme");
  CHECK(f.Open(new_key, "globex", engine::kGoogleKeySecret) == "{\"private_key\":\"globex\"}");
  CHECK(f.Open(old_key, "acme", engine::kSalesforceRefreshSecret) != "refresh-acme");
  // Still bound to its tenant under the new key.
  auto acme = f.store->GetSecret("acme", engine::kSalesforceRefreshSecret);
  REQUIRE(acme.ok());
  CHECK(!new_key.Open("globex", engine::kSalesforceRefreshSecret, *acme.value()).ok());
}

TEST_CASE("master key rotation interrupted before the secrets were written: the next rotate finishes it",
          "[master_key]") {
  Fixture f;
  const state::SecretBox old_key = f.KeyFile();
  f.Put(old_key, "acme", engine::kSalesforceRefreshSecret, "refresh-acme");
  // The crash: the pending key is on disk, no secret was re-sealed yet.
  auto pending = state::SecretBox::Generate();
  REQUIRE(pending.ok());
  REQUIRE(pending.value().WriteNewKeyFile(engine::PendingKeyFile(f.key_file)).ok());

  auto refused = engine::LoadMasterKey(engine::LocateMasterKey(f.state_dir), true);
  REQUIRE(!refused.ok());
  CHECK_THAT(refused.status().message(), Catch::Contains(".key.next") && Catch::Contains("keys rotate"));

  auto counts = engine::RotateKeyFile(*f.store, f.key_file);
  REQUIRE(counts.ok());
  CHECK(counts.value().resealed == 1);
  CHECK(f.Open(pending.value(), "acme", engine::kSalesforceRefreshSecret) == "refresh-acme");
  CHECK(f.Open(f.KeyFile(), "acme", engine::kSalesforceRefreshSecret) == "refresh-acme");
  CHECK(engine::LoadMasterKey(engine::LocateMasterKey(f.state_dir), false).ok());
}

TEST_CASE("master key rotation interrupted after the secrets were written: the next rotate only swaps the file",
          "[master_key]") {
  Fixture f;
  const state::SecretBox old_key = f.KeyFile();
  f.Put(old_key, "acme", engine::kSalesforceRefreshSecret, "refresh-acme");
  f.Put(old_key, "globex", engine::kSalesforceRefreshSecret, "refresh-globex");
  auto pending = state::SecretBox::Generate();
  REQUIRE(pending.ok());
  REQUIRE(pending.value().WriteNewKeyFile(engine::PendingKeyFile(f.key_file)).ok());
  REQUIRE(engine::ResealSecrets(*f.store, old_key, pending.value()).ok());   // the crash follows this write

  auto counts = engine::RotateKeyFile(*f.store, f.key_file);
  REQUIRE(counts.ok());
  CHECK(counts.value().resealed == 0);
  CHECK(counts.value().already_rotated == 2);
  CHECK(f.Open(f.KeyFile(), "globex", engine::kSalesforceRefreshSecret) == "refresh-globex");
}

TEST_CASE("master key rotation: a secret sealed under an unknown key stops it before anything is written",
          "[master_key]") {
  Fixture f;
  const state::SecretBox old_key = f.KeyFile();
  f.Put(old_key, "acme", engine::kSalesforceRefreshSecret, "refresh-acme");
  auto stranger = state::SecretBox::Generate();
  REQUIRE(stranger.ok());
  f.Put(stranger.value(), "zeta", engine::kGoogleKeySecret, "zeta-key");

  auto counts = engine::RotateKeyFile(*f.store, f.key_file);
  REQUIRE(!counts.ok());
  CHECK_THAT(counts.status().message(), Catch::Contains("zeta") && Catch::Contains(engine::kGoogleKeySecret));
  CHECK(f.Open(old_key, "acme", engine::kSalesforceRefreshSecret) == "refresh-acme");
}
