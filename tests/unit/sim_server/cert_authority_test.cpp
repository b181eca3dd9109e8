#include "cert_authority.hpp"

#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "test_dir.hpp"

namespace crmsync::sim {
namespace {

using test::TestDir;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr Parse(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  REQUIRE(cert);
  return cert;
}

mode_t Mode(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

TEST_CASE("sim_server: a new CA is written to disk with restrictive key permissions", "[sim_server][ca]") {
  TestDir dir("ca-new");
  auto nested = dir.path() / "a" / "b";   // missing parents are created
  CertificateAuthority ca = CertificateAuthority::LoadOrCreate(nested.string());

  REQUIRE(std::filesystem::path(ca.ca_cert_path()).is_absolute());
  REQUIRE(std::filesystem::equivalent(ca.ca_cert_path(), nested / "ca.pem"));
  CHECK(Mode(nested / "ca.key") == 0600);
  CHECK(Mode(nested / "ca.pem") == 0644);

  X509Ptr cert = Parse(ca.ca_cert_pem());
  CHECK(X509_check_ca(cert.get()) == 1);
  char cn[128] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  CHECK(std::string(cn) == "crmsync-sim local CA");
  CHECK(X509_check_issued(cert.get(), cert.get()) == X509_V_OK);   // self-signed
  int days = 0, secs = 0;
  REQUIRE(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert.get()), X509_get0_notAfter(cert.get())) == 1);
  CHECK(days >= 3649);
  CHECK((X509_get_key_usage(cert.get()) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
}

TEST_CASE("sim_server: LoadOrCreate reuses an existing CA", "[sim_server][ca]") {
  TestDir dir("ca-reuse");
  CertificateAuthority first = CertificateAuthority::LoadOrCreate(dir.str());
  CertificateAuthority second = CertificateAuthority::LoadOrCreate(dir.str());
  CHECK(first.ca_cert_pem() == second.ca_cert_pem());
  CHECK(first.ca_cert_path() == second.ca_cert_path());

  // A leaf from the reloaded CA chains to the CA first created.
  TlsIdentity leaf = second.IssueLeaf({"127.0.0.1"});
  X509Ptr ca_cert = Parse(first.ca_cert_pem());
  X509Ptr leaf_cert = Parse(leaf.cert_pem);
  CHECK(X509_check_issued(ca_cert.get(), leaf_cert.get()) == X509_V_OK);
  EVP_PKEY* ca_key = X509_get0_pubkey(ca_cert.get());
  CHECK(X509_verify(leaf_cert.get(), ca_key) == 1);
}

TEST_CASE("sim_server: a mismatched CA key is refused, naming the file", "[sim_server][ca]") {
  TestDir a("ca-a");
  TestDir b("ca-b");
  CertificateAuthority::LoadOrCreate(a.str());
  CertificateAuthority::LoadOrCreate(b.str());
  std::filesystem::copy_file(b.path() / "ca.key", a.path() / "ca.key",
                             std::filesystem::copy_options::overwrite_existing);
  try {
    CertificateAuthority::LoadOrCreate(a.str());
    FAIL("expected a runtime_error");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("ca.key"));
    CHECK_THAT(e.what(), !Catch::Contains("PRIVATE KEY"));
  }
}

TEST_CASE("sim_server: leaf certificates carry the requested names", "[sim_server][ca]") {
  TestDir dir("ca-leaf");
  CertificateAuthority ca = CertificateAuthority::LoadOrCreate(dir.str());
  TlsIdentity leaf = ca.IssueLeaf({"127.0.0.1", "localhost", "[::1]", "graph.sim.example"});
  X509Ptr cert = Parse(leaf.cert_pem);

  CHECK(X509_check_ip_asc(cert.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(cert.get(), "::1", 0) == 1);
  CHECK(X509_check_host(cert.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(cert.get(), "graph.sim.example", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(cert.get(), "other.example", 0, 0, nullptr) == 0);
  CHECK(X509_check_ip_asc(cert.get(), "127.0.0.2", 0) == 0);
  CHECK(X509_check_ca(cert.get()) == 0);
  CHECK((X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER) != 0);
  CHECK(X509_cmp_current_time(X509_get0_notBefore(cert.get())) < 0);
  CHECK(X509_cmp_current_time(X509_get0_notAfter(cert.get())) > 0);
  CHECK_THAT(leaf.key_pem, Catch::Contains("PRIVATE KEY"));

  TlsIdentity old = ca.IssueLeaf({"127.0.0.1"}, /*expired=*/true);
  X509Ptr expired = Parse(old.cert_pem);
  CHECK(X509_cmp_current_time(X509_get0_notAfter(expired.get())) < 0);

  CHECK_THROWS_AS(ca.IssueLeaf({}), std::runtime_error);
}

TEST_CASE("sim_server: an unwritable CA directory is reported with its name", "[sim_server][ca]") {
  TestDir dir("ca-blocked");
  std::filesystem::create_directories(dir.path());
  auto blocker = dir.path() / "file";
  { std::ofstream(blocker) << "x"; }
  try {
    CertificateAuthority::LoadOrCreate((blocker / "sub").string());
    FAIL("expected a runtime_error");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains(blocker.string()));
  }
}

}  // namespace
}  // namespace crmsync::sim
