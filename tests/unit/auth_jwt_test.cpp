#include "tachyon/auth/jwt.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "tachyon/json/writer.hpp"
#include "tachyon/security/signing.hpp"

namespace tachyon::auth {
namespace {

using security::base64url_decode;
using security::base64url_encode;

constexpr std::int64_t now = 1'800'000'000;
constexpr char issuer[] = "https://auth.tachyon.example";
constexpr char audience[] = "https://api.tachyon.example";

JwtClaims sample_claims() {
  JwtClaims claims;
  claims.issuer = issuer;
  claims.subject = "alice";
  claims.audience = {audience};
  claims.expires_at = now + 300;
  claims.issued_at = now;
  claims.token_id = "token-1";
  claims.scope = "orders:read orders:write";
  claims.roles = {"admin", "support"};
  claims.client_id = "web";
  claims.session_id = "session-7";
  claims.kind = "user";
  return claims;
}

JwtVerifier verifier_with(const JwtKey& key) {
  JwtVerifier verifier(VerifyOptions{issuer, audience});
  verifier.add_key(key);
  return verifier;
}

std::string jwk_of(const JwtKey& key) {
  std::string out;
  json::JsonWriter writer(out);
  key.write_public_jwk(writer);
  return out;
}

std::string header_for(const JwtKey& key, std::string_view extra = "") {
  return std::string(R"({"alg":")") + std::string(algorithm_name(key.algorithm())) + R"(","typ":"at+jwt","kid":")" +
         key.kid() + "\"" + std::string(extra) + "}";
}

// A payload with every required claim, then `extra` members appended.
std::string payload_with(std::string_view extra = "", std::int64_t expires_at = now + 300) {
  return std::string(R"({"iss":")") + issuer + R"(","sub":"alice","aud":")" + audience + R"(","exp":)" +
         std::to_string(expires_at) + R"(,"iat":)" + std::to_string(now) + std::string(extra) + "}";
}

std::string segment(std::string_view token, int index) {
  std::size_t begin = 0;
  for (int skipped = 0; skipped < index; ++skipped) begin = token.find('.', begin) + 1;
  std::size_t end = token.find('.', begin);
  return std::string(token.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin));
}

// Expects verification to fail for exactly this reason, naming it on failure.
void expect_failure(const std::variant<JwtClaims, JwtFailure>& result, JwtFailure expected) {
  ASSERT_TRUE(std::holds_alternative<JwtFailure>(result))
      << "token was accepted, expected " << failure_reason(expected);
  EXPECT_EQ(failure_reason(std::get<JwtFailure>(result)), failure_reason(expected));
}

// The claims of an accepted token (empty ones after a failure), by value: the result is usually a temporary.
JwtClaims expect_accepted(std::variant<JwtClaims, JwtFailure> result) {
  if (const auto* failure = std::get_if<JwtFailure>(&result)) {
    ADD_FAILURE() << "token refused: " << failure_reason(*failure);
    return {};
  }
  return std::get<JwtClaims>(std::move(result));
}

TEST(JwsAlgorithmTest, NamesRoundTripAndParsingIsCaseSensitive) {
  for (auto algorithm : {JwsAlgorithm::eddsa, JwsAlgorithm::es256, JwsAlgorithm::hs256}) {
    EXPECT_EQ(parse_algorithm(algorithm_name(algorithm)), algorithm);
  }
  EXPECT_EQ(algorithm_name(JwsAlgorithm::eddsa), "EdDSA");
  EXPECT_EQ(parse_algorithm("hs256"), std::nullopt);
  EXPECT_EQ(parse_algorithm("none"), std::nullopt);
  EXPECT_EQ(parse_algorithm("RS256"), std::nullopt);
}

TEST(JwtFailureTest, ReasonsAreSnakeCaseNames) {
  EXPECT_EQ(failure_reason(JwtFailure::expired), "expired");
  EXPECT_EQ(failure_reason(JwtFailure::algorithm_mismatch), "algorithm_mismatch");
  EXPECT_EQ(failure_reason(JwtFailure::missing_claim), "missing_claim");
}

class JwtEveryAlgorithmTest : public testing::TestWithParam<JwsAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(Algorithms, JwtEveryAlgorithmTest,
                         testing::Values(JwsAlgorithm::eddsa, JwsAlgorithm::es256, JwsAlgorithm::hs256),
                         [](const auto& info) { return std::string(algorithm_name(info.param)); });

TEST_P(JwtEveryAlgorithmTest, SignedTokenVerifiesWithEveryClaimIntact) {
  const auto key = JwtKey::generate(GetParam(), "key-1");
  const auto token = sign_access_token(key, sample_claims());
  const auto claims = expect_accepted(verifier_with(key).verify(token, now));
  const auto expected = sample_claims();
  EXPECT_EQ(claims.issuer, expected.issuer);
  EXPECT_EQ(claims.subject, expected.subject);
  EXPECT_EQ(claims.audience, expected.audience);
  EXPECT_EQ(claims.expires_at, expected.expires_at);
  EXPECT_EQ(claims.issued_at, expected.issued_at);
  EXPECT_EQ(claims.not_before, 0);
  EXPECT_EQ(claims.token_id, expected.token_id);
  EXPECT_EQ(claims.scope, expected.scope);
  EXPECT_EQ(claims.roles, expected.roles);
  EXPECT_EQ(claims.client_id, expected.client_id);
  EXPECT_EQ(claims.session_id, expected.session_id);
  EXPECT_EQ(claims.kind, expected.kind);
}

TEST_P(JwtEveryAlgorithmTest, HeaderNamesAlgorithmAccessTokenTypeAndKid) {
  const auto key = JwtKey::generate(GetParam(), "key-1");
  const auto header = base64url_decode(segment(sign_access_token(key, sample_claims()), 0));
  ASSERT_TRUE(header);
  EXPECT_EQ(*header, header_for(key));
}

TEST_P(JwtEveryAlgorithmTest, FromPrivateOfPrivateMaterialIsTheSameKey) {
  const auto key = JwtKey::generate(GetParam(), "key-1");
  const auto restored = JwtKey::from_private(GetParam(), "key-1", key.private_material());
  EXPECT_EQ(restored.private_material(), key.private_material());
  EXPECT_EQ(restored.kid(), "key-1");
  EXPECT_EQ(restored.algorithm(), GetParam());
  EXPECT_EQ(jwk_of(restored), jwk_of(key));
  expect_accepted(verifier_with(key).verify(sign_access_token(restored, sample_claims()), now));
  expect_accepted(verifier_with(restored).verify(sign_access_token(key, sample_claims()), now));
}

TEST_P(JwtEveryAlgorithmTest, CopiedKeySignsAndVerifiesLikeTheOriginal) {
  const auto key = JwtKey::generate(GetParam(), "key-1");
  const JwtKey copy = key;  // NOLINT(performance-unnecessary-copy-initialization): the copy is what is tested
  expect_accepted(verifier_with(copy).verify(sign_access_token(key, sample_claims()), now));
}

TEST_P(JwtEveryAlgorithmTest, StrippedSignatureIsBadSignature) {
  const auto key = JwtKey::generate(GetParam(), "key-1");
  auto token = sign_access_token(key, sample_claims());
  token.erase(token.rfind('.') + 1);
  expect_failure(verifier_with(key).verify(token, now), JwtFailure::bad_signature);
}

TEST_P(JwtEveryAlgorithmTest, AlteredPayloadWithOldSignatureIsBadSignature) {
  const auto key = JwtKey::generate(GetParam(), "key-1");
  const auto token = sign_access_token(key, sample_claims());
  auto payload = *base64url_decode(segment(token, 1));
  payload.replace(payload.find("\"alice\""), 7, "\"admin\"");
  const auto forged = segment(token, 0) + "." + base64url_encode(payload) + "." + segment(token, 2);
  expect_failure(verifier_with(key).verify(forged, now), JwtFailure::bad_signature);
}

TEST_P(JwtEveryAlgorithmTest, OtherKeyWithTheSameKidIsBadSignature) {
  const auto key = JwtKey::generate(GetParam(), "key-1");
  const auto impostor = JwtKey::generate(GetParam(), "key-1");
  expect_failure(verifier_with(key).verify(sign_access_token(impostor, sample_claims()), now),
                 JwtFailure::bad_signature);
}

TEST_P(JwtEveryAlgorithmTest, AlgNoneWithEmptySignatureIsAlgorithmMismatch) {
  const auto key = JwtKey::generate(GetParam(), "key-1");
  const auto token =
      base64url_encode(R"({"alg":"none","typ":"at+jwt","kid":"key-1"})") + "." + base64url_encode(payload_with()) + ".";
  expect_failure(verifier_with(key).verify(token, now), JwtFailure::algorithm_mismatch);
}

// One key and one verifier shared by several threads: the prepared OpenSSL contexts are only read.
TEST_P(JwtEveryAlgorithmTest, VerifiesFromSeveralThreadsAtOnce) {
  const auto key = JwtKey::generate(GetParam(), "key-1");
  const auto verifier = verifier_with(key);
  const auto token = sign_access_token(key, sample_claims());
  const auto forged = sign_access_token(JwtKey::generate(GetParam(), "key-1"), sample_claims());
  std::atomic<int> accepted = 0;
  std::atomic<int> refused = 0;
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&] {
      for (int round = 0; round < 50; ++round) {
        accepted += std::holds_alternative<JwtClaims>(verifier.verify(token, now));
        refused += std::holds_alternative<JwtFailure>(verifier.verify(forged, now));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), 200);
  EXPECT_EQ(refused.load(), 200);
}

TEST(JwtKeyTest, FromPrivateRejectsBadMaterialWithoutEchoingIt) {
  const auto ed25519 = JwtKey::generate(JwsAlgorithm::eddsa, "ed").private_material();
  const auto p256 = JwtKey::generate(JwsAlgorithm::es256, "ec").private_material();
  const std::string secret_looking =
      "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldC1zZWNyZXQ=\n-----END PRIVATE KEY-----\n";
  const struct {
    JwsAlgorithm algorithm;
    std::string material;
  } cases[] = {
      {JwsAlgorithm::eddsa, secret_looking}, {JwsAlgorithm::eddsa, "not a pem"}, {JwsAlgorithm::eddsa, p256},
      {JwsAlgorithm::es256, ed25519},        {JwsAlgorithm::es256, ""},          {JwsAlgorithm::hs256, "too-short"},
  };
  for (const auto& bad : cases) {
    try {
      JwtKey::from_private(bad.algorithm, "kid", bad.material);
      ADD_FAILURE() << "accepted material for " << algorithm_name(bad.algorithm);
    } catch (const std::invalid_argument& error) {
      const std::string message = error.what();
      if (!bad.material.empty()) {
        EXPECT_EQ(message.find(bad.material), std::string::npos);
      }
      EXPECT_EQ(message.find("c2VjcmV0"), std::string::npos);
    }
  }
}

TEST(JwtKeyTest, PrivateMaterialIsPkcs8PemOrTheRawSecret) {
  EXPECT_EQ(JwtKey::generate(JwsAlgorithm::eddsa, "k").private_material().rfind("-----BEGIN PRIVATE KEY-----\n", 0),
            0u);
  EXPECT_EQ(JwtKey::generate(JwsAlgorithm::es256, "k").private_material().rfind("-----BEGIN PRIVATE KEY-----\n", 0),
            0u);
  EXPECT_EQ(JwtKey::generate(JwsAlgorithm::hs256, "k").private_material().size(), 32u);
  const std::string secret(40, 's');
  EXPECT_EQ(JwtKey::from_private(JwsAlgorithm::hs256, "k", secret).private_material(), secret);
  EXPECT_TRUE(JwtKey::generate(JwsAlgorithm::hs256, "k").is_symmetric());
  EXPECT_FALSE(JwtKey::generate(JwsAlgorithm::es256, "k").is_symmetric());
}

TEST(JwtKeyTest, Ed25519JwkIsOkpWithA43CharacterX) {
  const auto jwk = jwk_of(JwtKey::generate(JwsAlgorithm::eddsa, "ed-1"));
  const auto x_start = jwk.find(R"("x":")") + 5;
  const auto x = jwk.substr(x_start, jwk.find('"', x_start) - x_start);
  EXPECT_EQ(x.size(), 43u);
  EXPECT_EQ(jwk, R"({"kty":"OKP","crv":"Ed25519","x":")" + x + R"(","kid":"ed-1","alg":"EdDSA","use":"sig"})");
}

TEST(JwtKeyTest, Es256JwkIsEcWith43CharacterXAndY) {
  const auto jwk = jwk_of(JwtKey::generate(JwsAlgorithm::es256, "ec-1"));
  auto member = [&](std::string_view name) {
    const auto start = jwk.find("\"" + std::string(name) + "\":\"") + name.size() + 4;
    return jwk.substr(start, jwk.find('"', start) - start);
  };
  EXPECT_EQ(member("x").size(), 43u);
  EXPECT_EQ(member("y").size(), 43u);
  EXPECT_EQ(jwk, R"({"kty":"EC","crv":"P-256","x":")" + member("x") + R"(","y":")" + member("y") +
                     R"(","kid":"ec-1","alg":"ES256","use":"sig"})");
}

