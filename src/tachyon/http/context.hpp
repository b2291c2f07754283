// What a handler and every middleware see of one request: the parsed request, the response being
// built, the matched route with its typed path parameters, and per-request facts (id, client, start,
// the authenticated principal, and the content codings the answer may use).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tachyon/auth/principal.hpp"
#include "tachyon/compress/content_coding.hpp"
#include "tachyon/http/request.hpp"
#include "tachyon/http/response.hpp"

namespace tachyon::http {

struct Route;

// Path parameters of the matched route, in template order. Integer parameters are parsed while matching.
class PathParams {
 public:
  static constexpr std::size_t capacity = 8;

  void clear() { count_ = 0; }
  void truncate(std::size_t count) { count_ = count < count_ ? count : count_; }
  bool add(std::string_view name, std::string_view raw, std::int64_t integer);
  std::size_t size() const { return count_; }

  // The raw (still percent-encoded) text of a parameter; empty when absent.
  std::string_view text(std::string_view name) const;
  // The value of an `{name:int}` parameter. Throws std::out_of_range when there is none of that name.
  std::int64_t integer(std::string_view name) const;

 private:
  struct Param {
    std::string_view name;
    std::string_view raw;
    std::int64_t integer;
  };
  Param params_[capacity]{};
  std::size_t count_ = 0;
};

struct Context {
  Context(Request& request_ref, Response& response_ref) : request(request_ref), response(response_ref) {}

  Request& request;
  Response& response;
  const Route* route = nullptr;  // null when no route matched (404/405/OPTIONS)
  PathParams params;
  std::string request_id;
  std::string_view client_address;
  bool secure = false;  // arrived over TLS
  // The name (first DNS subjectAltName, else commonName) of the client certificate the TLS handshake
  // verified against TACHYON_TLS_CLIENT_CA_FILE; empty when none was presented or over plain HTTP.
  std::string_view client_certificate;
  std::chrono::steady_clock::time_point started{};
  // Set by the access middleware when the request carried valid credentials; null for anonymous
  // requests (only public routes answer those). Shared with the verified-token cache: no copy per request.
  std::shared_ptr<const auth::Principal> principal;
  // Set by the representation middleware before the handler runs: what Accept-Encoding allows, and the
  // rules for compressing this route's answers (null: never compressed). A cache answers from a stored
  // compressed variant with them (content_coding_for).
  compress::AcceptedCodings accepted_codings;
  const compress::CompressionRules* compression = nullptr;
};

// The coding this request's answer of that type and size goes out with.
inline compress::ContentCoding content_coding_for(const Context& context, std::string_view content_type,
                                                  std::size_t size) {
  if (context.compression == nullptr) return compress::ContentCoding::identity;
  return context.accepted_codings.choose(context.compression->worth_compressing(content_type, size));
}

using Handler = std::function<boost::asio::awaitable<void>(Context&)>;

}  // namespace tachyon::http
