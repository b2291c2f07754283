#include "support/upstream_stub.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <future>
#include <optional>
#include <set>

namespace tachyon::testing {

namespace asio = boost::asio;
using asio::ip::tcp;
namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string hex(std::size_t value) {
  char digits[32];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value, 16);
  return std::string(digits, end);
}

}  // namespace

// Shared by the stub and its coroutines, so that coroutine frames destroyed with the io_context still
// find it.
struct UpstreamStub::State {
  explicit State(asio::io_context& io) : acceptor(io), work(io.get_executor()) {}
  tcp::acceptor acceptor;
  std::optional<asio::ssl::context> tls;
  std::set<tcp::socket*> live;  // open connections, for stop_listening
  asio::executor_work_guard<asio::io_context::executor_type> work;
};

class UpstreamStub::Session {
 public:
  template <typename Stream>
  static asio::awaitable<void> exchange(UpstreamStub& stub, Stream& stream) {
    std::string buffer;
    std::uint64_t answered = 0;
    while (true) {
      std::size_t end = 0;
      while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
        char chunk[4096];
        auto [error, received] = co_await stream.async_read_some(asio::buffer(chunk), use_tuple);
        if (error) co_return;
        buffer.append(chunk, received);
      }
      std::string head = buffer.substr(0, end + 4);
      buffer.erase(0, end + 4);
      ++stub.requests_;
      stub.remember(head);
      std::int64_t hang_up_after = stub.hang_up_after_.load();
      if (hang_up_after >= 0 && answered >= static_cast<std::uint64_t>(hang_up_after)) co_return;
      std::int64_t delay = stub.delay_ms_.load();
      if (delay > 0) {
        asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(delay));
        co_await timer.async_wait(use_tuple);
      }
      bool close_after = false;
      std::string response = stub.respond(head, close_after);
      if (stub.truncate_.load()) {
        response.resize(response.size() / 2);
        close_after = true;
      }
      auto [error, written] = co_await asio::async_write(stream, asio::buffer(response), use_tuple);
      if (error) co_return;
      ++answered;
      if (close_after) co_return;
    }
  }

  static asio::awaitable<void> plain(UpstreamStub& stub, std::shared_ptr<State> state, tcp::socket socket) {
    Registration registration(*state, socket);
    co_await exchange(stub, socket);
  }

  static asio::awaitable<void> secure(UpstreamStub& stub, std::shared_ptr<State> state, tcp::socket socket) {
    asio::ssl::stream<tcp::socket> stream(std::move(socket), *state->tls);
    Registration registration(*state, stream.next_layer());
    auto [error] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (error) co_return;  // e.g. the client rejected the certificate
    co_await exchange(stub, stream);
  }

  static asio::awaitable<void> accept(UpstreamStub& stub, std::shared_ptr<State> state) {
    while (true) {
      auto [error, socket] = co_await state->acceptor.async_accept(use_tuple);
      if (error) {
        if (!state->acceptor.is_open()) co_return;
        continue;
      }
      ++stub.accepted_;
      // Without it, the TLS session tickets and the response wait out the client's delayed ACK (40 ms).
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto executor = state->acceptor.get_executor();
      if (state->tls) {
        asio::co_spawn(executor, secure(stub, state, std::move(socket)), asio::detached);
      } else {
        asio::co_spawn(executor, plain(stub, state, std::move(socket)), asio::detached);
      }
    }
  }

 private:
  struct Registration {
    Registration(State& state, tcp::socket& socket) : state(state), socket(&socket) { state.live.insert(&socket); }
    ~Registration() { state.live.erase(socket); }
    State& state;
    tcp::socket* socket;
  };
};

UpstreamStub::UpstreamStub(UpstreamStubOptions options)
    : options_(std::move(options)), state_(std::make_shared<State>(io_)) {
  if (!options_.certificate_file.empty()) {
    state_->tls.emplace(asio::ssl::context::tls_server);
    state_->tls->use_certificate_chain_file(options_.certificate_file);
    state_->tls->use_private_key_file(options_.private_key_file, asio::ssl::context::pem);
  }
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  port_ = state_->acceptor.local_endpoint().port();
  asio::co_spawn(io_, Session::accept(*this, state_), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

UpstreamStub::~UpstreamStub() {
  io_.stop();
  thread_.join();
  // The coroutines still hold the state; they and it go when io_ is destroyed.
  state_->work.reset();
  state_.reset();
}

std::string UpstreamStub::url() const {
  return std::string(options_.certificate_file.empty() ? "http" : "https") + "://127.0.0.1:" + std::to_string(port_);
}

std::string UpstreamStub::post_json(int id) {
  std::string number = std::to_string(id);
  return R"({"id":)" + number + R"(,"userId":)" + std::to_string((id - 1) / 10 + 1) + R"(,"title":"Post )" + number +
         R"(","body":"The body of post )" + number + R"(."})";
}

std::string UpstreamStub::post_etag(int id) {
  return "\"post-" + std::to_string(id) + "-v1\"";
}

void UpstreamStub::stop_listening() {
  std::promise<void> done;
  asio::post(io_, [state = state_, &done] {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
    for (tcp::socket* socket : state->live) socket->close(ignored);
    done.set_value();
  });
  done.get_future().wait();
}

std::string UpstreamStub::last_request() const {
  std::lock_guard lock(mutex_);
  return last_request_;
}

void UpstreamStub::remember(const std::string& head) {
  std::lock_guard lock(mutex_);
  last_request_ = head;
}

std::string UpstreamStub::respond(const std::string& head, bool& close_after) {
  // "GET /any/base/posts/7 HTTP/1.1"
  std::string target;
  if (head.rfind("GET ", 0) == 0) target = head.substr(4, head.find(' ', 4) - 4);
  int id = 0;
  std::size_t posts = target.rfind("/posts/");
  if (posts != std::string::npos) {
    const char* first = target.data() + posts + 7;
    const char* last = target.data() + target.size();
    auto [end, error] = std::from_chars(first, last, id);
    if (error != std::errc() || end != last || first == last) id = 0;
  }
  bool found = id >= 1 && id <= 100;
  std::string body = found ? post_json(id) : R"({"error":"not found"})";
  close_after = close_after_response_.load();
  std::string response = found ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 404 Not Found\r\n";
  response += "Content-Type: application/json\r\n";
  if (found) response += "ETag: " + post_etag(id) + "\r\n";
  if (close_after) response += "Connection: close\r\n";
  if (!chunked_.load()) {
    response += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return response;
  }
  std::size_t half = body.size() / 2;
  response += "Transfer-Encoding: chunked\r\n\r\n";
  response += hex(half) + "\r\n" + body.substr(0, half) + "\r\n";
  response += hex(body.size() - half) + "\r\n" + body.substr(half) + "\r\n0\r\n\r\n";
  return response;
}

}  // namespace tachyon::testing