TEST(JwtKeyTest, Hs256WritesNoJwk) {
  EXPECT_EQ(jwk_of(JwtKey::generate(JwsAlgorithm::hs256, "hs-1")), "");
  EXPECT_EQ(JwtKey::generate(JwsAlgorithm::hs256, "hs-1").public_pem(), "");
}

TEST(JwtSignTest, OneAudienceIsAStringSeveralAreAnArray) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  auto claims = sample_claims();
  EXPECT_NE(
      base64url_decode(segment(sign_access_token(key, claims), 1))->find(R"("aud":"https://api.tachyon.example")"),
      std::string::npos);
  claims.audience = {"https://other.example", audience};
  EXPECT_NE(base64url_decode(segment(sign_access_token(key, claims), 1))
                ->find(R"("aud":["https://other.example","https://api.tachyon.example"])"),
            std::string::npos);
}

TEST(JwtSignTest, AbsentOptionalClaimsAreNotWritten) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  JwtClaims claims;
  claims.issuer = issuer;
  claims.subject = "svc";
  claims.audience = {audience};
  claims.expires_at = now + 60;
  claims.issued_at = now;
  claims.client_id = "batch";
  claims.token_id = "t";
  const auto payload = *base64url_decode(segment(sign_access_token(key, claims), 1));
  EXPECT_EQ(payload, R"({"iss":"https://auth.tachyon.example","sub":"svc","aud":"https://api.tachyon.example",)"
                     R"("exp":1800000060,"iat":1800000000,"jti":"t","client_id":"batch"})");
}

