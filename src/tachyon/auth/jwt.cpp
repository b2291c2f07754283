#include "tachyon/auth/jwt.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "tachyon/json/writer.hpp"
#include "tachyon/security/signing.hpp"

namespace tachyon::auth {

namespace {

using simdjson::dom::element;

// One parser per thread: its buffers grow to the largest token once and are then reused (verify is hot).
simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

bool is_base64url_character(char character) {
  return (character >= 'A' && character <= 'Z') || (character >= 'a' && character <= 'z') ||
         (character >= '0' && character <= '9') || character == '-' || character == '_';
}

bool equals_ignoring_case(std::string_view left, std::string_view right) {
  return left.size() == right.size() &&
         std::equal(left.begin(), left.end(), right.begin(), [](char first, char second) {
           auto lower = [](char letter) {
             return letter >= 'A' && letter <= 'Z' ? static_cast<char>(letter - 'A' + 'a') : letter;
           };
           return lower(first) == lower(second);
         });
}

// RFC 9068 §4: "at+jwt" or "application/at+jwt"; media types compare case-insensitively (RFC 7515 §4.1.9).
bool is_access_token_type(std::string_view type) {
  return equals_ignoring_case(type, "at+jwt") || equals_ignoring_case(type, "application/at+jwt");
}

// RFC 7519 §2 NumericDate: seconds, possibly with a fraction (dropped). False when not a number in range.
bool read_seconds(element value, std::int64_t& out) {
  std::int64_t whole = 0;
  if (value.get_int64().get(whole) == simdjson::SUCCESS) {
    out = whole;
    return true;
  }
  double number = 0;
  if (value.get_double().get(number) != simdjson::SUCCESS || !std::isfinite(number) || std::fabs(number) > 9.0e18) {
    return false;
  }
  out = static_cast<std::int64_t>(std::floor(number));
  return true;
}

bool read_string(element value, std::string& out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return false;
  out.assign(text);
  return true;
}

// An array of strings or, with `single_allowed`, also one plain string (RFC 7519 §4.1.3 for aud).
bool read_strings(element value, std::vector<std::string>& out, bool single_allowed) {
  std::string_view text;
  if (single_allowed && value.get_string().get(text) == simdjson::SUCCESS) {
    out.emplace_back(text);
    return true;
  }
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return false;
  for (element item : array) {
    if (item.get_string().get(text) != simdjson::SUCCESS) return false;
    out.emplace_back(text);
  }
  return true;
}

// The JOSE header members the verifier acts on (RFC 7515 §4.1).
struct Header {
  std::string_view algorithm;  // alg
  std::string_view kid;
  bool has_kid = false;
};

// Reads the header object; the views point into the thread's parser and live until its next parse.
std::variant<Header, JwtFailure> read_header(const std::string& json) {
  simdjson::dom::object object;
  if (thread_parser().parse(json).get_object().get(object) != simdjson::SUCCESS) return JwtFailure::malformed;
  Header header;
  bool has_algorithm = false;
  bool has_type = false;
  bool has_crit = false;
  std::string_view type;
  for (auto [name, value] : object) {
    bool* seen = nullptr;
    std::string_view* text = nullptr;
    if (name == "alg") {
      seen = &has_algorithm, text = &header.algorithm;
    } else if (name == "typ") {
      seen = &has_type, text = &type;
    } else if (name == "kid") {
      seen = &header.has_kid, text = &header.kid;
    } else if (name == "crit") {
      // RFC 7515 §4.1.11: extensions named in crit must be understood; we understand none.
      has_crit = true;
      continue;
    } else {
      // jku, jwk, x5u, x5c (RFC 7515 §4.1.2-§4.1.6) and everything else: ignored. A key is never taken from
      // the token itself nor fetched from where it points (RFC 8725 §3.10); only our own key set is used.
      continue;
    }
    // RFC 7515 §4: member names must be unique; a repeated one could read differently in another parser.
    if (*seen || value.get_string().get(*text) != simdjson::SUCCESS) return JwtFailure::malformed;
    *seen = true;
  }
  if (!has_algorithm) return JwtFailure::malformed;  // RFC 7515 §4.1.1: alg is required
  if (has_crit) return JwtFailure::unsupported_header;
  if (!has_type || !is_access_token_type(type)) return JwtFailure::wrong_type;  // RFC 9068 §4, RFC 8725 §3.11
  return header;
}

enum ClaimBit : unsigned {
  iss_bit = 1u << 0,
  sub_bit = 1u << 1,
  aud_bit = 1u << 2,
  exp_bit = 1u << 3,
  iat_bit = 1u << 4,
  nbf_bit = 1u << 5,
  jti_bit = 1u << 6,
  scope_bit = 1u << 7,
  roles_bit = 1u << 8,
  client_id_bit = 1u << 9,
  sid_bit = 1u << 10,
  kind_bit = 1u << 11,
};
// RFC 9068 §2.2 requires iss, exp, aud, sub, client_id, iat and jti; of these the ones a resource server needs
// to decide are checked to be present, client_id and jti are read when present.
constexpr unsigned required_claims = iss_bit | sub_bit | aud_bit | exp_bit | iat_bit;

// Reads the claims in one pass over the payload object; unknown claims are ignored (RFC 7519 §4).
std::variant<JwtClaims, JwtFailure> read_claims(const std::string& json) {
  simdjson::dom::object object;
  if (thread_parser().parse(json).get_object().get(object) != simdjson::SUCCESS) return JwtFailure::malformed;
  JwtClaims claims;
  unsigned seen = 0;
  for (auto [name, value] : object) {
    unsigned bit = 0;
    bool valid = true;
    if (name == "iss") {
      bit = iss_bit, valid = read_string(value, claims.issuer);
    } else if (name == "sub") {
      bit = sub_bit, valid = read_string(value, claims.subject);
    } else if (name == "aud") {
      bit = aud_bit, valid = read_strings(value, claims.audience, true);
    } else if (name == "exp") {
      bit = exp_bit, valid = read_seconds(value, claims.expires_at);
    } else if (name == "iat") {
      bit = iat_bit, valid = read_seconds(value, claims.issued_at);
    } else if (name == "nbf") {
      bit = nbf_bit, valid = read_seconds(value, claims.not_before);
    } else if (name == "jti") {
      bit = jti_bit, valid = read_string(value, claims.token_id);
    } else if (name == "scope") {
      bit = scope_bit, valid = read_string(value, claims.scope);
    } else if (name == "roles") {
      bit = roles_bit, valid = read_strings(value, claims.roles, false);
    } else if (name == "client_id") {
      bit = client_id_bit, valid = read_string(value, claims.client_id);
    } else if (name == "sid") {
      bit = sid_bit, valid = read_string(value, claims.session_id);
    } else if (name == "kind") {
      bit = kind_bit, valid = read_string(value, claims.kind);
    } else {
      continue;
    }
    if (!valid || (seen & bit) != 0) return JwtFailure::malformed;  // wrong type, or named twice
    seen |= bit;
  }
  if ((seen & required_claims) != required_claims) return JwtFailure::missing_claim;
  return claims;
}

void write_claims(json::JsonWriter& writer, const JwtClaims& claims) {
  writer.begin_object();
  writer.field("iss", claims.issuer);
  writer.field("sub", claims.subject);
  writer.key("aud");
  if (claims.audience.size() == 1) {
    writer.value(claims.audience.front());  // RFC 7519 §4.1.3: a single audience may be a plain string
  } else {
    writer.begin_array();
    for (const auto& audience : claims.audience) writer.value(audience);
    writer.end_array();
  }
  writer.field("exp", claims.expires_at);
  writer.field("iat", claims.issued_at);
  if (claims.not_before != 0) writer.field("nbf", claims.not_before);
  writer.field("jti", claims.token_id);
  writer.field("client_id", claims.client_id);
  if (!claims.scope.empty()) writer.field("scope", claims.scope);
  if (!claims.roles.empty()) {
    writer.key("roles");
    writer.begin_array();
    for (const auto& role : claims.roles) writer.value(role);
    writer.end_array();
  }
  if (!claims.session_id.empty()) writer.field("sid", claims.session_id);
  if (!claims.kind.empty()) writer.field("kind", claims.kind);
  writer.end_object();
}

}  // namespace

std::string sign_compact(const JwtKey& key, std::string_view header_json, std::string_view payload_json) {
  // RFC 7515 §7.1: BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature over the first two).
  std::string token = security::base64url_encode(header_json);
  token += '.';
  token += security::base64url_encode(payload_json);
  const std::string signature = key.sign(token);
  token += '.';
  token += security::base64url_encode(signature);
  return token;
}

std::string sign_access_token(const JwtKey& key, const JwtClaims& claims) {
  if (claims.audience.empty()) throw std::invalid_argument("sign_access_token: an access token needs an audience");
  if (claims.expires_at == 0) throw std::invalid_argument("sign_access_token: an access token needs an expiry");
  std::string header;
  json::JsonWriter header_writer(header);
  header_writer.begin_object();
  header_writer.field("alg", algorithm_name(key.algorithm()));
  header_writer.field("typ", "at+jwt");  // RFC 9068 §2.1
  header_writer.field("kid", key.kid());
  header_writer.end_object();
  std::string payload;
  json::JsonWriter payload_writer(payload);
  write_claims(payload_writer, claims);
  return sign_compact(key, header, payload);
}

std::string_view failure_reason(JwtFailure failure) {
  switch (failure) {
    case JwtFailure::too_large:
      return "too_large";
    case JwtFailure::malformed:
      return "malformed";
    case JwtFailure::unsupported_header:
      return "unsupported_header";
    case JwtFailure::unknown_key:
      return "unknown_key";
    case JwtFailure::algorithm_mismatch:
      return "algorithm_mismatch";
    case JwtFailure::bad_signature:
      return "bad_signature";
    case JwtFailure::wrong_type:
      return "wrong_type";
    case JwtFailure::expired:
      return "expired";
    case JwtFailure::not_yet_valid:
      return "not_yet_valid";
    case JwtFailure::wrong_issuer:
      return "wrong_issuer";
    case JwtFailure::wrong_audience:
      return "wrong_audience";
    case JwtFailure::missing_claim:
      return "missing_claim";
  }
  return "unknown";
}

JwtVerifier::JwtVerifier(VerifyOptions options) : options_(std::move(options)) {
  if (options_.issuer.empty()) throw std::invalid_argument("JwtVerifier: the expected issuer must be set");
  if (options_.audience.empty()) throw std::invalid_argument("JwtVerifier: the expected audience must be set");
}

void JwtVerifier::add_key(JwtKey key) {
  remove_key(key.kid());
  keys_.push_back(std::move(key));
}

void JwtVerifier::remove_key(std::string_view kid) {
  std::erase_if(keys_, [kid](const JwtKey& key) { return key.kid() == kid; });
}

const JwtKey* JwtVerifier::find_key(std::string_view kid) const {
  for (const auto& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

std::variant<JwtClaims, JwtFailure> JwtVerifier::verify(std::string_view token, std::int64_t now_unix_seconds) const {
  if (token.size() > options_.max_token_bytes) return JwtFailure::too_large;  // before any parsing
  // RFC 7515 §7.1 and RFC 7519 §7.2: exactly three segments of unpadded base64url (RFC 7515 §2); '=', '+',
  // '/', whitespace and anything else refuse the token before decoding.
  std::size_t first_dot = std::string_view::npos;
  std::size_t second_dot = std::string_view::npos;
  for (std::size_t index = 0; index < token.size(); ++index) {
    const char character = token[index];
    if (character == '.') {
      if (first_dot == std::string_view::npos) {
        first_dot = index;
      } else if (second_dot == std::string_view::npos) {
        second_dot = index;
      } else {
        return JwtFailure::malformed;
      }
    } else if (!is_base64url_character(character)) {
      return JwtFailure::malformed;
    }
  }
  if (second_dot == std::string_view::npos || first_dot == 0 || second_dot == first_dot + 1) {
    return JwtFailure::malformed;
  }
  const std::string_view signing_input = token.substr(0, second_dot);
  const auto header_json = security::base64url_decode(token.substr(0, first_dot));
  if (!header_json) return JwtFailure::malformed;
  auto header = read_header(*header_json);
  if (const auto* failure = std::get_if<JwtFailure>(&header)) return *failure;
  const auto& fields = std::get<Header>(header);

  // RFC 8725 §3.1: the key, found by kid alone, decides the algorithm; the header may only agree with it.
  const JwtKey* key = fields.has_kid ? find_key(fields.kid) : nullptr;
  if (key == nullptr) return JwtFailure::unknown_key;
  if (fields.algorithm != algorithm_name(key->algorithm())) return JwtFailure::algorithm_mismatch;

  const auto signature = security::base64url_decode(token.substr(second_dot + 1));
  if (!signature) return JwtFailure::malformed;
  if (!key->verify(signing_input, *signature)) return JwtFailure::bad_signature;

  // Only now, with the signature checked, is the payload decoded and parsed.
  const auto payload_json = security::base64url_decode(token.substr(first_dot + 1, second_dot - first_dot - 1));
  if (!payload_json) return JwtFailure::malformed;
  auto result = read_claims(*payload_json);
  auto* claims = std::get_if<JwtClaims>(&result);
  if (claims == nullptr) return result;

  // RFC 9068 §4: iss must match exactly, and aud must contain this resource server (RFC 7519 §4.1.3).
  if (claims->issuer != options_.issuer) return JwtFailure::wrong_issuer;
  if (std::find(claims->audience.begin(), claims->audience.end(), options_.audience) == claims->audience.end()) {
    return JwtFailure::wrong_audience;
  }
  const std::int64_t leeway = options_.leeway.count();
  // RFC 7519 §4.1.4: not accepted on or after exp; §4.1.5: not before nbf; both with a small leeway.
  if (now_unix_seconds - leeway >= claims->expires_at) return JwtFailure::expired;
  if (claims->not_before != 0 && now_unix_seconds + leeway < claims->not_before) return JwtFailure::not_yet_valid;
  // RFC 7519 §4.1.6: a token issued in the future comes from a bad clock or a forger.
  if (now_unix_seconds + leeway < claims->issued_at) return JwtFailure::not_yet_valid;
  return result;
}

}  // namespace tachyon::auth
