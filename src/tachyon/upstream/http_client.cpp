#include "tachyon/upstream/http_client.hpp"

#include <boost/asio/ssl/error.hpp>
#include <charconv>
#include <optional>

#include "tachyon/http/field_values.hpp"
#include "tachyon/http/request.hpp"
#include "tachyon/http/response_parser.hpp"
#include "tachyon/upstream/connection.hpp"

namespace tachyon::upstream {
namespace {

namespace asio = boost::asio;
using http::ResponseParser;
constexpr std::size_t read_chunk_bytes = 16 * 1024;

// The ways an upstream hangs up: on a pooled connection before any byte of the answer, they mean it
// closed the idle connection as our request went out.
bool is_hang_up(const boost::system::error_code& error) {
  return error == asio::error::eof || error == asio::error::connection_reset || error == asio::error::broken_pipe ||
         error == asio::ssl::error::stream_truncated;
}

void check_request_parts(const std::string& path, const std::vector<std::pair<std::string, std::string>>& headers) {
  if (path.empty() || path.front() != '/') throw std::invalid_argument("upstream path must start with '/'");
  for (char character : path) {
    if (static_cast<unsigned char>(character) <= ' ' || character == 0x7f) {
      throw std::invalid_argument("upstream path contains a space or control character");
    }
  }
  for (const auto& [name, value] : headers) {
    if (name.empty()) throw std::invalid_argument("upstream header with an empty name");
    for (char character : name) {
      if (!http::is_token_character(character))
        throw std::invalid_argument("invalid upstream header name '" + name + "'");
    }
    if (http::iequals(name, "host")) throw std::invalid_argument("the Host header comes from the URL");
    if (http::iequals(name, "content-length") || http::iequals(name, "transfer-encoding") ||
        http::iequals(name, "content-type")) {
      throw std::invalid_argument("the '" + name + "' header comes from the body");
    }
    for (char character : value) {
      if (character == '\r' || character == '\n' || character == '\0') {
        throw std::invalid_argument("upstream header '" + name + "' has a line break in its value");
      }
    }
  }
}

// A GET when `body` is null, else a POST with Content-Type and Content-Length.
std::string build_request(const Url& base, const std::string& path,
                          const std::vector<std::pair<std::string, std::string>>& headers, const Body* body) {
  std::string request;
  request.reserve(128 + base.base_path.size() + path.size() + (body != nullptr ? body->bytes.size() : 0));
  request.append(body != nullptr ? "POST " : "GET ").append(base.base_path).append(path);
  request.append(" HTTP/1.1\r\nHost: ");
  bool ipv6 = base.host.find(':') != std::string::npos;
  if (ipv6) request.push_back('[');
  request.append(base.host);
  if (ipv6) request.push_back(']');
  if (base.port != (base.scheme == "https" ? 443 : 80)) request.append(":").append(std::to_string(base.port));
  request.append("\r\n");
  bool has_user_agent = false;
  for (const auto& [name, value] : headers) {
    has_user_agent = has_user_agent || http::iequals(name, "user-agent");
    request.append(name).append(": ").append(value).append("\r\n");
  }
  if (!has_user_agent) request.append("User-Agent: tachyon/" TACHYON_VERSION "\r\n");
  if (body != nullptr) {
    request.append("Content-Type: ").append(body->content_type).append("\r\n");
    request.append("Content-Length: ").append(std::to_string(body->bytes.size())).append("\r\n\r\n");
    request.append(body->bytes);
    return request;
  }
  request.append("\r\n");
  return request;
}

std::optional<std::uint64_t> declared_length(const ResponseParser& parser) {
  for (const auto& [name, value] : parser.headers()) {
    if (!http::iequals(name, "content-length")) continue;
    std::uint64_t length = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (error == std::errc() && end == value.data() + value.size()) return length;
  }
  return std::nullopt;
}

bool is_chunked(const ResponseParser& parser) {
  for (const auto& [name, value] : parser.headers()) {
    if (http::iequals(name, "transfer-encoding")) return true;
  }
  return false;
}

struct Exchange {
  std::optional<Response> response;
  bool keep_alive = false;
  FailureKind failure = FailureKind::protocol_error;
  std::string reason;
  bool nothing_received = false;  // the upstream hung up before the first byte of an answer
};

Response take_response(ResponseParser& parser) {
  Response response;
  response.status = parser.status();
  response.headers = parser.headers();
  response.body = parser.take_body();
  response.content_type = std::string(response.header("content-type"));
  response.etag = std::string(response.header("etag"));
  return response;
}

// Writes the request and reads one whole response within options.read_timeout.
asio::awaitable<Exchange> exchange(const std::shared_ptr<Connection>& connection, const std::string& request,
                                   const ClientOptions& options) {
  Exchange result;
  Connection& link = *connection;
  arm_deadline(connection, options.read_timeout);
  auto [write_error, written] = co_await write_all(link, asio::buffer(request));
  if (write_error) {
    disarm_deadline(link);
    result.failure = link.timed_out ? FailureKind::read_timeout : FailureKind::protocol_error;
    result.reason = link.timed_out ? "upstream did not take the request in time"
                                   : "cannot send the request upstream: " + write_error.message();
    result.nothing_received = !link.timed_out && is_hang_up(write_error);
    co_return result;
  }

  ResponseParser parser;
  parser.reset(false, true, true);
  bool head_checked = false;
  bool received_any = false;
  while (true) {
    std::size_t consumed = 0;
    ResponseParser::Result parsed = parser.parse(link.input, consumed);
    link.input.erase(0, consumed);
    if (parsed == ResponseParser::Result::error) {
      result.reason = "malformed response from upstream";
      break;
    }
    if (!head_checked && parser.status() != 0) {
      head_checked = true;
      std::optional<std::uint64_t> length = declared_length(parser);
      if (length && !is_chunked(parser) && *length > options.max_response_bytes) {
        result.failure = FailureKind::too_large;
        result.reason = "upstream response declares " + std::to_string(*length) + " bytes, over the limit of " +
                        std::to_string(options.max_response_bytes);
        break;
      }
    }
    if (parser.body_bytes() > options.max_response_bytes) {
      result.failure = FailureKind::too_large;
      result.reason = "upstream response is over the limit of " + std::to_string(options.max_response_bytes) + " bytes";
      break;
    }
    if (parsed == ResponseParser::Result::complete) {
      if (parser.status() == 101) {
        result.reason = "upstream switched protocols unasked";
        break;
      }
      if (parser.status() < 200) {  // 100 Continue, 103 Early Hints: the final answer follows
        parser.reset(false, true, true);
        head_checked = false;
        continue;
      }
      disarm_deadline(link);
      // Bytes after the response were not asked for: the connection's framing cannot be trusted.
      result.keep_alive = parser.keep_alive() && link.input.empty();
      result.response = take_response(parser);
      co_return result;
    }

    std::size_t held = link.input.size();
    link.input.resize(held + read_chunk_bytes);
    auto [read_error, received] = co_await read_some(link, asio::buffer(link.input.data() + held, read_chunk_bytes));
    link.input.resize(held + received);
    received_any = received_any || received > 0 || held > 0;
    if (!read_error) continue;
    if (link.timed_out) {
      result.failure = FailureKind::read_timeout;
      result.reason =
          "no complete response from upstream within " + std::to_string(options.read_timeout.count()) + " ms";
      break;
    }
    if (!is_hang_up(read_error)) {
      result.reason = "reading from upstream failed: " + read_error.message();
      result.nothing_received = !received_any && read_error == asio::error::connection_reset;
      break;
    }
    if (!received_any) {
      result.reason = "upstream closed the connection without answering";
      result.nothing_received = true;
      break;
    }
    if (parser.parse(link.input, consumed) != ResponseParser::Result::error &&
        parser.finish_on_close() == ResponseParser::Result::complete && parser.status() >= 200) {
      disarm_deadline(link);
      if (parser.body_bytes() > options.max_response_bytes) {
        result.failure = FailureKind::too_large;
        result.reason =
            "upstream response is over the limit of " + std::to_string(options.max_response_bytes) + " bytes";
        co_return result;
      }
      result.response = take_response(parser);
      co_return result;
    }
    result.reason = "upstream closed the connection in the middle of the response";
    break;
  }
  disarm_deadline(link);
  co_return result;
}

}  // namespace

std::string_view Response::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (http::iequals(field, name)) return value;
  }
  return {};
}

