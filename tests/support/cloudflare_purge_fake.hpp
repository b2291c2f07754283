// A stand-in for Cloudflare's purge API, which cannot run here: `POST /client/v4/zones/<zone>/purge_cache`
// with `Authorization: Bearer <token>`, `Content-Type: application/json` and a body that is exactly
// `{"tags":[...]}` with 1 to 30 strings. Anything else is refused the way Cloudflare refuses it (403
// for the credentials, 400 for the body, 404 for another path, each with Cloudflare's
// `{"success":false,"errors":[...]}` envelope). Serves HTTP/1.1 keep-alive on a loopback port, one thread
// per connection, and can be told to fail the next calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tachyon::testing {

class CloudflarePurgeFake {
 public:
  CloudflarePurgeFake(std::string zone, std::string token);
  ~CloudflarePurgeFake();
  CloudflarePurgeFake(const CloudflarePurgeFake&) = delete;
  CloudflarePurgeFake& operator=(const CloudflarePurgeFake&) = delete;

  // "http://127.0.0.1:PORT/client/v4/zones/<zone>/purge_cache"
  std::string purge_url() const;
  std::uint16_t port() const { return port_; }

  // The next `count` well-formed calls get `status` (503, or 429 with Retry-After: 1) instead of success.
  void fail_next(int count, int status);

  // The tags of every call that succeeded, in arrival order.
  std::vector<std::vector<std::string>> purges() const;
  // Every tag purged so far, sorted and without repeats.
  std::vector<std::string> purged_tags() const;
  std::uint64_t calls() const { return calls_.load(); }      // every request read
  std::uint64_t refused() const { return refused_.load(); }  // answered 4xx
  // Waits up to `timeout_ms` until at least `count` calls succeeded.
  bool wait_for_purges(std::size_t count, int timeout_ms = 10'000) const;

 private:
  void accept_loop();
  void serve(int socket);
  std::string respond(const std::string& head, const std::string& body);

  std::string zone_;
  std::string token_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> refused_{0};
  mutable std::mutex mutex_;
  int failures_left_ = 0;
  int failure_status_ = 503;
  std::vector<std::vector<std::string>> purges_;
  std::vector<int> open_sockets_;
  std::vector<std::thread> sessions_;
  std::thread acceptor_;
};

}  // namespace tachyon::testing
