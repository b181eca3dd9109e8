// HMAC-SHA256 request signing: RFC 4231 known answers, the canonical string,
// and SignRequest's headers.
#include <catch2/catch.hpp>

#include <string>

#include "crmsync/auth/hmac_request.hpp"

using crmsync::auth::CanonicalString;
using crmsync::auth::ConstantTimeEquals;
using crmsync::auth::HmacSha256;
using crmsync::auth::HmacSha256Hex;
using crmsync::auth::IsWellFormedNonce;
using crmsync::auth::Sha256Hex;
using crmsync::auth::SignRequest;

namespace {

std::string Repeat(char c, std::size_t n) { return std::string(n, c); }

}  // namespace

TEST_CASE("hmac: HMAC-SHA-256 matches RFC 4231 test cases 1-4, 6 and 7", "[auth][hmac]") {
  // Case 1
  CHECK(HmacSha256Hex(Repeat('\x0b', 20), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Case 2: a key shorter than the output
  CHECK(HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Case 3
  CHECK(HmacSha256Hex(Repeat('\xaa', 20), Repeat('\xdd', 50)) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  // Case 4
  std::string key4;
  for (char c = 1; c <= 25; ++c) key4 += c;
  CHECK(HmacSha256Hex(key4, Repeat('\xcd', 50)) ==
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  // Case 6: a key larger than the block size
  CHECK(HmacSha256Hex(Repeat('\xaa', 131), "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Case 7: key and data larger than the block size
  CHECK(HmacSha256Hex(Repeat('\xaa', 131),
                      "This is a test using a larger than block-size key and a larger than block-size data. "
                      "The key needs to be hashed before being used by the HMAC algorithm.") ==
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  CHECK(HmacSha256("Jefe", "what do ya want for nothing?").size() == 32);
}

TEST_CASE("hmac: SHA-256 hex of known inputs", "[auth][hmac]") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("hmac: the canonical string joins method, path, timestamp, nonce and body hash", "[auth][hmac]") {
  CHECK(CanonicalString("post", "/v1/tenants/acme/users", 1764000000, "nonce-0123456789ab", "abc") ==
        "POST\n/v1/tenants/acme/users\n1764000000\nnonce-0123456789ab\n"
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // An empty body still contributes its hash.
  CHECK(CanonicalString("DELETE", "/v1/tenants/acme/users/u1", 5, "n", "") ==
        "DELETE\n/v1/tenants/acme/users/u1\n5\nn\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("hmac: SignRequest produces the three headers over the canonical string", "[auth][hmac]") {
  const std::string secret = "0123456789abcdef0123456789abcdef";
  auto signed_headers = SignRequest(secret, "POST", "/v1/tenants/acme/users", "{}", 1764000000,
                                    "fixed-nonce-0123456789");
  REQUIRE(signed_headers.ok());
  CHECK(signed_headers->timestamp == "1764000000");
  CHECK(signed_headers->nonce == "fixed-nonce-0123456789");
  const std::string expected =
      "v1=" + HmacSha256Hex(secret, CanonicalString("POST", "/v1/tenants/acme/users", 1764000000,
                                                    "fixed-nonce-0123456789", "{}"));
  CHECK(signed_headers->signature == expected);
  auto list = signed_headers->List();
  REQUIRE(list.size() == 3);
  CHECK(list[0].first == "X-Crmsync-Timestamp");
  CHECK(list[1].first == "X-Crmsync-Nonce");
  CHECK(list[2].first == "X-Crmsync-Signature");

  // A different body, path or secret gives a different signature.
  CHECK(SignRequest(secret, "POST", "/v1/tenants/acme/users", "{ }", 1764000000, "fixed-nonce-0123456789")
            ->signature != expected);
  CHECK(SignRequest(secret, "POST", "/v1/tenants/acmf/users", "{}", 1764000000, "fixed-nonce-0123456789")
            ->signature != expected);
  CHECK(SignRequest(secret + "x", "POST", "/v1/tenants/acme/users", "{}", 1764000000, "fixed-nonce-0123456789")
            ->signature != expected);
}

TEST_CASE("hmac: SignRequest draws random nonces and refuses bad input without echoing the secret", "[auth][hmac]") {
  const std::string secret = "a-secret-that-must-not-leak-000000";
  auto a = SignRequest(secret, "POST", "/p", "", 1);
  auto b = SignRequest(secret, "POST", "/p", "", 1);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->nonce.size() == 32);
  CHECK(IsWellFormedNonce(a->nonce));
  CHECK(a->nonce != b->nonce);

  auto empty = SignRequest("", "POST", "/p", "", 1, "fixed-nonce-0123456789");
  REQUIRE_FALSE(empty.ok());
  auto bad_nonce = SignRequest(secret, "POST", "/p", "", 1, "short");
  REQUIRE_FALSE(bad_nonce.ok());
  CHECK(bad_nonce.status().message().find(secret) == std::string::npos);
  CHECK_FALSE(IsWellFormedNonce("has space in it 0123"));
  CHECK_FALSE(IsWellFormedNonce(std::string(129, 'a')));
}

TEST_CASE("hmac: ConstantTimeEquals compares content and length", "[auth][hmac]") {
  CHECK(ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abcd"));
  CHECK(ConstantTimeEquals("", ""));
}
