// Content codings (RFC 9110 §8.4.1): the ones Tachyon produces (gzip, br), the choice among them from a
// request's Accept-Encoding with q-values (§12.5.3), which responses are worth compressing, and the
// entity tag of each encoded variant (a variant is a different representation: it needs its own tag).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tachyon::compress {

enum class ContentCoding : std::uint8_t { identity, gzip, br };

// "identity", "gzip", "br": the Content-Encoding token.
std::string_view coding_token(ContentCoding coding);

// What one request's Accept-Encoding allows. q-values are kept in thousandths (RFC 9110 §12.4.2 gives
// them three decimals). Without the field any coding is acceptable (§12.5.3), but the server answers
// identity then, as every widespread server does: clients that decode say so.
struct AcceptedCodings {
  ContentCoding best = ContentCoding::identity;  // br or gzip with the higher q (br on a tie), or identity
  std::uint16_t best_q = 0;
  std::uint16_t identity_q = 1000;  // 0 when "identity;q=0", or "*;q=0" without an identity entry
  // Identity is acceptable without being named (§12.5.3) but then states no preference: any coding the
  // client names wins over it. Named (or given by "*"), its q-value competes.
  bool identity_named = false;

  // The coding to answer with: the best compressed one when the body is worth compressing and the client
  // likes it at least as much as a named identity, or whenever identity is refused; identity otherwise (also when
  // nothing at all is acceptable: RFC 9110 lets the server send identity rather than fail).
  ContentCoding choose(bool worth_compressing) const;
};

// Parses an Accept-Encoding field value. Malformed members are skipped, never fatal.
AcceptedCodings parse_accept_encoding(std::string_view field_value);

struct CompressionLevels {
  int gzip_level = 6;      // zlib 1..9
  int brotli_quality = 5;  // 0..11; 5 is near gzip -6 speed with a better ratio
};

// Which responses get compressed: at least `min_bytes` of a listed media type. A type entry ending in
// '/' matches the whole top-level type ("text/").
struct CompressionRules {
  std::size_t min_bytes = 500;
  std::vector<std::string> types = {"application/json",
                                    "application/problem+json",
                                    "application/x-ndjson",
                                    "application/javascript",
                                    "application/openmetrics-text",
                                    "image/svg+xml",
                                    "text/"};
  CompressionLevels levels;

  bool compressible_type(std::string_view content_type) const;
  // `size` is the identity body's length (SIZE_MAX for a stream of unknown length).
  bool worth_compressing(std::string_view content_type, std::size_t size) const {
    return size >= min_bytes && compressible_type(content_type);
  }
};

// "\"abc\"" → "\"abc-br\"" (or "-gz"); identity keeps the tag. Weak tags keep their W/ prefix.
std::string variant_etag(std::string_view etag, ContentCoding coding);
// The tag of the identity representation that `etag` is a variant of ("\"abc-gz\"" → "\"abc\"").
std::string identity_etag(std::string_view etag);

}  // namespace tachyon::compress
