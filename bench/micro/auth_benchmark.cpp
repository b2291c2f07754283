// What identity costs per request and per login: verifying an access token cold (no cache) per
// algorithm, signing one, a verified-credential cache hit (what a repeat request pays instead), an API
// key's keyed hash, and one argon2id hash at OWASP's parameters (m = 19 MiB, t = 2, p = 1), whose
// inverse is the logins per second one hashing thread serves.
//
//   scripts/build.sh bench auth_benchmark
//   taskset -c 1 build/bench/bench/micro/auth_benchmark --benchmark_repetitions=5
//     --benchmark_report_aggregates_only=true   (one command line)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "tachyon/auth/api_key.hpp"
#include "tachyon/auth/jwt.hpp"
#include "tachyon/auth/password_hasher.hpp"
#include "tachyon/auth/principal.hpp"
#include "tachyon/auth/token_cache.hpp"

namespace {

using namespace tachyon::auth;

constexpr std::int64_t now = 1'800'000'000;

// An access token as Acme issues one (RFC 9068 claims, a user with its role's five scopes).
JwtClaims acme_claims(int index) {
  JwtClaims claims;
  claims.issuer = "tachyon";
  claims.subject = "user:" + std::to_string(index);
  claims.audience = {"acme"};
  claims.expires_at = now + 900;
  claims.issued_at = now;
  claims.not_before = now;
  claims.token_id = "0123456789abcdef0123456789abcd" + std::to_string(index % 100);
  claims.scope = "orders:read orders:write products:read users:read users:write";
  claims.roles = {"user"};
  claims.client_id = "acme";
  claims.session_id = "fedcba9876543210fedcba9876543210";
  claims.kind = "user";
  return claims;
}

JwsAlgorithm algorithm_of(const benchmark::State& state) {
  return static_cast<JwsAlgorithm>(state.range(0));
}

void set_label(benchmark::State& state) {
  state.SetLabel(std::string(algorithm_name(algorithm_of(state))));
}

// Distinct tokens, so nothing but the verifier's own per-key state is reused.
void jwt_verify_cold(benchmark::State& state) {
  JwtKey key = JwtKey::generate(algorithm_of(state), "k1");
  JwtVerifier verifier({.issuer = "tachyon", .audience = "acme"});
  verifier.add_key(key);
  std::vector<std::string> tokens;
  for (int index = 0; index < 1024; ++index) tokens.push_back(sign_access_token(key, acme_claims(index)));
  std::size_t next = 0;
  for (auto _ : state) {
    auto result = verifier.verify(tokens[next++ & 1023], now);
    if (!std::holds_alternative<JwtClaims>(result)) state.SkipWithError("a valid token failed");
    benchmark::DoNotOptimize(result);
  }
  set_label(state);
}

void jwt_sign(benchmark::State& state) {
  JwtKey key = JwtKey::generate(algorithm_of(state), "k1");
  JwtClaims claims = acme_claims(1);
  for (auto _ : state) benchmark::DoNotOptimize(sign_access_token(key, claims));
  set_label(state);
}

// The cached path of a repeat request: one lookup by the token's text in the sharded cache.
void token_cache_hit(benchmark::State& state) {
  JwtKey key = JwtKey::generate(JwsAlgorithm::eddsa, "k1");
  TokenCache cache;
  std::vector<std::string> tokens;
  for (int index = 0; index < 1024; ++index) {
    tokens.push_back(sign_access_token(key, acme_claims(index)));
    auto principal = std::make_shared<Principal>();
    principal->subject = "user:" + std::to_string(index);
    cache.insert(tokens.back(), principal, now + 900, cache.generation());
  }
  std::size_t next = 0;
  for (auto _ : state) {
    auto found = cache.find(tokens[next++ & 1023], now);
    if (!found) state.SkipWithError("a cached token was not found");
    benchmark::DoNotOptimize(found);
  }
}

// An API key's first check (a cache miss): the keyed hash compared with the stored one.
void api_key_keyed_hash(benchmark::State& state) {
  const std::string pepper(32, 'p');
  const std::string key = "tch_0123456789ab_0123456789abcdefghijklmnopqrstuv123456";
  for (auto _ : state) benchmark::DoNotOptimize(api_key_hash(pepper, key));
}

void argon2id_owasp(benchmark::State& state) {
  PasswordHasher hasher({}, 1, 0);  // the defaults: OWASP's m = 19 MiB, t = 2
  for (auto _ : state) benchmark::DoNotOptimize(hasher.hash_blocking("correct horse battery staple"));
  state.SetLabel("m=19MiB t=2 p=1");
}

constexpr auto eddsa = static_cast<std::int64_t>(JwsAlgorithm::eddsa);
constexpr auto es256 = static_cast<std::int64_t>(JwsAlgorithm::es256);
constexpr auto hs256 = static_cast<std::int64_t>(JwsAlgorithm::hs256);

BENCHMARK(jwt_verify_cold)->Arg(eddsa)->Arg(es256)->Arg(hs256)->Unit(benchmark::kMicrosecond);
BENCHMARK(jwt_sign)->Arg(eddsa)->Arg(es256)->Arg(hs256)->Unit(benchmark::kMicrosecond);
BENCHMARK(token_cache_hit)->Unit(benchmark::kNanosecond);
BENCHMARK(api_key_keyed_hash)->Unit(benchmark::kNanosecond);
BENCHMARK(argon2id_owasp)->Unit(benchmark::kMillisecond)->MinTime(1.0);

}  // namespace