TEST(JwtSignTest, NoAudienceOrNoExpiryIsRefused) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  auto claims = sample_claims();
  claims.audience.clear();
  EXPECT_THROW(sign_access_token(key, claims), std::invalid_argument);
  claims = sample_claims();
  claims.expires_at = 0;
  EXPECT_THROW(sign_access_token(key, claims), std::invalid_argument);
}

TEST(JwtVerifierTest, EmptyIssuerOrAudienceIsRefused) {
  EXPECT_THROW(JwtVerifier(VerifyOptions{"", audience}), std::invalid_argument);
  EXPECT_THROW(JwtVerifier(VerifyOptions{issuer, ""}), std::invalid_argument);
}

// Algorithm confusion (RFC 8725 §2.1): the attacker HMACs with the public key, which it knows, as the secret.
TEST(JwtAttackTest, Hs256SignedWithThePublicJwkOrPemIsAlgorithmMismatch) {
  for (auto algorithm : {JwsAlgorithm::eddsa, JwsAlgorithm::es256}) {
    const auto key = JwtKey::generate(algorithm, "key-1");
    for (const auto& public_text : {jwk_of(key), key.public_pem()}) {
      ASSERT_GE(public_text.size(), 32u);
      const auto forger = JwtKey::from_private(JwsAlgorithm::hs256, "key-1", public_text);
      const auto token = sign_access_token(forger, sample_claims());
      expect_failure(verifier_with(key).verify(token, now), JwtFailure::algorithm_mismatch);
    }
  }
}

