#include "tachyon/cache/encoded_variants.hpp"

#include "tachyon/compress/compressor.hpp"

namespace tachyon::cache {

EncodedVariants& EncodedVariants::operator=(const EncodedVariants&) {
  std::lock_guard lock(mutex_);
  for (std::size_t index = 0; index < 2; ++index) {
    ready_[index].store(false, std::memory_order_relaxed);
    variants_[index] = {};
  }
  return *this;
}

const EncodedVariants::Variant& EncodedVariants::get(compress::ContentCoding coding, std::string_view body,
                                                     std::string_view etag,
                                                     const compress::CompressionLevels& levels) const {
  std::size_t index = slot(coding);
  if (ready_[index].load(std::memory_order_acquire)) return variants_[index];
  std::lock_guard lock(mutex_);
  if (!ready_[index].load(std::memory_order_relaxed)) {
    Variant variant;
    variant.body = compress::compress(coding, body, levels);
    if (variant.body.size() >= body.size()) variant.body.clear();
    variant.etag = compress::variant_etag(etag, coding);
    variants_[index] = std::move(variant);
    ready_[index].store(true, std::memory_order_release);
  }
  return variants_[index];
}

}  // namespace tachyon::cache
