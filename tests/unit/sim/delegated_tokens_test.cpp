// The simulator's per-user refresh tokens: rotation on every redemption, the
// predecessor valid until its successor is redeemed, reissue voids the rest.
#include <catch2/catch.hpp>

#include "delegated_tokens.hpp"

using crmsync::sim::DelegatedTokens;

TEST_CASE("delegated refresh tokens rotate; a redeemed token dies once its successor is redeemed", "[sim]") {
  DelegatedTokens tokens;
  const std::string t0 = tokens.Issue(0, 3);
  auto r1 = tokens.Redeem(t0);
  REQUIRE(r1);
  CHECK(r1->tenant == 0);
  CHECK(r1->user == 3);
  CHECK(r1->successor != t0);

  // A client that crashed before storing t1 still holds a working t0.
  auto again = tokens.Redeem(t0);
  REQUIRE(again);
  const std::string t1 = again->successor;
  CHECK(t1 != r1->successor);
  CHECK_FALSE(tokens.Redeem(r1->successor));   // the lost successor was dropped

  auto r2 = tokens.Redeem(t1);
  REQUIRE(r2);
  CHECK_FALSE(tokens.Redeem(t0));   // its successor was redeemed: void
  CHECK(tokens.Redeem(r2->successor));
  CHECK_FALSE(tokens.Redeem(""));
  CHECK_FALSE(tokens.Redeem("M.C5_BAY.0.U.-unknown"));

  // A new consent voids every earlier token of that user only.
  const std::string other = tokens.Issue(0, 4);
  const std::string fresh = tokens.Issue(0, 3);
  CHECK_FALSE(tokens.Redeem(t1));
  CHECK(tokens.Redeem(fresh));
  CHECK(tokens.Redeem(other));
}
