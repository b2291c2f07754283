// Compressed copies of a cached body (gzip, br), each made once, when a client first asks for that
// coding, and kept with the entry: a cache hit compresses nothing. Each copy has its own strong ETag.
// They are derived data: copying or assigning an entry leaves them empty, to be made again on demand,
// and the Redis tier stores only the identity body. A cache's byte budget charges the identity body only
// (a variant is kept only when smaller, so an entry holds at most three times what it is charged).
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>

#include "tachyon/compress/content_coding.hpp"

namespace tachyon::cache {

class EncodedVariants {
 public:
  struct Variant {
    std::string body;  // empty: compressing did not make it smaller, answer identity
    std::string etag;
  };

  EncodedVariants() = default;
  EncodedVariants(const EncodedVariants&) {}
  EncodedVariants& operator=(const EncodedVariants&);

  // The variant of `body` for `coding` (gzip or br); the first caller compresses, others wait for it.
  const Variant& get(compress::ContentCoding coding, std::string_view body, std::string_view etag,
                     const compress::CompressionLevels& levels) const;

 private:
  static std::size_t slot(compress::ContentCoding coding) { return coding == compress::ContentCoding::br ? 1 : 0; }

  mutable std::mutex mutex_;
  mutable std::atomic<bool> ready_[2] = {false, false};
  mutable Variant variants_[2];
};

}  // namespace tachyon::cache
