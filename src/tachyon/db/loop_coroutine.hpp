// Stackful coroutines for work on an event loop that must wait without blocking it: synchronous code
// (a read's work function) runs on a stack of its own and suspends where it would block; the loop
// resumes it when what it waits for is there. Built on Boost.Context fibers, with stacks pooled per
// loop. Every switch goes through this class and is announced to AddressSanitizer: Debian's Boost.Context
// (fcontext) does not do that itself, and without it ASan reports false stack errors at any exception
// thrown on a coroutine's stack.
#pragma once

#include <boost/context/stack_context.hpp>
#include <cstddef>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace tachyon::db {

// A loop's pool of coroutine stacks (single-threaded: the loop's own).
class CoroutineStacks {
 public:
  explicit CoroutineStacks(std::size_t stack_size);
  ~CoroutineStacks();
  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& stack) noexcept;

 private:
  struct Pool;
  std::unique_ptr<Pool> pool_;
};

class LoopCoroutine {
 public:
  // Starts `body` on a new coroutine, running it at once until it first suspends or ends. The coroutine
  // owns itself: it is gone once `body` returns. Call from the loop's thread (a coroutine may start
  // another).
  static void start(boost::asio::io_context& loop, CoroutineStacks& stacks, std::function<void(LoopCoroutine&)> body);

  // From inside the coroutine: suspends it until resumption() is invoked.
  void suspend();

  // What resumes this suspended coroutine when invoked (once), on the loop's thread and outside this
  // coroutine. Destroying it uninvoked (the loop went away) destroys the coroutine, unwinding its stack.
  class Resumption {
   public:
    explicit Resumption(LoopCoroutine* coroutine) : coroutine_(coroutine) {}
    Resumption(Resumption&& other) noexcept : coroutine_(other.coroutine_) { other.coroutine_ = nullptr; }
    Resumption& operator=(Resumption&&) = delete;
    Resumption(const Resumption&) = delete;
    ~Resumption();
    void operator()();

   private:
    LoopCoroutine* coroutine_;
  };
  Resumption resumption() { return Resumption(this); }
  // Posts the resumption to the loop (safe from anywhere on the loop's thread, inside coroutines too).
  void wake_later();

  boost::asio::io_context& loop() const { return loop_; }

  ~LoopCoroutine();

 private:
  LoopCoroutine(boost::asio::io_context& loop, std::function<void(LoopCoroutine&)> body);
  void resume();  // switch in; back when it suspends; deletes it once it has ended

  struct State;
  boost::asio::io_context& loop_;
  std::unique_ptr<State> state_;
};

}  // namespace tachyon::db
