// Maps method + path to a handler through path templates with typed parameters
// ("/v1/users/{id:int}", "/files/{name}"), and carries each route's metadata: its name and template (the
// metrics label, never the raw path), its access declaration (public, authenticated, or scopes: every
// route must state one), its HTTP caching declaration (Cache-Control, compression, required
// preconditions), a rate-limit policy slot, and body schemas.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/http/context.hpp"

namespace tachyon::json {
class JsonWriter;
}

namespace tachyon::http {

// One documented response of a route (OpenAPI `responses`), e.g. {404, "No such user"}.
struct ResponseDoc {
  int status = 200;
  std::string description;
  std::function<void(json::JsonWriter&)> schema;  // writes the body's JSON Schema; empty = no body schema
  std::string content_type = "application/json";
};

// One documented query parameter. `type` is a JSON Schema type: "string", "integer", "number" or "boolean".
struct QueryParameter {
  std::string name;
  std::string type = "string";
  std::string description;
  bool required = false;
};

// Who may call a route. The access middleware enforces it; a route that declares nothing makes
// make_standard_pipeline() refuse to start, so no route is public by accident.
struct RouteAccess {
  enum class Level : std::uint8_t { undeclared, public_route, authenticated, scoped };
  Level level = Level::undeclared;
  std::vector<std::string> scopes;  // every one required (Level::scoped)
  bool loopback_only = false;       // an extra IP rule on top of the level

  bool is_public() const { return level == Level::public_route; }
};

// How a route answers cross-origin browser requests (http/cors.hpp): by the server's policy, to any
// origin without credentials (public data such as a JWKS), or never (machine endpoints).
enum class CorsMode : std::uint8_t { server_policy, any_origin, off };

struct RouteMetadata {
  std::string name;     // stable identifier, e.g. "get_user"
  std::string summary;  // one line for the API documentation
  RouteAccess access;
  // Cache-Control of its 2xx answers (when the handler set none), e.g. "public, max-age=0, s-maxage=60".
  std::string cache_control;
  // False for answers that mix secrets with input the client chose (credentials, tokens): compressing
  // them would let an attacker guess a secret from the compressed length (BREACH).
  bool compressible = true;
  // Writes need If-Match or If-Unmodified-Since, else 428 Precondition Required (RFC 6585 §3).
  bool requires_precondition = false;
  CorsMode cors = CorsMode::server_policy;
  // Content-Security-Policy of its answers; empty: the API's own (security headers middleware).
  std::string content_security_policy;
  std::string rate_limit_policy;                           // named rate-limit policy, empty = default
  std::function<void(json::JsonWriter&)> request_schema;   // writes the body's JSON Schema
  std::function<void(json::JsonWriter&)> response_schema;  // writes the response's JSON Schema
  std::vector<std::string> tags;                           // groups in the API documentation
  std::vector<ResponseDoc> responses;                      // documented responses; empty = the method's usual success
  std::vector<QueryParameter> parameters;                  // documented query parameters
};

struct Route {
  Method method = Method::get;
  std::string path_template;
  Handler handler;
  RouteMetadata metadata;
};

struct RouteMatch {
  const Route* route = nullptr;  // the route for the method (GET also answers HEAD)
  bool path_found = false;       // some route has this path, perhaps for other methods
  std::string allowed_methods;   // "GET, HEAD, OPTIONS" when path_found and no route matched
};

class Router {
 public:
  class RouteBuilder {
   public:
    explicit RouteBuilder(Route& route) : route_(route) {}
    RouteBuilder& name(std::string value);
    RouteBuilder& summary(std::string value);
    // The access declaration: exactly one of these three, once.
    RouteBuilder& public_access();
    RouteBuilder& authenticated();
    RouteBuilder& requires_scopes(std::vector<std::string> scopes);
    // Also refuse clients that are not on loopback (403), whatever their credentials.
    RouteBuilder& loopback_only();
    RouteBuilder& cache_control(std::string value);
    // Never compress this route's answers (see RouteMetadata::compressible).
    RouteBuilder& never_compress();
    RouteBuilder& requires_precondition(bool required = true);
    RouteBuilder& cors(CorsMode mode);
    RouteBuilder& content_security_policy(std::string value);
    RouteBuilder& rate_limit_policy(std::string value);
    RouteBuilder& request_schema(std::function<void(json::JsonWriter&)> writer);
    RouteBuilder& response_schema(std::function<void(json::JsonWriter&)> writer);
    RouteBuilder& tags(std::vector<std::string> value);
    RouteBuilder& response(int status, std::string description, std::function<void(json::JsonWriter&)> schema = {},
                           std::string content_type = "application/json");
    // Throws std::invalid_argument for a type other than string, integer, number or boolean.
    RouteBuilder& query_parameter(std::string name, std::string type, std::string description, bool required = false);

   private:
    RouteBuilder& declare_access(RouteAccess::Level level, std::vector<std::string> scopes);
    Route& route_;
  };

  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registers a route. Throws std::invalid_argument on a malformed template, an unknown parameter
  // type, a parameter that conflicts with another at the same position, or a duplicate route.
  RouteBuilder add(Method method, std::string_view path_template, Handler handler);
  RouteBuilder get(std::string_view path_template, Handler handler);
  RouteBuilder post(std::string_view path_template, Handler handler);
  RouteBuilder put(std::string_view path_template, Handler handler);
  RouteBuilder patch(std::string_view path_template, Handler handler);
  RouteBuilder del(std::string_view path_template, Handler handler);

  // Fills `params` for the matched route. `path` is the request path, still percent-encoded.
  RouteMatch match(Method method, std::string_view path, PathParams& params) const;

  // Every route in registration order (for OpenAPI and metrics).
  std::vector<const Route*> routes() const;

  // Throws std::invalid_argument naming the first route that declares no access.
  void require_declared_access() const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace tachyon::http
