// Single-flight: of N concurrent callers asking for the same key, from any event loop, one leads
// (runs the work) and the others wait for its result, which is handed to each on its own executor.
// This is what keeps a cache miss under load from becoming N identical database queries.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tachyon::cache {

template <class Result>
class SingleFlight {
 public:
  struct Joined {
    bool leader = false;  // true: run the work, then call finish() (or fail()) for the key
    Result result{};      // for followers: the leader's result
  };

  // Becomes the key's leader when no flight runs for it (returns at once), else waits for the
  // running flight's result; a failed flight rethrows its exception in every follower.
  boost::asio::awaitable<Joined> join(std::string key) {
    return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(std::exception_ptr, Joined)>(
        [this](auto handler, std::string flight_key) {
          std::unique_lock lock(mutex_);
          auto [flight, created] = flights_.try_emplace(std::move(flight_key));
          if (!created) {
            boost::asio::any_io_executor executor = boost::asio::get_associated_executor(handler);
            flight->second.push_back(Waiter{std::move(executor), std::move(handler)});
            return;
          }
          lock.unlock();
          auto executor = boost::asio::get_associated_executor(handler);
          boost::asio::post(executor, [handler = std::move(handler)]() mutable {
            handler(std::exception_ptr(), Joined{true, Result{}});
          });
        },
        boost::asio::use_awaitable, std::move(key));
  }

  // True (and the caller leads) when no flight runs for `key`; for work started without waiting,
  // such as a background refresh.
  bool try_lead(const std::string& key) {
    std::lock_guard lock(mutex_);
    return flights_.try_emplace(key).second;
  }

  // Ends the leader's flight: every follower resumes, on its own executor, with `result`.
  void finish(const std::string& key, const Result& result) { complete(key, std::exception_ptr(), result); }
  void fail(const std::string& key, std::exception_ptr error) { complete(key, std::move(error), Result{}); }

  // How many followers wait on `key`'s flight.
  std::size_t waiting(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto flight = flights_.find(key);
    return flight == flights_.end() ? 0 : flight->second.size();
  }

  std::size_t flights() const {
    std::lock_guard lock(mutex_);
    return flights_.size();
  }

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;  // where the waiting coroutine resumes
    boost::asio::any_completion_handler<void(std::exception_ptr, Joined)> handler;
  };

  void complete(const std::string& key, std::exception_ptr error, const Result& result) {
    std::vector<Waiter> waiters;
    {
      std::lock_guard lock(mutex_);
      auto flight = flights_.find(key);
      if (flight == flights_.end()) return;
      waiters = std::move(flight->second);
      flights_.erase(flight);
    }
    for (Waiter& waiter : waiters) {
      boost::asio::post(waiter.executor, [handler = std::move(waiter.handler), error, result]() mutable {
        std::move(handler)(error, Joined{false, result});
      });
    }
  }

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Waiter>> flights_;
};

}  // namespace tachyon::cache