TEST(JwtAttackTest, HeaderAlgOfAnotherAsymmetricAlgorithmIsAlgorithmMismatch) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  const auto other =
      JwtKey::from_private(JwsAlgorithm::es256, "key-1", JwtKey::generate(JwsAlgorithm::es256, "x").private_material());
  expect_failure(verifier_with(key).verify(sign_access_token(other, sample_claims()), now),
                 JwtFailure::algorithm_mismatch);
}

TEST(JwtAttackTest, ExpiredBeyondLeewayIsRefusedWithinLeewayAccepted) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  const auto verifier = verifier_with(key);
  const auto token = sign_access_token(key, sample_claims());  // exp = now + 300, leeway 30 s
  expect_accepted(verifier.verify(token, now + 300));
  expect_accepted(verifier.verify(token, now + 329));
  expect_failure(verifier.verify(token, now + 330), JwtFailure::expired);
  expect_failure(verifier.verify(token, now + 100'000), JwtFailure::expired);
}

TEST(JwtAttackTest, NotBeforeInTheFutureIsNotYetValid) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  auto claims = sample_claims();
  claims.not_before = now + 120;
  const auto token = sign_access_token(key, claims);
  expect_failure(verifier_with(key).verify(token, now), JwtFailure::not_yet_valid);
  expect_accepted(verifier_with(key).verify(token, now + 95));  // within the 30 s leeway
}