std::string_view to_string(FailureKind kind) {
  switch (kind) {
    case FailureKind::connect_failed:
      return "connect_failed";
    case FailureKind::connect_timeout:
      return "connect_timeout";
    case FailureKind::read_timeout:
      return "read_timeout";
    case FailureKind::protocol_error:
      return "protocol_error";
    case FailureKind::too_large:
      return "too_large";
    case FailureKind::tls_error:
      return "tls_error";
  }
  return "unknown";
}

HttpClient::HttpClient(asio::any_io_executor executor, ClientOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {}

HttpClient::~HttpClient() = default;

std::size_t HttpClient::idle_connections() const {
  std::size_t count = 0;
  for (const auto& [key, connections] : idle_) count += connections.size();
  return count;
}

std::shared_ptr<Connection> HttpClient::take_idle(const std::string& key) {
  auto found = idle_.find(key);
  if (found == idle_.end()) return nullptr;
  auto& connections = found->second;
  auto now = std::chrono::steady_clock::now();
  while (!connections.empty()) {
    std::shared_ptr<Connection> connection = std::move(connections.back());
    connections.pop_back();
    if (now - connection->idle_since <= options_.idle_timeout && connection->still_usable()) return connection;
  }
  return nullptr;
}

void HttpClient::give_back(std::shared_ptr<Connection> connection) {
  if (options_.max_idle_connections_per_host == 0) return;
  auto& connections = idle_[connection->key];
  auto now = std::chrono::steady_clock::now();
  // Oldest first: drop the ones idle too long, then the oldest while the pool is full.
  std::size_t expired = 0;
  while (expired < connections.size() && now - connections[expired]->idle_since > options_.idle_timeout) ++expired;
  if (connections.size() - expired >= options_.max_idle_connections_per_host) {
    expired = connections.size() - options_.max_idle_connections_per_host + 1;
  }
  connections.erase(connections.begin(), connections.begin() + static_cast<std::ptrdiff_t>(expired));
  connection->idle_since = now;
  connections.push_back(std::move(connection));
}

TlsContext* HttpClient::tls_context(const Url& base) {
  if (base.scheme != "https") return nullptr;
  if (!tls_) tls_ = std::make_unique<TlsContext>(options_);
  return tls_.get();
}

asio::awaitable<Response> HttpClient::get(const Url& base, std::string path,
                                          std::vector<std::pair<std::string, std::string>> headers) {
  ++counters_.requests;
  check_request_parts(path, headers);
  std::string request = build_request(base, path, headers, nullptr);
  co_return co_await send(base, std::move(request), Idempotency::idempotent);
}

asio::awaitable<Response> HttpClient::post(const Url& base, std::string path, Body body,
                                           std::vector<std::pair<std::string, std::string>> headers,
                                           Idempotency idempotency) {
  ++counters_.requests;
  check_request_parts(path, headers);
  for (char character : body.content_type) {
    if (character == '\r' || character == '\n' || character == '\0')
      throw std::invalid_argument("upstream body content type has a line break");
  }
  std::string request = build_request(base, path, headers, &body);
  co_return co_await send(base, std::move(request), idempotency);
}

asio::awaitable<Response> HttpClient::send(const Url& base, std::string request, Idempotency idempotency) {
  if (base.scheme != "http" && base.scheme != "https")
    throw std::invalid_argument("upstream scheme must be http or https");
  const std::string key = pool_key(base);
  auto fail = [this](FailureKind kind, const std::string& reason) {
    ++counters_.failures[static_cast<std::size_t>(kind)];
    return UpstreamError(kind, reason);
  };
  TlsContext* tls = nullptr;
  try {
    tls = tls_context(base);
  } catch (const UpstreamError& error) {
    throw fail(error.kind(), error.what());
  }

  for (int attempt = 0;; ++attempt) {
    // A retry after a stale pooled connection goes to a fresh one: the other idle ones may be stale too.
    std::shared_ptr<Connection> connection = attempt == 0 ? take_idle(key) : nullptr;
    bool reused = connection != nullptr;
    if (reused) {
      ++counters_.connections_reused;
    } else {
      Opened opened = co_await open_connection(executor_, base, options_, tls);
      if (!opened.connection) throw fail(opened.failure, opened.reason);
      ++counters_.connections_opened;
      connection = std::move(opened.connection);
    }
    Exchange result = co_await exchange(connection, request, options_);
    if (result.response) {
      ++counters_.responses;
      if (result.keep_alive) give_back(std::move(connection));
      co_return std::move(*result.response);
    }
    boost::system::error_code ignored;
    connection->socket.close(ignored);
    if (reused && result.nothing_received && attempt == 0 && idempotency == Idempotency::idempotent) {
      ++counters_.stale_retries;
      continue;
    }
    throw fail(result.failure, result.reason);
  }
}

}  // namespace tachyon::upstream
