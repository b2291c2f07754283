// A body fixed before any request asks for it (embedded at build time, or rendered at start-up) with its
// gzip and br encodings made in advance, so serving it compresses nothing: the variant the request's
// Accept-Encoding picks goes out with that variant's own strong ETag.
#pragma once

#include <string>
#include <string_view>

#include "tachyon/compress/content_coding.hpp"
#include "tachyon/http/context.hpp"

namespace tachyon::http {

class StaticBody {
 public:
  // Bytes that live as long as the program (embedded in the binary); empty gzip or br: not available.
  static StaticBody embedded(std::string_view content_type, std::string_view identity, std::string_view gzip,
                             std::string_view br);
  // A body made at start-up, compressed now and owned.
  static StaticBody rendered(std::string_view content_type, std::string body,
                             const compress::CompressionLevels& levels);

  StaticBody(const StaticBody&) = delete;
  StaticBody& operator=(const StaticBody&) = delete;
  StaticBody(StaticBody&&) = default;
  StaticBody& operator=(StaticBody&&) = default;

  std::string_view identity() const { return part(0); }
  const std::string& etag() const { return etags_[0]; }

  // 200 with the chosen variant, Content-Type, Content-Encoding and ETag (the 304 for a current
  // If-None-Match follows in the representation middleware).
  void serve(Context& context) const;

 private:
  StaticBody() = default;
  void finish();
  // Views are taken on access, so a moved StaticBody never points into another's strings.
  std::string_view part(int index) const { return owns_ ? std::string_view(owned_[index]) : embedded_[index]; }

  std::string content_type_;
  bool owns_ = false;
  std::string owned_[3];          // identity, gzip, br (rendered)
  std::string_view embedded_[3];  // identity, gzip, br (embedded)
  bool usable_[3] = {true, false, false};
  std::string etags_[3];
};

}  // namespace tachyon::http