TEST(JwtAttackTest, IssuedInTheFutureIsNotYetValid) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  auto claims = sample_claims();
  claims.issued_at = now + 120;
  expect_failure(verifier_with(key).verify(sign_access_token(key, claims), now), JwtFailure::not_yet_valid);
}

TEST(JwtAttackTest, WrongIssuerIsRefused) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  auto claims = sample_claims();
  claims.issuer = "https://auth.tachyon.example.evil";
  expect_failure(verifier_with(key).verify(sign_access_token(key, claims), now), JwtFailure::wrong_issuer);
}

TEST(JwtAttackTest, WrongAudienceIsRefused) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  auto claims = sample_claims();
  claims.audience = {"https://billing.tachyon.example"};
  expect_failure(verifier_with(key).verify(sign_access_token(key, claims), now), JwtFailure::wrong_audience);
  claims.audience = {"https://billing.tachyon.example", "https://admin.tachyon.example"};
  expect_failure(verifier_with(key).verify(sign_access_token(key, claims), now), JwtFailure::wrong_audience);
}

TEST(JwtAttackTest, AudienceArrayContainingOursIsAccepted) {
  const auto key = JwtKey::generate(JwsAlgorithm::es256, "key-1");
  auto claims = sample_claims();
  claims.audience = {"https://billing.tachyon.example", audience};
  const auto read = expect_accepted(verifier_with(key).verify(sign_access_token(key, claims), now));
  EXPECT_EQ(read.audience, claims.audience);
}

TEST(JwtAttackTest, InjectedKidsAreUnknownKey) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  for (const char* kid : {"../../etc/passwd", "1' OR '1'='1", "", "key-1\\u0000"}) {
    const auto forger = JwtKey::from_private(JwsAlgorithm::eddsa, kid, key.private_material());
    expect_failure(verifier_with(key).verify(sign_access_token(forger, sample_claims()), now), JwtFailure::unknown_key);
  }
}

