#include "tachyon/auth/password_hasher.hpp"

#include <pthread.h>
#include <sodium.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <utility>

#include "tachyon/auth/sodium_library.hpp"

namespace tachyon::auth {

// The nice value of hashing threads (0 is the loops'); raising it needs no privilege.
constexpr int hashing_thread_nice = 10;

namespace {

// Overwrites a string's whole buffer, including the bytes between its size and its capacity (a moved-from short
// string keeps its characters there), with a write the compiler may not elide, then empties it.
void wipe(std::string& text) noexcept {
  text.resize(text.capacity());  // within capacity: no reallocation, so this cannot throw
  sodium_memzero(text.data(), text.size());
  text.clear();
}

// A password that wipes every buffer it leaves behind: the one it was taken from, the one it is moved out of, and its
// own on destruction. Copies made by the caller before hash()/verify() are outside its reach.
class SecretString {
 public:
  explicit SecretString(std::string& source) : value_(std::move(source)) { wipe(source); }
  SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) { wipe(other.value_); }
  SecretString& operator=(SecretString&&) = delete;
  ~SecretString() { wipe(value_); }

  std::string_view view() const { return value_; }

 private:
  std::string value_;
};

constexpr std::string_view argon2id_prefix = "$argon2id$";

}  // namespace

namespace detail {

// Work for the pool plus the handler of the coroutine awaiting it. execute() runs on a pool thread; complete() posts
// the result (or the error) to the handler's associated executor.
class PasswordJob {
 public:
  virtual ~PasswordJob() = default;
  virtual void execute() noexcept = 0;
  virtual void complete() noexcept = 0;
  virtual void fail(std::exception_ptr error) noexcept = 0;
};

}  // namespace detail

namespace {

template <typename Handler, typename Work, typename Result>
class HandlerJob final : public detail::PasswordJob {
 public:
  HandlerJob(Handler handler, Work work)
      : handler_(std::move(handler)), work_guard_(boost::asio::make_work_guard(handler_)), work_(std::move(work)) {}

  void execute() noexcept override {
    try {
      result_ = (*work_)();
    } catch (...) {
      error_ = std::current_exception();
    }
    work_.reset();  // destroys the work's SecretString: the password is wiped as soon as it has been used
  }

  void fail(std::exception_ptr error) noexcept override {
    error_ = std::move(error);
    work_.reset();
    complete();
  }

  void complete() noexcept override {
    auto executor = boost::asio::get_associated_executor(handler_);
    boost::asio::post(
        executor, [handler = std::move(handler_), error = std::move(error_), result = std::move(result_)]() mutable {
          std::move(handler)(error, std::move(result));
        });
    work_guard_.reset();  // the posted completion now keeps the executor's context from running out of work
  }

 private:
  Handler handler_;
  boost::asio::executor_work_guard<boost::asio::associated_executor_t<Handler>> work_guard_;
  std::optional<Work> work_;
  Result result_{};
  std::exception_ptr error_;
};

template <typename Result, typename Handler, typename Work>
std::unique_ptr<detail::PasswordJob> make_job(Handler handler, Work work) {
  return std::make_unique<HandlerJob<Handler, Work, Result>>(std::move(handler), std::move(work));
}

}  // namespace

PasswordHasher::PasswordHasher(PasswordParameters parameters, std::size_t threads, std::size_t queue_limit)
    : parameters_(parameters), thread_count_(threads), queue_limit_(queue_limit) {
  require_sodium();
  if (threads == 0) throw std::invalid_argument("password hasher needs at least one thread");
  if (parameters.memory_bytes < crypto_pwhash_MEMLIMIT_MIN || parameters.memory_bytes > crypto_pwhash_MEMLIMIT_MAX ||
      parameters.iterations < crypto_pwhash_OPSLIMIT_MIN || parameters.iterations > crypto_pwhash_OPSLIMIT_MAX) {
    throw std::invalid_argument("argon2id parameters are outside libsodium's limits");
  }
  // A random dummy password: nobody knows it, and the unknown-user path discards the result anyway.
  std::array<unsigned char, 32> dummy_password{};
  randombytes_buf(dummy_password.data(), dummy_password.size());
  dummy_hash_ =
      hash_blocking(std::string_view(reinterpret_cast<const char*>(dummy_password.data()), dummy_password.size()));
  sodium_memzero(dummy_password.data(), dummy_password.size());

  threads_.reserve(threads);
  try {
    for (std::size_t index = 0; index < threads; ++index) threads_.emplace_back([this] { work(); });
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& thread : threads_) thread.join();
    throw;
  }
}

