#include "app/acme/identity_routes.hpp"

#include <sodium.h>

#include <chrono>

#include "app/acme/access_policy.hpp"
#include "tachyon/auth/api_key.hpp"
#include "tachyon/auth/sodium_library.hpp"
#include "tachyon/core/timestamp.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/http/form_body.hpp"
#include "tachyon/http/json_body.hpp"
#include "tachyon/json/writer.hpp"

namespace tachyon::app::acme {

namespace {

namespace asio = boost::asio;

void no_store(http::Response& response) {
  response.add_header("Cache-Control", "no-store");
  response.add_header("Pragma", "no-cache");
}

void respond_oauth_error(http::Context& context, const OAuthError& error) {
  http::Response& response = context.response;
  response.reset();
  response.status = error.status();
  response.set_content_type("application/json");
  json::JsonWriter writer(response.body);
  writer.begin_object();
  writer.field("error", std::string_view(error.code()));
  writer.field("error_description", std::string_view(error.description()));
  writer.end_object();
  no_store(response);
  if (error.status() == 401) response.add_header("WWW-Authenticate", "Basic realm=\"acme\"");
}

void respond_tokens(http::Context& context, const IssuedTokens& tokens) {
  http::Response& response = context.response;
  response.status = 200;
  response.set_content_type("application/json");
  json::JsonWriter writer(response.body);
  writer.begin_object();
  writer.field("access_token", std::string_view(tokens.access_token));
  writer.field("token_type", "bearer");
  writer.field("expires_in", tokens.expires_in);
  if (!tokens.refresh_token.empty()) writer.field("refresh_token", std::string_view(tokens.refresh_token));
  writer.field("scope", std::string_view(tokens.scope));
  writer.end_object();
  no_store(response);
}

// The form body of an OAuth request, or an invalid_request error.
http::FormBody read_form(const http::Context& context) {
  if (!http::is_form_content_type(context.request.header("content-type"))) {
    throw OAuthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
  }
  http::FormBody form = http::parse_form_body(context.request.body);
  if (!form.error.empty()) throw OAuthError(400, "invalid_request", form.error);
  return form;
}

std::string required(const http::FormBody& form, std::string_view name) {
  std::optional<std::string_view> value = form.get(name);
  if (!value) throw OAuthError(400, "invalid_request", "missing " + std::string(name));
  return std::string(*value);
}

void wipe_form(http::FormBody& form) {
  for (auto& [name, value] : form.fields) sodium_memzero(value.data(), value.size());
}

// RFC 6749 §2.3.1: `Authorization: Basic base64(urlencoded(id) ":" urlencoded(secret))`.
std::optional<std::pair<std::string, std::string>> basic_credentials(std::string_view authorization) {
  constexpr std::string_view scheme = "basic ";
  if (authorization.size() <= scheme.size() || !http::iequals(authorization.substr(0, scheme.size()), scheme)) {
    return std::nullopt;
  }
  std::string_view encoded = authorization.substr(scheme.size());
  auth::require_sodium();
  std::string decoded(encoded.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(), encoded.data(),
                        encoded.size(), nullptr, &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  decoded.resize(length);
  std::size_t colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  std::optional<std::string> id = http::percent_decode(std::string_view(decoded).substr(0, colon), true);
  std::optional<std::string> secret = http::percent_decode(std::string_view(decoded).substr(colon + 1), true);
  sodium_memzero(decoded.data(), decoded.size());
  if (!id || !secret) return std::nullopt;
  return std::pair{std::move(*id), std::move(*secret)};
}

asio::awaitable<IssuedTokens> run_grant(http::Context& context, Identity& identity, http::FormBody& form) {
  RequestFacts facts{context.client_address, context.request_id};
  std::string grant_type = required(form, "grant_type");
  std::string scope(form.get("scope").value_or(""));
  if (grant_type == "password") {
    std::string username = required(form, "username");
    std::string password = required(form, "password");
    wipe_form(form);
    co_return co_await identity.password_grant(std::move(username), std::move(password), std::move(scope), facts);
  }
  if (grant_type == "refresh_token") {
    std::string refresh_token = required(form, "refresh_token");
    wipe_form(form);
    co_return co_await identity.refresh_grant(std::move(refresh_token), std::move(scope), facts);
  }
  if (grant_type == "client_credentials") {
    auto client = basic_credentials(context.request.header("authorization"));
    if (!client) throw OAuthError(401, "invalid_client", "client credentials must come as HTTP Basic authentication");
    co_return co_await identity.client_credentials_grant(std::move(client->first), std::move(client->second),
                                                         std::move(scope), facts);
  }
  throw OAuthError(400, "unsupported_grant_type", "grant_type must be password, refresh_token or client_credentials");
}

asio::awaitable<void> token(http::Context& context, Identity& identity) {
  std::optional<OAuthError> failure;
  try {
    http::FormBody form = read_form(context);
    IssuedTokens tokens = co_await run_grant(context, identity, form);
    respond_tokens(context, tokens);
  } catch (const OAuthError& error) {
    failure = error;
  } catch (const auth::PasswordPoolFull&) {
    throw http::HttpError(503, "too many logins at once; try again shortly").with_header("Retry-After", "1");
  }
  if (failure) respond_oauth_error(context, *failure);
}

asio::awaitable<void> revoke(http::Context& context, Identity& identity) {
  std::optional<OAuthError> failure;
  try {
    http::FormBody form = read_form(context);
    std::string token = required(form, "token");
    wipe_form(form);
    co_await identity.revoke(std::move(token), {context.client_address, context.request_id});
    context.response.status = 200;
    no_store(context.response);
  } catch (const OAuthError& error) {
    failure = error;
  }
  if (failure) respond_oauth_error(context, *failure);
}

asio::awaitable<void> me(http::Context& context) {
  const auth::Principal& principal = *context.principal;
  http::Response& response = context.response;
  response.status = 200;
  response.set_content_type("application/json");
  json::JsonWriter writer(response.body);
  writer.begin_object();
  writer.field("sub", std::string_view(principal.subject));
  writer.field("kind", auth::kind_name(principal.kind));
  writer.key("roles");
  writer.begin_array();
  for (const std::string& role : principal.roles) writer.value(std::string_view(role));
  writer.end_array();
  writer.key("scopes");
  writer.begin_array();
  for (const std::string& scope : principal.scopes) writer.value(std::string_view(scope));
  writer.end_array();
  writer.end_object();
  response.add_header("Cache-Control", "private, no-store");
  co_return;
}

asio::awaitable<void> jwks(http::Context& context, Identity& identity) {
  context.response.set_json(200, identity.jwks());
  context.response.set_content_type("application/jwk-set+json");
  context.response.add_header("Cache-Control", "public, max-age=300");
  co_return;
}

std::string time_text(std::int64_t unix_seconds) {
  return core::format_rfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds)));
}