TEST(JwtAttackTest, MissingKidIsUnknownKey) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  const auto token = sign_compact(key, R"({"alg":"EdDSA","typ":"at+jwt"})", payload_with());
  expect_failure(verifier_with(key).verify(token, now), JwtFailure::unknown_key);
}

TEST(JwtAttackTest, RemovedKeyIsUnknownKey) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  auto verifier = verifier_with(key);
  verifier.add_key(JwtKey::generate(JwsAlgorithm::es256, "key-2"));
  const auto token = sign_access_token(key, sample_claims());
  expect_accepted(verifier.verify(token, now));
  verifier.remove_key("key-1");
  expect_failure(verifier.verify(token, now), JwtFailure::unknown_key);
}

// RFC 8725 §3.10: keys named or embedded in the token are never fetched nor trusted.
TEST(JwtAttackTest, JkuHeaderIsIgnoredAndOurKeyStillVerifies) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  const auto token = sign_compact(
      key, header_for(key, R"(,"jku":"https://evil.example/jwks.json","x5u":"https://evil.example/cert.pem")"),
      payload_with());
  EXPECT_EQ(expect_accepted(verifier_with(key).verify(token, now)).subject, "alice");
}

TEST(JwtAttackTest, AttackerKeyNamedByJkuOrEmbeddedAsJwkFails) {
  for (auto algorithm : {JwsAlgorithm::eddsa, JwsAlgorithm::es256}) {
    const auto key = JwtKey::generate(algorithm, "key-1");
    const auto attacker_under_our_kid = JwtKey::generate(algorithm, "key-1");
    const auto headers =
        std::string(R"(,"jku":"https://evil.example/jwks.json","jwk":)") + jwk_of(attacker_under_our_kid);
    expect_failure(
        verifier_with(key).verify(
            sign_compact(attacker_under_our_kid, header_for(attacker_under_our_kid, headers), payload_with()), now),
        JwtFailure::bad_signature);
    const auto attacker = JwtKey::generate(algorithm, "attacker");
    expect_failure(
        verifier_with(key).verify(
            sign_compact(attacker, header_for(attacker, R"(,"jwk":)" + jwk_of(attacker)), payload_with()), now),
        JwtFailure::unknown_key);
  }
}

TEST(JwtAttackTest, TokenOverMaxBytesIsTooLarge) {
  const auto key = JwtKey::generate(JwsAlgorithm::hs256, "key-1");
  auto claims = sample_claims();
  claims.scope = std::string(9 * 1024, 'a');
  const auto token = sign_access_token(key, claims);
  ASSERT_GT(token.size(), 9u * 1024);
  expect_failure(verifier_with(key).verify(token, now), JwtFailure::too_large);
  expect_failure(verifier_with(key).verify(std::string(9 * 1024, '.'), now), JwtFailure::too_large);
}

TEST(JwtAttackTest, BrokenCompactSerialisationsAreMalformed) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  const auto verifier = verifier_with(key);
  const auto token = sign_access_token(key, sample_claims());
  const auto header = segment(token, 0);
  const auto payload = segment(token, 1);
  const auto signature = segment(token, 2);
  const std::string broken[] = {
      "",
      "garbage",
      "a.b",
      header + "." + payload,
      token + ".",
      token + "." + signature,
      "." + payload + "." + signature,
      header + ".." + signature,
      "!!!!." + payload + "." + signature,
      header + "=." + payload + "." + signature,
      header + "." + payload + "." + signature + "==",
      header + "." + payload + "+/." + signature,
      " " + token,
      token + "\n",
      "A" + header + "." + payload + "." + signature,  // length 1 mod 4 or shifted bits: not base64url of JSON
      base64url_encode("[1,2]") + "." + payload + "." + signature,
      base64url_encode("{\"alg\":\"EdDSA\"") + "." + payload + "." + signature,
  };
  for (const auto& text : broken) {
    SCOPED_TRACE(text);
    expect_failure(verifier.verify(text, now), JwtFailure::malformed);
  }
}