PasswordHasher::~PasswordHasher() {
  std::deque<std::unique_ptr<detail::PasswordJob>> abandoned;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    abandoned.swap(waiting_);
  }
  wake_.notify_all();
  // Failing the waiting jobs before joining lets their coroutines resume while a running hash finishes.
  const auto stopped = std::make_exception_ptr(std::runtime_error("password hasher stopped"));
  for (std::unique_ptr<detail::PasswordJob>& job : abandoned) job->fail(stopped);
  abandoned.clear();
  for (std::thread& thread : threads_) thread.join();
}

void PasswordHasher::submit(std::unique_ptr<detail::PasswordJob> job) {
  std::exception_ptr refusal;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      refusal = std::make_exception_ptr(std::runtime_error("password hasher stopped"));
    } else if (in_flight_ >= thread_count_ + queue_limit_) {
      refusal = std::make_exception_ptr(PasswordPoolFull());
    } else {
      ++in_flight_;
      waiting_.push_back(std::move(job));
    }
  }
  // Refusals complete through the handler's executor too, rather than throwing from inside the initiation, so the
  // awaiting coroutine sees the exception from its co_await.
  if (refusal) {
    job->fail(refusal);
  } else {
    wake_.notify_one();
  }
}

void PasswordHasher::work() {
  // Named for `top -H` and for pinning, and niced: where a hashing thread shares a core with an event
  // loop, the loop wins it (CFS weights 110 against 1024), so a login flood slows logins, not requests.
  pthread_setname_np(pthread_self(), "tachyon-hash");
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), hashing_thread_nice);
  for (;;) {
    std::unique_ptr<detail::PasswordJob> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      job = std::move(waiting_.front());
      waiting_.pop_front();
    }
    job->execute();
    {
      // Released before the completion is posted, so a coroutine that resumes and submits again at once finds room.
      std::lock_guard lock(mutex_);
      --in_flight_;
    }
    job->complete();
  }
}

std::size_t PasswordHasher::queued() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

boost::asio::awaitable<std::string> PasswordHasher::hash(std::string password) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(std::exception_ptr, std::string)>(
      [this](auto handler, SecretString secret) {
        submit(make_job<std::string>(std::move(handler),
                                     [this, secret = std::move(secret)] { return hash_blocking(secret.view()); }));
      },
      boost::asio::use_awaitable, SecretString(password));
}

boost::asio::awaitable<PasswordCheck> PasswordHasher::verify(std::string password, std::string stored) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(std::exception_ptr, PasswordCheck)>(
      [this](auto handler, SecretString secret, std::string stored_hash) {
        submit(make_job<PasswordCheck>(std::move(handler),
                                       [this, secret = std::move(secret), stored_hash = std::move(stored_hash)] {
                                         return verify_blocking(secret.view(), stored_hash);
                                       }));
      },
      boost::asio::use_awaitable, SecretString(password), std::move(stored));
}

std::string PasswordHasher::hash_blocking(std::string_view password) const {
  std::array<char, crypto_pwhash_STRBYTES> text{};
  if (crypto_pwhash_str(text.data(), password.data(), password.size(), parameters_.iterations,
                        parameters_.memory_bytes) != 0) {
    throw std::runtime_error("argon2id hashing failed: out of memory");
  }
  return std::string(text.data());
}

PasswordCheck PasswordHasher::verify_blocking(std::string_view password, std::string_view stored) const {
  // An empty stored hash is an unknown user; one too long to be a libsodium hash string (at most STRBYTES - 1
  // characters) is malformed. Both verify against the dummy so that they cost a full argon2id run like any other.
  const bool use_dummy = stored.empty() || stored.size() >= crypto_pwhash_STRBYTES;
  const std::string target(use_dummy ? std::string_view(dummy_hash_) : stored);  // libsodium wants NUL-terminated
  const int verified = crypto_pwhash_str_verify(target.c_str(), password.data(), password.size());
  if (use_dummy || verified != 0) return {};
  // crypto_pwhash_str_needs_rehash returns 1 for other parameters and -1 for a string it cannot parse. An argon2i
  // hash verifies too (libsodium accepts both variants) but should move to argon2id (RFC 9106 §4 recommends it).
  const bool other_parameters =
      crypto_pwhash_str_needs_rehash(target.c_str(), parameters_.iterations, parameters_.memory_bytes) != 0;
  return {true, other_parameters || !stored.starts_with(argon2id_prefix)};
}

}  // namespace tachyon::auth
