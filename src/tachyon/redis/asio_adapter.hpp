// Internal: the hiredis event-loop adapter for Asio. hiredis asks for read/write readiness through
// ac->ev; we wait on its descriptor with async_wait and call redisAsyncHandleRead/Write back.
#pragma once

#include <hiredis/async.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>

namespace tachyon::redis {

class AsioAdapter : public std::enable_shared_from_this<AsioAdapter> {
 public:
  // Hooks the adapter into `context` (whose descriptor it waits on, never closes: hiredis owns it).
  // `on_cleanup` runs when hiredis frees the context (from inside redisAsyncFree or a disconnect):
  // after it, the adapter never touches the context again.
  static void attach(boost::asio::io_context& io, redisAsyncContext* context, std::function<void()> on_cleanup);

  AsioAdapter(boost::asio::io_context& io, redisAsyncContext* context, std::function<void()> on_cleanup);

 private:
  static void add_read(void* self);
  static void delete_read(void* self);
  static void add_write(void* self);
  static void delete_write(void* self);
  static void cleanup(void* self);

  void wait_readable();
  void wait_writable();

  boost::asio::posix::stream_descriptor descriptor_;
  redisAsyncContext* context_;  // null once hiredis has cleaned up
  std::function<void()> on_cleanup_;
  bool want_read_ = false;
  bool want_write_ = false;
  bool read_waiting_ = false;
  bool write_waiting_ = false;
  // hiredis holds the adapter through ac->ev.data; this keeps it alive until cleanup. Waits in flight
  // hold their own reference, so a completion queued before cleanup still finds the object.
  std::shared_ptr<AsioAdapter> attached_;
};

}  // namespace tachyon::redis
