#include <random>

#include "tachyon/http/standard_middleware.hpp"

namespace tachyon::http {

namespace {

// A per-thread xoshiro256** generator: request ids need uniqueness, not secrecy, and must cost
// nanoseconds (std::random_device per request would be a syscall).
class IdGenerator {
 public:
  IdGenerator() {
    std::random_device device;
    for (auto& word : state_) word = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }
  std::uint64_t next() {
    std::uint64_t result = rotate(state_[1] * 5, 7) * 9;
    std::uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = rotate(state_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotate(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

void write_hex(char* out, std::uint64_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  for (int index = 15; index >= 0; --index, value >>= 4) out[index] = digits[value & 0xf];
}

}  // namespace

void assign_new_request_id(std::string& out) {
  thread_local IdGenerator generator;
  char id[32];
  write_hex(id, generator.next());
  write_hex(id + 16, generator.next());
  out.assign(id, sizeof id);
}

std::string new_request_id() {
  std::string id;
  assign_new_request_id(id);
  return id;
}

bool RequestIdMiddleware::is_sane_request_id(std::string_view value) {
  if (value.empty() || value.size() > 128) return false;
  for (char c : value) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                   c == '.' || c == ':';
    if (!allowed) return false;
  }
  return true;
}

boost::asio::awaitable<void> RequestIdMiddleware::handle(Context& context, Next next) {
  std::string_view offered = context.request.header("X-Request-ID");
  if (is_sane_request_id(offered)) {
    context.request_id.assign(offered);
  } else {
    assign_new_request_id(context.request_id);
  }
  co_await next(context);
  context.response.add_header("X-Request-ID", context.request_id);
}

}  // namespace tachyon::http
