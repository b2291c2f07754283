// The Asio event-loop adapter for hiredis: one async_wait per direction at a time.
#include "tachyon/redis/asio_adapter.hpp"

#include <boost/asio/error.hpp>

namespace tachyon::redis {

namespace asio = boost::asio;

void AsioAdapter::attach(asio::io_context& io, redisAsyncContext* context, std::function<void()> on_cleanup) {
  auto adapter = std::make_shared<AsioAdapter>(io, context, std::move(on_cleanup));
  adapter->attached_ = adapter;
  context->ev.data = adapter.get();
  context->ev.addRead = &AsioAdapter::add_read;
  context->ev.delRead = &AsioAdapter::delete_read;
  context->ev.addWrite = &AsioAdapter::add_write;
  context->ev.delWrite = &AsioAdapter::delete_write;
  context->ev.cleanup = &AsioAdapter::cleanup;
}

AsioAdapter::AsioAdapter(asio::io_context& io, redisAsyncContext* context, std::function<void()> on_cleanup)
    : descriptor_(io, context->c.fd), context_(context), on_cleanup_(std::move(on_cleanup)) {}

void AsioAdapter::add_read(void* self) {
  auto* adapter = static_cast<AsioAdapter*>(self);
  adapter->want_read_ = true;
  adapter->wait_readable();
}

void AsioAdapter::delete_read(void* self) {
  static_cast<AsioAdapter*>(self)->want_read_ = false;
}

void AsioAdapter::add_write(void* self) {
  auto* adapter = static_cast<AsioAdapter*>(self);
  adapter->want_write_ = true;
  adapter->wait_writable();
}

void AsioAdapter::delete_write(void* self) {
  static_cast<AsioAdapter*>(self)->want_write_ = false;
}

void AsioAdapter::cleanup(void* self) {
  auto* adapter = static_cast<AsioAdapter*>(self);
  std::shared_ptr<AsioAdapter> keep = std::move(adapter->attached_);
  adapter->context_ = nullptr;
  adapter->want_read_ = adapter->want_write_ = false;
  // hiredis closes the descriptor right after this: hand it back (this also takes it out of epoll and
  // aborts the waits) so Asio never closes or polls a number the kernel may reuse.
  adapter->descriptor_.release();
  std::function<void()> notify = std::move(adapter->on_cleanup_);
  if (notify) notify();
}

// A wait stays in flight even when hiredis deletes interest in the meantime: its completion then just
// does nothing (Asio cannot cancel one direction alone).
void AsioAdapter::wait_readable() {
  if (read_waiting_ || context_ == nullptr) return;
  read_waiting_ = true;
  descriptor_.async_wait(asio::posix::stream_descriptor::wait_read,
                         [self = shared_from_this()](const boost::system::error_code& error) {
                           self->read_waiting_ = false;
                           if (self->context_ == nullptr || error == asio::error::operation_aborted) return;
                           if (!self->want_read_) return;
                           redisAsyncHandleRead(self->context_);  // may free the context (cleanup runs)
                           if (self->context_ != nullptr && self->want_read_) self->wait_readable();
                         });
}

void AsioAdapter::wait_writable() {
  if (write_waiting_ || context_ == nullptr) return;
  write_waiting_ = true;
  descriptor_.async_wait(asio::posix::stream_descriptor::wait_write,
                         [self = shared_from_this()](const boost::system::error_code& error) {
                           self->write_waiting_ = false;
                           if (self->context_ == nullptr || error == asio::error::operation_aborted) return;
                           if (!self->want_write_) return;
                           redisAsyncHandleWrite(self->context_);  // may free the context (cleanup runs)
                           if (self->context_ != nullptr && self->want_write_) self->wait_writable();
                         });
}

}  // namespace tachyon::redis