TEST(JwtAttackTest, TypOtherThanAccessTokenIsWrongType) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  const auto verifier = verifier_with(key);
  for (const char* header : {R"({"alg":"EdDSA","typ":"JWT","kid":"key-1"})", R"({"alg":"EdDSA","kid":"key-1"})",
                             R"({"alg":"EdDSA","typ":"application/jwt","kid":"key-1"})"}) {
    expect_failure(verifier.verify(sign_compact(key, header, payload_with()), now), JwtFailure::wrong_type);
  }
  for (const char* header : {R"({"alg":"EdDSA","typ":"application/at+jwt","kid":"key-1"})",
                             R"({"alg":"EdDSA","typ":"AT+JWT","kid":"key-1"})"}) {
    expect_accepted(verifier.verify(sign_compact(key, header, payload_with()), now));
  }
}

TEST(JwtAttackTest, CritHeaderIsUnsupportedHeader) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  const auto token = sign_compact(key, header_for(key, R"(,"crit":["exp"],"exp":1)"), payload_with());
  expect_failure(verifier_with(key).verify(token, now), JwtFailure::unsupported_header);
}

TEST(JwtAttackTest, MissingRequiredClaimIsMissingClaim) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  const auto verifier = verifier_with(key);
  const std::string no_exp = std::string(R"({"iss":")") + issuer + R"(","sub":"alice","aud":")" + audience +
                             R"(","iat":)" + std::to_string(now) + "}";
  expect_failure(verifier.verify(sign_compact(key, header_for(key), no_exp), now), JwtFailure::missing_claim);
  const std::string no_iss = std::string(R"({"sub":"alice","aud":")") + audience + R"(","exp":)" +
                             std::to_string(now + 60) + R"(,"iat":)" + std::to_string(now) + "}";
  expect_failure(verifier.verify(sign_compact(key, header_for(key), no_iss), now), JwtFailure::missing_claim);
}

TEST(JwtAttackTest, RepeatedOrMistypedMembersAreMalformed) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  const auto verifier = verifier_with(key);
  const std::string payloads[] = {
      payload_with(R"(,"sub":"admin")"),        payload_with(R"(,"exp":9999999999)"),
      payload_with(R"(,"roles":"admin")"),      payload_with(R"(,"roles":["a",1])"),
      payload_with(R"(,"nbf":"soon")"),         payload_with(R"(,"scope":["a"])"),
      payload_with("", now + 300) + "trailing",
  };
  for (const auto& payload : payloads) {
    SCOPED_TRACE(payload);
    expect_failure(verifier.verify(sign_compact(key, header_for(key), payload), now), JwtFailure::malformed);
  }
  expect_failure(
      verifier.verify(
          sign_compact(key, R"({"alg":"EdDSA","alg":"EdDSA","typ":"at+jwt","kid":"key-1"})", payload_with()), now),
      JwtFailure::malformed);
  expect_failure(verifier.verify(sign_compact(key, R"({"alg":"EdDSA","typ":"at+jwt","kid":7})", payload_with()), now),
                 JwtFailure::malformed);
}

TEST(JwtAttackTest, FractionalNumericDatesAreReadAsSeconds) {
  const auto key = JwtKey::generate(JwsAlgorithm::eddsa, "key-1");
  const auto payload = std::string(R"({"iss":")") + issuer + R"(","sub":"alice","aud":")" + audience +
                       R"(","exp":1800000300.5,"iat":1800000000.25})";
  const auto claims = expect_accepted(verifier_with(key).verify(sign_compact(key, header_for(key), payload), now));
  EXPECT_EQ(claims.expires_at, now + 300);
}