void write_optional_time(json::JsonWriter& writer, std::string_view name, const std::optional<std::int64_t>& value) {
  writer.key(name);
  if (value) {
    writer.value(std::string_view(time_text(*value)));
  } else {
    writer.null();
  }
}

void write_api_key(json::JsonWriter& writer, const identity_store::ApiKeyRecord& key) {
  writer.field("id", key.id);
  writer.field("name", std::string_view(key.name));
  writer.field("prefix", std::string_view(std::string(auth::api_key_prefix) + key.lookup_id));
  std::string scopes;
  for (const std::string& scope : key.scopes) scopes += (scopes.empty() ? "" : " ") + scope;
  writer.field("scopes", std::string_view(scopes));
  writer.field("created_at", std::string_view(time_text(key.created_at)));
  write_optional_time(writer, "expires_at", key.expires_at);
  write_optional_time(writer, "revoked_at", key.revoked_at);
  write_optional_time(writer, "last_used_at", key.last_used_at);
}

struct NewApiKey {
  std::string name;
  std::string scopes;
  std::optional<std::int64_t> expires_in_days;
};

const json::ObjectSchema<NewApiKey>& new_api_key_schema() {
  static const auto schema =
      json::ObjectSchema<NewApiKey>("NewApiKey")
          .string("name", &NewApiKey::name, {.min_length = 1, .max_length = 100})
          .string("scopes", &NewApiKey::scopes, {.min_length = 1, .max_length = 1000})
          .optional_integer("expires_in_days", &NewApiKey::expires_in_days, {.minimum = 1, .maximum = 3650});
  return schema;
}

asio::awaitable<void> list_api_keys(http::Context& context, Identity&, db::Database& database) {
  auto list = [](db::Connection& reader) { return identity_store::list_api_keys(reader); };
  std::vector<identity_store::ApiKeyRecord> keys = co_await database.read(std::move(list), &context);
  context.response.status = 200;
  context.response.set_content_type("application/json");
  json::JsonWriter writer(context.response.body);
  writer.begin_object();
  writer.key("items");
  writer.begin_array();
  for (const identity_store::ApiKeyRecord& key : keys) {
    writer.begin_object();
    write_api_key(writer, key);
    writer.end_object();
  }
  writer.end_array();
  writer.end_object();
  context.response.add_header("Cache-Control", "no-store");
  co_return;
}

