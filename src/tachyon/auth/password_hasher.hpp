// Password hashing for logins: argon2id (RFC 9106) through libsodium, run on a small bounded pool of threads so that a
// hash never runs on an event loop (11.0 ms and 19 MiB each at the defaults, median of 5 on the 2-core dev box: about
// 90 logins per second per core), with a limit on waiting jobs so that a burst of logins is shed with PasswordPoolFull
// (the caller answers 503) instead of queueing without bound.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tachyon::auth {

// argon2id cost. The defaults are OWASP's Password Storage Cheat Sheet minimum for argon2id: m = 19 MiB, t = 2, p = 1
// (libsodium always uses one lane, p = 1). Hash strings record their parameters, so changing these makes
// verify() report needs_rehash for hashes made with the old ones.
struct PasswordParameters {
  std::size_t memory_bytes = 19 * 1024 * 1024;  // libsodium's memlimit, in bytes; the hash string shows it in KiB
  std::uint64_t iterations = 2;                 // libsodium's opslimit: argon2 passes over memory (t)
};

struct PasswordCheck {
  bool matches = false;
  bool needs_rehash = false;  // only set when matches: the stored hash uses other parameters or another algorithm
};

// Thrown (from the co_await) when the pool's waiting queue is full: the caller answers 503.
class PasswordPoolFull : public std::runtime_error {
 public:
  PasswordPoolFull() : std::runtime_error("password hashing pool is full") {}
  using std::runtime_error::runtime_error;
};

namespace detail {
class PasswordJob;  // a job with its awaiting handler, defined in password_hasher.cpp
}

class PasswordHasher {
 public:
  // `threads` hashing threads (1 on a 2-core box, leaving a core to the event loop), and at most `queue_limit` jobs
  // waiting for a thread: a job that finds every thread busy and `queue_limit` jobs waiting fails with
  // PasswordPoolFull. A job that finds an idle thread never counts as waiting, so queue_limit = 0 is allowed.
  // Hashes a fixed dummy password once, with these parameters, for verify()'s unknown-user path.
  // Throws std::invalid_argument for threads = 0 or parameters outside libsodium's argon2id limits.
  PasswordHasher(PasswordParameters parameters, std::size_t threads, std::size_t queue_limit);
  // Stops the threads: a job already running finishes (argon2 cannot be interrupted, so this waits at most one hash);
  // jobs still waiting complete with std::runtime_error on their own executors. Never hangs, and an io_context that
  // is not running does not block it (the completions are only posted).
  ~PasswordHasher();

  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  // Both run the work on the pool and resume the awaiting coroutine on its own executor (the completion is posted to
  // the handler's associated executor; the io_context is kept from running out of work while the job is on the pool).
  // The password buffer is wiped (sodium_memzero) on the pool right after use. The hasher must outlive the co_await.
  boost::asio::awaitable<std::string> hash(std::string password);
  // `stored` empty means an unknown user: the password is verified against the dummy hash made with the same
  // parameters, so an unknown user costs the same time as a wrong password (no user enumeration by timing), and the
  // result is matches = false. A malformed stored hash gives matches = false, not an exception.
  boost::asio::awaitable<PasswordCheck> verify(std::string password, std::string stored);

  // Blocking versions for the CLI (not for an event loop). hash_blocking throws std::runtime_error when argon2id
  // cannot allocate its memory.
  std::string hash_blocking(std::string_view password) const;
  PasswordCheck verify_blocking(std::string_view password, std::string_view stored) const;

  std::size_t queued() const;  // jobs waiting for a thread, for metrics
  const PasswordParameters& parameters() const { return parameters_; }

 private:
  void submit(std::unique_ptr<detail::PasswordJob> job);
  void work();

  const PasswordParameters parameters_;
  const std::size_t thread_count_;
  const std::size_t queue_limit_;
  std::string dummy_hash_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<detail::PasswordJob>> waiting_;
  std::size_t in_flight_ = 0;  // waiting + running: the pool accepts while this is below threads + queue_limit
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tachyon::auth