TEST(JwtAttackTest, Es256SignatureInDerFormIsBadSignature) {
  const auto key = JwtKey::generate(JwsAlgorithm::es256, "key-1");
  const auto token = sign_access_token(key, sample_claims());
  const auto raw = *base64url_decode(segment(token, 2));
  ASSERT_EQ(raw.size(), 64u);
  // The same R and S as DER (SEQUENCE of two INTEGERs): what a careless implementation would emit or accept.
  auto integer = [](std::string value) {
    if (static_cast<unsigned char>(value[0]) & 0x80) value.insert(value.begin(), '\0');
    return std::string{'\x02', static_cast<char>(value.size())} + value;
  };
  const auto body = integer(raw.substr(0, 32)) + integer(raw.substr(32));
  const auto der = std::string{'\x30', static_cast<char>(body.size())} + body;
  const auto forged = segment(token, 0) + "." + segment(token, 1) + "." + base64url_encode(der);
  expect_failure(verifier_with(key).verify(forged, now), JwtFailure::bad_signature);
}

// Interoperability: PyJWT (Debian's python3-jwt with python3-cryptography) verifies our tokens against our JWK.
bool python_has_pyjwt() {
  return std::system("/usr/bin/python3 -c 'import jwt, cryptography' >/dev/null 2>&1") == 0;
}

struct PythonResult {
  int exit_code = -1;
  std::string output;
};

PythonResult run_pyjwt(const std::filesystem::path& jwk_file, const std::filesystem::path& token_file) {
  static constexpr char script[] =
      "import json, sys, jwt\n"
      "jwk = json.load(open(sys.argv[1]))\n"
      "token = open(sys.argv[2]).read().strip()\n"
      "key = jwt.PyJWK(jwk).key\n"
      "claims = jwt.decode(token, key, algorithms=[jwk['alg']], audience=sys.argv[3], issuer=sys.argv[4])\n"
      "print(claims['sub'])\n";
  const auto command = std::string("/usr/bin/python3 -c \"") + script + "\" '" + jwk_file.string() + "' '" +
                       token_file.string() + "' '" + audience + "' '" + issuer + "' 2>/dev/null";
  PythonResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(JwtInteropTest, PyJwtVerifiesOurEdDsaAndEs256TokensAndRefusesTamperedOnes) {
  if (!python_has_pyjwt()) GTEST_SKIP() << "/usr/bin/python3 cannot import jwt and cryptography";
  const auto directory = std::filesystem::temp_directory_path() / ("tachyon_jwt_interop_" + security::random_hex(8));
  std::filesystem::create_directories(directory);
  const auto jwk_file = directory / "jwk.json";
  const auto token_file = directory / "token.txt";
  const std::int64_t wall_clock = std::time(nullptr);  // PyJWT checks exp and iat against the real clock
  for (auto algorithm : {JwsAlgorithm::eddsa, JwsAlgorithm::es256}) {
    SCOPED_TRACE(algorithm_name(algorithm));
    const auto key = JwtKey::generate(algorithm, "interop-1");
    auto claims = sample_claims();
    claims.issued_at = wall_clock;
    claims.expires_at = wall_clock + 300;
    claims.subject = "interop-subject";
    const auto token = sign_access_token(key, claims);
    write_file(jwk_file, jwk_of(key));
    write_file(token_file, token);
    const auto accepted = run_pyjwt(jwk_file, token_file);
    EXPECT_EQ(accepted.exit_code, 0);
    EXPECT_EQ(accepted.output, "interop-subject\n");

    auto payload = *base64url_decode(segment(token, 1));
    payload.replace(payload.find("interop-subject"), 15, "interop-admin!!");
    write_file(token_file, segment(token, 0) + "." + base64url_encode(payload) + "." + segment(token, 2));
    const auto tampered = run_pyjwt(jwk_file, token_file);
    EXPECT_NE(tampered.exit_code, 0);
    EXPECT_EQ(tampered.output, "");
  }
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace tachyon::auth
