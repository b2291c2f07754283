// Connection byte buffers backed by a per-worker pool of fixed-size blocks, so an idle connection holds
// no buffer memory and a busy one reuses blocks without calling malloc (10,000 idle keep-alive
// connections must fit in a small RSS; see BENCHMARKS.md).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace tachyon::http {

class BufferPool {
 public:
  explicit BufferPool(std::size_t block_size = 16 * 1024, std::size_t max_cached_blocks = 256);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  char* acquire();
  void release(char* block);
  std::size_t block_size() const { return block_size_; }

 private:
  std::size_t block_size_;
  std::size_t max_cached_blocks_;
  std::vector<char*> free_blocks_;
};

// A contiguous byte queue: bytes are appended at the back and consumed from the front. Starts as a pool
// block and grows onto the heap only for large messages; release() gives the memory back.
class ByteBuffer {
 public:
  explicit ByteBuffer(BufferPool& pool) : pool_(&pool) {}
  ~ByteBuffer() { release(); }
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  char* data() { return storage_ + begin_; }
  const char* data() const { return storage_ + begin_; }
  std::size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  std::string_view view() const { return {storage_ + begin_, end_ - begin_}; }

  // Room to write at least `bytes` after the readable bytes; may move them (invalidating views).
  void ensure_writable(std::size_t bytes);
  char* write_position() { return storage_ + end_; }
  std::size_t writable() const { return capacity_ - end_; }
  void commit(std::size_t bytes) { end_ += bytes; }

  void append(std::string_view bytes);
  void consume(std::size_t bytes);
  // Keeps only the first `bytes` readable bytes.
  void truncate(std::size_t bytes) { end_ = begin_ + bytes; }
  void clear() { begin_ = end_ = 0; }
  // Returns the storage to the pool (or the heap) when no bytes are held.
  void release();
  bool holds_memory() const { return storage_ != nullptr; }

 private:
  void reallocate(std::size_t capacity);

  BufferPool* pool_;
  char* storage_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool from_pool_ = false;
};

}  // namespace tachyon::http
