#include "tachyon/db/loop_coroutine.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/context/fiber.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>
#include <exception>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace tachyon::db {

namespace {

namespace context = boost::context;

#if defined(__SANITIZE_ADDRESS__)
void start_switch(void** fake_stack, const void* bottom, std::size_t size) {
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
}
void finish_switch(void* fake_stack, const void** bottom_old, std::size_t* size_old) {
  __sanitizer_finish_switch_fiber(fake_stack, bottom_old, size_old);
}
// A stack back in the pool keeps no shadow of the frames a coroutine left by a switch (its entry frames
// never return), which would make false reports in the next coroutine's uninstrumented calls.
void forget_shadow(const context::stack_context& stack) {
  ASAN_UNPOISON_MEMORY_REGION(static_cast<char*>(stack.sp) - stack.size, stack.size);
}
#else
void start_switch(void**, const void*, std::size_t) {}
void finish_switch(void*, const void**, std::size_t*) {}
void forget_shadow(const context::stack_context&) {}
#endif

// The allocator Boost.Context gets: the loop's pool, telling the coroutine where its stack is.
class RecordingStacks {
 public:
  RecordingStacks(CoroutineStacks& stacks, context::stack_context* record) : stacks_(&stacks), record_(record) {}
  context::stack_context allocate() {
    *record_ = stacks_->allocate();
    return *record_;
  }
  void deallocate(context::stack_context& stack) noexcept { stacks_->deallocate(stack); }

 private:
  CoroutineStacks* stacks_;
  context::stack_context* record_;
};

}  // namespace

struct CoroutineStacks::Pool {
  explicit Pool(std::size_t stack_size) : stacks(stack_size, /*next_size=*/4) {}
  context::pooled_fixedsize_stack stacks;
};

CoroutineStacks::CoroutineStacks(std::size_t stack_size) : pool_(std::make_unique<Pool>(stack_size)) {}
CoroutineStacks::~CoroutineStacks() = default;

context::stack_context CoroutineStacks::allocate() {
  context::stack_context stack = pool_->stacks.allocate();
  forget_shadow(stack);
  return stack;
}

void CoroutineStacks::deallocate(context::stack_context& stack) noexcept {
  forget_shadow(stack);
  pool_->stacks.deallocate(stack);
}

struct LoopCoroutine::State {
  std::function<void(LoopCoroutine&)> body;
  context::stack_context stack;
  context::fiber self;     // the coroutine, while it is suspended
  context::fiber resumer;  // whoever resumed it, while it runs
  bool finished = false;
  // ASan: the coroutine's fake stack, and the bounds of the stack that resumed it.
  void* fake_stack = nullptr;
  const void* resumer_bottom = nullptr;
  std::size_t resumer_size = 0;
};

LoopCoroutine::LoopCoroutine(boost::asio::io_context& loop, std::function<void(LoopCoroutine&)> body)
    : loop_(loop), state_(std::make_unique<State>()) {
  state_->body = std::move(body);
}

LoopCoroutine::~LoopCoroutine() = default;  // a suspended fiber is unwound by its destructor

void LoopCoroutine::start(boost::asio::io_context& loop, CoroutineStacks& stacks,
                          std::function<void(LoopCoroutine&)> body) {
  auto* coroutine = new LoopCoroutine(loop, std::move(body));
  State& state = *coroutine->state_;
  state.self =
      context::fiber(std::allocator_arg, RecordingStacks(stacks, &state.stack), [coroutine](context::fiber&& resumer) {
        State& running = *coroutine->state_;
        running.resumer = std::move(resumer);
        finish_switch(nullptr, &running.resumer_bottom, &running.resumer_size);
        running.body(*coroutine);  // bodies catch their own errors
        running.finished = true;
        start_switch(nullptr, running.resumer_bottom, running.resumer_size);
        return std::move(running.resumer);
      });
  coroutine->resume();
}

void LoopCoroutine::resume() {
  State& state = *state_;
  void* fake_stack = nullptr;
  start_switch(&fake_stack, static_cast<char*>(state.stack.sp) - state.stack.size, state.stack.size);
  state.self = std::move(state.self).resume();
  finish_switch(fake_stack, nullptr, nullptr);
  if (state.finished) delete this;
}

void LoopCoroutine::suspend() {
  State& state = *state_;
  start_switch(&state.fake_stack, state.resumer_bottom, state.resumer_size);
  state.resumer = std::move(state.resumer).resume();
  finish_switch(state.fake_stack, &state.resumer_bottom, &state.resumer_size);
}

void LoopCoroutine::wake_later() {
  boost::asio::post(loop_, [resume = resumption()]() mutable { resume(); });
}

LoopCoroutine::Resumption::~Resumption() {
  delete coroutine_;
}

void LoopCoroutine::Resumption::operator()() {
  LoopCoroutine* coroutine = std::exchange(coroutine_, nullptr);
  if (coroutine != nullptr) coroutine->resume();
}

}  // namespace tachyon::db
