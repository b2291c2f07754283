// Attacks on access tokens over real HTTP (OWASP API2, RFC 8725): every forged, tampered, stale or
// misdirected token gets 401 with `WWW-Authenticate: Bearer error="invalid_token"`, and the problem names
// why it failed, so each test shows the check that caught it. Tokens that need a valid signature (expired,
// not yet valid, wrong issuer or audience, oversized) are signed with the server's own key, read from its
// database with its secret as `app/acme/key_ring` does: only the claim under test is wrong. A control
// token, the server's own payload re-signed, must pass, so a test that forges wrongly fails.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "app/acme/key_ring.hpp"
#include "support/acme_backend.hpp"
#include "support/acme_support.hpp"
#include "tachyon/auth/jwt.hpp"
#include "tachyon/db/postgres_connection.hpp"
#include "tachyon/db/sqlite_connection.hpp"
#include "tachyon/security/signing.hpp"

namespace tachyon::testing {
namespace {

using security::base64url_decode;
using security::base64url_encode;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The three segments of a compact JWS.
struct Segments {
  std::string header;  // decoded JSON
  std::string payload;
  std::string signature;  // still base64url
};

Segments split(const std::string& token) {
  std::size_t first = token.find('.');
  std::size_t second = token.find('.', first + 1);
  return {base64url_decode(token.substr(0, first)).value(),
          base64url_decode(token.substr(first + 1, second - first - 1)).value(), token.substr(second + 1)};
}

std::string join(std::string_view header, std::string_view payload, std::string_view signature) {
  return base64url_encode(header) + "." + base64url_encode(payload) + "." + std::string(signature);
}

// Where the value of `"name":` ends in a flat JSON object of ours: a string, an array or a number.
std::size_t value_end(const std::string& json, std::size_t value) {
  if (json[value] == '"') return json.find('"', value + 1) + 1;
  if (json[value] == '[') return json.find(']', value) + 1;
  return json.find_first_of(",}", value);
}

// `"name":<old>` replaced by `"name":<value>` (our own payloads: no nesting, no escaped quotes); appended
// when absent.
std::string with_member(const std::string& json, const std::string& name, const std::string& value) {
  const std::string key = "\"" + name + "\":";
  std::size_t at = json.find(key);
  if (at == std::string::npos) return json.substr(0, json.size() - 1) + "," + key + value + "}";
  std::size_t begin = at + key.size();
  return json.substr(0, begin) + value + json.substr(value_end(json, begin));
}

// The member `"name":...` and its comma removed.
std::string without_member(const std::string& json, const std::string& name) {
  std::size_t at = json.find("\"" + name + "\":");
  if (at == std::string::npos) return json;
  std::size_t end = value_end(json, at + name.size() + 3);
  if (json[end] == ',') ++end;
  return json.substr(0, at) + json.substr(end);
}

class TokenAttacks : public ::testing::TestWithParam<AcmeBackend> {
 protected:
  void SetUp() override {
    caller = server.new_caller("user");
    genuine = caller.headers.substr(std::string_view("Authorization: Bearer ").size());
    genuine.resize(genuine.size() - 2);  // the CRLF
    parts = split(genuine);
    // The server's signing key, read from its own database.
    std::unique_ptr<db::Connection> connection;
    if (database.postgres() != nullptr) {
      connection =
          std::make_unique<db::PostgresConnection>(db::PostgresConnectionOptions{.url = database.postgres()->url()});
    } else {
      connection = std::make_unique<db::SqliteConnection>(
          db::ConnectionOptions{.path = server.database_file().string(), .read_only = true});
    }
    app::acme::KeyRing ring(server.secret_key(), {.issuer = "tachyon", .audience = "acme"}, auth::JwsAlgorithm::eddsa,
                            std::chrono::hours(1));
    ring.refresh(*connection, unix_now());
    ASSERT_TRUE(ring.snapshot()->signer.has_value()) << "the server's signing key did not unseal";
    signer = *ring.snapshot()->signer;
  }

  // GET /v1/auth/me with `token` as the bearer token.
  HttpResponse present(const std::string& token) const {
    return server.call("GET", "/v1/auth/me", "", "Authorization: Bearer " + token + "\r\n");
  }
  // The payload signed by the server's own key under the server's own header.
  std::string signed_by_server(const std::string& payload) const {
    return auth::sign_compact(signer, parts.header, payload);
  }
  // 401, the invalid_token challenge, and `reason` named in the problem's detail.
  static void expect_refused(const HttpResponse& response, std::string_view reason) {
    EXPECT_EQ(response.status, 401) << response.body;
    EXPECT_EQ(response.header("www-authenticate"), "Bearer error=\"invalid_token\"");
    EXPECT_NE(response.body.find("(" + std::string(reason) + ")"), std::string::npos) << response.body;
    EXPECT_EQ(response.body.find("\"sub\""), std::string::npos) << "nothing of the identity leaks";
  }

