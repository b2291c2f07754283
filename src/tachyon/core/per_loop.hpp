// One object per event loop (a Redis connection, an HTTP client pool), made on first use on that
// loop's thread and destroyed on that same thread when it exits, while its io_context still exists;
// whatever is left (loops that never exited, as in tests) goes with the PerLoop itself. Lookups after
// the first are a scan of a few thread-local entries, with no lock.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tachyon::core {

namespace detail {

// What a thread's exit hook calls on every PerLoop that made an object on that thread.
class PerLoopRegistry {
 public:
  virtual ~PerLoopRegistry() = default;
  virtual void release_thread(std::thread::id thread) = 0;
};

// Runs at thread exit (thread_local destructor) and releases that thread's objects.
void at_thread_exit(const std::weak_ptr<PerLoopRegistry>& registry);

std::uint64_t next_per_loop_identity();

struct CachedObject {
  std::uint64_t identity = 0;
  boost::asio::io_context* io = nullptr;
  void* object = nullptr;
};
std::vector<CachedObject>& thread_objects();

}  // namespace detail

template <class T>
class PerLoop {
 public:
  using Factory = std::function<std::unique_ptr<T>(boost::asio::io_context&)>;

  explicit PerLoop(Factory make) : state_(std::make_shared<State>(std::move(make))) {}
  ~PerLoop() { state_->release_all(); }
  PerLoop(const PerLoop&) = delete;
  PerLoop& operator=(const PerLoop&) = delete;

  // The object of `io`, the loop this thread runs; made on first use.
  T& here(boost::asio::io_context& io) {
    for (const detail::CachedObject& cached : detail::thread_objects()) {
      if (cached.identity == state_->identity && cached.io == &io) return *static_cast<T*>(cached.object);
    }
    T* made = state_->make_for(io);
    detail::thread_objects().push_back({state_->identity, &io, made});
    detail::at_thread_exit(state_);
    return *made;
  }

  // The object this thread made for `io` before, if any.
  T* find_here(boost::asio::io_context& io) const {
    for (const detail::CachedObject& cached : detail::thread_objects()) {
      if (cached.identity == state_->identity && cached.io == &io) return static_cast<T*>(cached.object);
    }
    return nullptr;
  }

 private:
  struct State final : detail::PerLoopRegistry {
    explicit State(Factory factory) : make(std::move(factory)), identity(detail::next_per_loop_identity()) {}

    T* make_for(boost::asio::io_context& io) {
      std::unique_ptr<T> object = make(io);
      T* raw = object.get();
      std::lock_guard lock(mutex);
      objects.push_back({std::this_thread::get_id(), std::move(object)});
      return raw;
    }

    void release_thread(std::thread::id thread) override {
      std::vector<std::unique_ptr<T>> leaving;
      {
        std::lock_guard lock(mutex);
        for (auto& [owner, object] : objects) {
          if (owner == thread) leaving.push_back(std::move(object));
        }
        std::erase_if(objects, [](const auto& entry) { return entry.second == nullptr; });
      }
      std::erase_if(detail::thread_objects(),
                    [this](const detail::CachedObject& cached) { return cached.identity == identity; });
    }

    void release_all() {
      std::vector<std::pair<std::thread::id, std::unique_ptr<T>>> leaving;
      {
        std::lock_guard lock(mutex);
        leaving.swap(objects);
      }
      std::erase_if(detail::thread_objects(),
                    [this](const detail::CachedObject& cached) { return cached.identity == identity; });
    }

    Factory make;
    const std::uint64_t identity;
    std::mutex mutex;
    std::vector<std::pair<std::thread::id, std::unique_ptr<T>>> objects;
  };

  std::shared_ptr<State> state_;
};

}  // namespace tachyon::core