std::vector<std::string> checked_scopes(std::string_view text) {
  std::vector<std::string> scopes;
  std::vector<json::FieldError> errors;
  std::span<const std::string> known = all_scopes();
  while (!text.empty()) {
    std::size_t space = text.find_first_of(" ,");
    std::string_view scope = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (scope.empty()) continue;
    if (std::find(known.begin(), known.end(), scope) == known.end()) {
      errors.push_back({"scopes", "unknown scope " + std::string(scope)});
      continue;
    }
    scopes.emplace_back(scope);
  }
  if (scopes.empty() && errors.empty()) errors.push_back({"scopes", "name at least one scope"});
  if (!errors.empty()) throw http::HttpError(422, "the request body failed validation", std::move(errors));
  return scopes;
}

asio::awaitable<void> create_api_key(http::Context& context, Identity& identity) {
  NewApiKey request = http::read_json_body(context, new_api_key_schema());
  std::vector<std::string> scopes = checked_scopes(request.scopes);
  std::optional<std::int64_t> expires_at;
  if (request.expires_in_days) expires_at = std::time(nullptr) + *request.expires_in_days * 86400;
  CreatedApiKey created = co_await identity.create_api_key(request.name, std::move(scopes), expires_at);
  context.response.status = 201;
  context.response.set_content_type("application/json");
  json::JsonWriter writer(context.response.body);
  writer.begin_object();
  write_api_key(writer, created.record);
  writer.field("key", std::string_view(created.key));
  writer.end_object();
  context.response.add_header("Location", "/v1/admin/api-keys/" + std::to_string(created.record.id));
  no_store(context.response);
}

asio::awaitable<void> revoke_api_key(http::Context& context, Identity& identity) {
  std::int64_t id = context.params.integer("id");
  co_await identity.revoke_api_key(id);
  context.response.status = 204;
}

}  // namespace

// Answers that carry credentials (tokens, API keys) next to text the client chose are never compressed:
// their compressed length would let an attacker who can inject guesses recover the secret (BREACH).
void add_identity_routes(http::Router& router, Identity& identity, db::Database& database) {
  router.post("/v1/auth/token", [&identity](http::Context& context) { return token(context, identity); })
      .name("issue_token")
      .never_compress()
      .tags({"auth"})
      .public_access()
      .summary("OAuth 2.0 token endpoint: password, refresh_token and client_credentials grants (form body)");
  router.post("/v1/auth/revoke", [&identity](http::Context& context) { return revoke(context, identity); })
      .name("revoke_token")
      .never_compress()
      .tags({"auth"})
      .public_access()
      .summary("RFC 7009 revocation of an access or refresh token (form body `token=`)");
  router.get("/v1/auth/me", me)
      .name("whoami")
      .never_compress()
      .tags({"auth"})
      .authenticated()
      .summary("The caller's subject, kind, roles and scopes");
  router.get("/.well-known/jwks.json", [&identity](http::Context& context) { return jwks(context, identity); })
      .cors(http::CorsMode::any_origin)  // public keys: any site may verify our tokens
      .name("jwks")
      .tags({"auth"})
      .public_access()
      .summary("The public keys that verify access tokens (JWK Set)");
  router
      .get("/v1/admin/api-keys",
           [&identity, &database](http::Context& context) { return list_api_keys(context, identity, database); })
      .name("list_api_keys")
      .never_compress()
      .tags({"admin"})
      .requires_scopes({"admin"})
      .summary("Every API key: name, public prefix, scopes, expiry, revocation, last use (never the key)");
  router.post("/v1/admin/api-keys", [&identity](http::Context& context) { return create_api_key(context, identity); })
      .name("create_api_key")
      .never_compress()
      .tags({"admin"})
      .requires_scopes({"admin"})
      .summary("Create an API key; the key is in this answer only")
      .request_schema([](json::JsonWriter& writer) { new_api_key_schema().write_json_schema(writer); });
  router
      .del("/v1/admin/api-keys/{id:int}",
           [&identity](http::Context& context) { return revoke_api_key(context, identity); })
      .name("revoke_api_key")
      .tags({"admin"})
      .requires_scopes({"admin"})
      .summary("Revoke an API key on every instance within a second");
}

}  // namespace tachyon::app::acme
