// gzip (zlib, RFC 1952) and brotli (libbrotlienc, RFC 7932) compression of whole bodies and of
// streamed ones, chunk by chunk in constant memory.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tachyon/compress/content_coding.hpp"

namespace tachyon::compress {

// `data` encoded with `coding` (identity returns it unchanged). Throws std::runtime_error when the
// library fails (out of memory).
std::string compress(ContentCoding coding, std::string_view data, const CompressionLevels& levels);

// Encodes a body that arrives in pieces. Each write() appends what the encoder can emit and flushes it
// (a sync flush), so every chunk that goes out is decodable up to its end and a slow producer's bytes
// are never held back; finish() ends the stream. Memory stays bounded by the encoder's window.
class StreamCompressor {
 public:
  StreamCompressor(ContentCoding coding, const CompressionLevels& levels);
  ~StreamCompressor();
  StreamCompressor(const StreamCompressor&) = delete;
  StreamCompressor& operator=(const StreamCompressor&) = delete;

  void write(std::string_view data, std::string& out);
  void finish(std::string& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tachyon::compress
