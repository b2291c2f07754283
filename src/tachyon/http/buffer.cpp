#include "tachyon/http/buffer.hpp"

#include <algorithm>
#include <cstring>

namespace tachyon::http {

BufferPool::BufferPool(std::size_t block_size, std::size_t max_cached_blocks)
    : block_size_(block_size), max_cached_blocks_(max_cached_blocks) {}

BufferPool::~BufferPool() {
  for (char* block : free_blocks_) delete[] block;
}

char* BufferPool::acquire() {
  if (free_blocks_.empty()) return new char[block_size_];
  char* block = free_blocks_.back();
  free_blocks_.pop_back();
  return block;
}

void BufferPool::release(char* block) {
  if (free_blocks_.size() < max_cached_blocks_) {
    free_blocks_.push_back(block);
  } else {
    delete[] block;
  }
}

void ByteBuffer::ensure_writable(std::size_t bytes) {
  if (storage_ == nullptr) {
    if (bytes <= pool_->block_size()) {
      storage_ = pool_->acquire();
      capacity_ = pool_->block_size();
      from_pool_ = true;
      return;
    }
    reallocate(bytes);
    return;
  }
  if (capacity_ - end_ >= bytes) return;
  std::size_t held = size();
  if (held + bytes <= capacity_ && begin_ > 0) {  // compacting is enough
    std::memmove(storage_, storage_ + begin_, held);
    begin_ = 0;
    end_ = held;
    return;
  }
  reallocate(std::max(capacity_ * 2, held + bytes));
}

void ByteBuffer::reallocate(std::size_t capacity) {
  char* grown = new char[capacity];
  std::size_t held = size();
  if (held > 0) std::memcpy(grown, storage_ + begin_, held);
  char* old = storage_;
  bool old_from_pool = from_pool_;
  storage_ = grown;
  capacity_ = capacity;
  begin_ = 0;
  end_ = held;
  from_pool_ = false;
  if (old != nullptr) {
    if (old_from_pool) {
      pool_->release(old);
    } else {
      delete[] old;
    }
  }
}

void ByteBuffer::append(std::string_view bytes) {
  ensure_writable(bytes.size());
  std::memcpy(storage_ + end_, bytes.data(), bytes.size());
  end_ += bytes.size();
}

void ByteBuffer::consume(std::size_t bytes) {
  begin_ += bytes;
  if (begin_ >= end_) begin_ = end_ = 0;
}

void ByteBuffer::release() {
  if (storage_ == nullptr) return;
  if (from_pool_) {
    pool_->release(storage_);
  } else {
    delete[] storage_;
  }
  storage_ = nullptr;
  capacity_ = begin_ = end_ = 0;
  from_pool_ = false;
}

}  // namespace tachyon::http