  AcmeDatabase database{GetParam()};
  AcmeServer server{{}, database.environment()};
  AcmeServer::Caller caller;
  std::string genuine;
  Segments parts;
  auth::JwtKey signer = auth::JwtKey::generate(auth::JwsAlgorithm::eddsa, "placeholder");
};

TEST_P(TokenAttacks, TheServersOwnPayloadReSignedIsAcceptedSoTheForgeriesBelowAreMeaningful) {
  EXPECT_EQ(present(genuine).status, 200);
  HttpResponse resigned = present(signed_by_server(parts.payload));
  ASSERT_EQ(resigned.status, 200) << resigned.body;
  EXPECT_NE(resigned.body.find("\"user:" + std::to_string(caller.id) + "\""), std::string::npos) << resigned.body;
}

TEST_P(TokenAttacks, AlgNoneIsRefusedInEverySpelling) {
  for (std::string none : {"none", "None", "NONE", "nOnE"}) {
    std::string header = with_member(parts.header, "alg", "\"" + none + "\"");
    expect_refused(present(join(header, parts.payload, "")), "algorithm_mismatch");
  }
  std::string no_alg = without_member(parts.header, "alg");
  ASSERT_NE(no_alg, parts.header);
  expect_refused(present(join(no_alg, parts.payload, "")), "malformed");
}

TEST_P(TokenAttacks, Hs256SignedWithThePublicKeyIsAlgorithmConfusion) {
  // The classic attack: HMAC keyed with the public key the JWKS publishes, as PEM and as the raw JWK "x".
  std::string header = with_member(parts.header, "alg", "\"HS256\"");
  std::string pem = signer.public_pem();
  auth::JwtKey pem_secret = auth::JwtKey::from_private(auth::JwsAlgorithm::hs256, signer.kid(), pem);
  expect_refused(present(auth::sign_compact(pem_secret, header, parts.payload)), "algorithm_mismatch");
  Json jwks(server.call_anonymous("GET", "/.well-known/jwks.json").body);
  std::string x = base64url_decode(jwks.root()["keys"].at(0)["x"].get_string().value()).value();
  auth::JwtKey jwk_secret = auth::JwtKey::from_private(auth::JwsAlgorithm::hs256, signer.kid(), x);
  expect_refused(present(auth::sign_compact(jwk_secret, header, parts.payload)), "algorithm_mismatch");
}

TEST_P(TokenAttacks, AStrippedOrForeignSignatureIsRefused) {
  std::string unsigned_token = genuine.substr(0, genuine.rfind('.') + 1);
  expect_refused(present(unsigned_token), "bad_signature");
  auth::JwtKey attacker = auth::JwtKey::generate(auth::JwsAlgorithm::eddsa, signer.kid());
  expect_refused(present(auth::sign_compact(attacker, parts.header, parts.payload)), "bad_signature");
}

TEST_P(TokenAttacks, AnAlteredPayloadUnderTheOriginalSignatureIsRefused) {
  std::string promoted = with_member(with_member(parts.payload, "roles", "[\"admin\"]"), "scope", "\"admin\"");
  ASSERT_NE(promoted, parts.payload);
  expect_refused(present(join(parts.header, promoted, parts.signature)), "bad_signature");
  std::string someone_else = with_member(parts.payload, "sub", "\"user:" + std::to_string(caller.id + 1) + "\"");
  ASSERT_NE(someone_else, parts.payload);
  expect_refused(present(join(parts.header, someone_else, parts.signature)), "bad_signature");
}

TEST_P(TokenAttacks, ExpiredAndNotYetValidTokensAreRefusedBeyondTheLeeway) {
  const std::int64_t now = unix_now();
  std::string expired =
      with_member(with_member(parts.payload, "iat", std::to_string(now - 7200)), "exp", std::to_string(now - 3600));
  expect_refused(present(signed_by_server(expired)), "expired");
  std::string early = with_member(parts.payload, "nbf", std::to_string(now + 3600));
  expect_refused(present(signed_by_server(early)), "not_yet_valid");
  std::string issued_later = with_member(parts.payload, "iat", std::to_string(now + 3600));
  expect_refused(present(signed_by_server(issued_later)), "not_yet_valid");
  // Within the documented 30 s of clock skew a token still passes.
  std::string skewed = with_member(parts.payload, "nbf", std::to_string(now + 5));
  EXPECT_EQ(present(signed_by_server(skewed)).status, 200);
}

TEST_P(TokenAttacks, ATokenForAnotherIssuerOrAudienceIsRefused) {
  expect_refused(present(signed_by_server(with_member(parts.payload, "iss", "\"https://evil.example\""))),
                 "wrong_issuer");
  expect_refused(present(signed_by_server(with_member(parts.payload, "aud", "\"billing\""))), "wrong_audience");
  expect_refused(present(signed_by_server(with_member(parts.payload, "aud", "[\"billing\",\"payroll\"]"))),
                 "wrong_audience");
  // One of several audiences being ours is enough (RFC 7519 §4.1.3).
  EXPECT_EQ(present(signed_by_server(with_member(parts.payload, "aud", "[\"billing\",\"acme\"]"))).status, 200);
}

TEST_P(TokenAttacks, ATokenOfAnotherTypeIsRefused) {
  std::string id_token = with_member(parts.header, "typ", "\"JWT\"");
  expect_refused(present(auth::sign_compact(signer, id_token, parts.payload)), "wrong_type");
}

TEST_P(TokenAttacks, ARefreshTokenIsNoAccessToken) {
  HttpResponse tokens = server.login(caller.email, "correct horse battery");
  ASSERT_EQ(tokens.status, 200);
  std::string refresh(Json(tokens.body).root()["refresh_token"].get_string().value());
  expect_refused(present(refresh), "malformed");
  HttpResponse as_key = server.call("GET", "/v1/auth/me", "", "X-API-Key: " + refresh + "\r\n");
  EXPECT_EQ(as_key.status, 401);
  EXPECT_EQ(as_key.header("www-authenticate"), "Bearer error=\"invalid_token\"");
}

TEST_P(TokenAttacks, AKidIsOnlyALookupKeyNeverAPathOrSql) {
  for (std::string kid : {"../../../../etc/passwd", "/dev/null", "' OR '1'='1",
                          "x' UNION SELECT value FROM "
                          "server_secrets --",
                          ""}) {
    std::string header = with_member(parts.header, "kid", "\"" + kid + "\"");
    // Signed with the real key, so only the kid is wrong.
    expect_refused(present(auth::sign_compact(signer, header, parts.payload)), "unknown_key");
  }
  EXPECT_EQ(server.call("GET", "/healthz").status, 200) << "the server survived";
}

TEST_P(TokenAttacks, JkuX5uAndEmbeddedJwkHeadersAreIgnored) {
  // The attacker signs with their own key and points at it; the server must use only its own keys.
  auth::JwtKey attacker = auth::JwtKey::generate(auth::JwsAlgorithm::eddsa, "attacker-key");
  std::string attacker_jwk =
      "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + base64url_encode(std::string(32, 'A')) + "\"}";
  for (std::string extra : {std::string("\"jku\":\"http://127.0.0.1:9/jwks.json\""),
                            std::string("\"x5u\":\"http://127.0.0.1:9/cert.pem\""), "\"jwk\":" + attacker_jwk}) {
    std::string header = "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\"attacker-key\"," + extra + "}";
    expect_refused(present(auth::sign_compact(attacker, header, parts.payload)), "unknown_key");
    std::string ours = parts.header.substr(0, parts.header.size() - 1) + "," + extra + "}";
    expect_refused(present(auth::sign_compact(attacker, ours, parts.payload)), "bad_signature");
  }
}

TEST_P(TokenAttacks, ATokenOver8KiBIsRefusedBeforeParsing) {
  std::string padded = with_member(parts.payload, "pad", "\"" + std::string(9 * 1024, 'p') + "\"");
  std::string token = signed_by_server(padded);
  ASSERT_GT(token.size(), 9000u);
  expect_refused(present(token), "too_large");
}

TEST_P(TokenAttacks, GarbageIsRefusedAsMalformed) {
  for (const std::string& garbage : std::vector<std::string>{"!!!.@@@.###", "a.b", "....", "eyJhbGciOiJFZERTQSJ9",
                                                             "e30.e30.", "%00.%00.%00", std::string(200, '.')}) {
    expect_refused(present(garbage), "malformed");
  }
  std::string not_json = base64url_encode("not json") + "." + base64url_encode("{}") + ".c2ln";
  expect_refused(present(not_json), "malformed");
  std::string twice = with_member(parts.payload, "x", "1");
  twice = twice.substr(0, twice.size() - 1) + ",\"sub\":\"user:1\"}";  // "sub" named twice
  expect_refused(present(signed_by_server(twice)), "malformed");
}

TEST_P(TokenAttacks, TwoKindsOfCredentialAtOnceAreAnInvalidRequest) {
  HttpResponse both =
      server.call("GET", "/v1/auth/me", "", caller.headers + "X-API-Key: " + server.admin_key() + "\r\n");
  EXPECT_EQ(both.status, 401);
  EXPECT_EQ(both.header("www-authenticate"), "Bearer error=\"invalid_request\"");
  HttpResponse basic = server.call("GET", "/v1/auth/me", "", "Authorization: Basic YWRtaW46YWRtaW4=\r\n");
  EXPECT_EQ(basic.status, 401) << "another scheme is no credential at all";
  EXPECT_EQ(basic.header("www-authenticate"), "Bearer");
}

TEST_P(TokenAttacks, EveryRefusalIsCountedByReason) {
  expect_refused(present(genuine.substr(0, genuine.rfind('.') + 1)), "bad_signature");
  expect_refused(present(signed_by_server(with_member(parts.payload, "aud", "\"billing\""))), "wrong_audience");
  std::string metrics = server.call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("tachyon_auth_denied_total{reason=\"bad_signature\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tachyon_auth_denied_total{reason=\"wrong_audience\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("tachyon_auth_attempts_total{method=\"access_token\",outcome=\"failure\"} 2"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, TokenAttacks, every_backend, backend_name);

}  // namespace
}  // namespace tachyon::testing
