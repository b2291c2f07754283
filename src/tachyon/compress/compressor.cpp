#include "tachyon/compress/compressor.hpp"

#include <brotli/encode.h>
#include <zlib.h>

#include <stdexcept>

namespace tachyon::compress {

namespace {

// windowBits 15 + 16 selects the gzip wrapper (zlib manual, deflateInit2).
constexpr int gzip_window_bits = 15 + 16;
// Streams keep a 256 KiB brotli window (one-shot bodies use the default 4 MiB): a stream lives as long as
// its client reads, so its memory must stay small.
constexpr int stream_brotli_window = 18;
constexpr std::size_t output_step = 16 * 1024;

void init_gzip(z_stream& stream, int level) {
  stream = {};
  if (deflateInit2(&stream, level, Z_DEFLATED, gzip_window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
}

std::string gzip(std::string_view data, int level) {
  z_stream stream;
  init_gzip(stream, level);
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) throw std::runtime_error("gzip compression failed");
  return out;
}

std::string brotli(std::string_view data, int quality) {
  std::size_t size = BrotliEncoderMaxCompressedSize(data.size());
  if (size == 0) throw std::runtime_error("body too large for brotli");
  std::string out(size, '\0');
  if (BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, data.size(),
                            reinterpret_cast<const std::uint8_t*>(data.data()), &size,
                            reinterpret_cast<std::uint8_t*>(out.data())) == BROTLI_FALSE) {
    throw std::runtime_error("brotli compression failed");
  }
  out.resize(size);
  return out;
}

}  // namespace

std::string compress(ContentCoding coding, std::string_view data, const CompressionLevels& levels) {
  switch (coding) {
    case ContentCoding::gzip:
      return gzip(data, levels.gzip_level);
    case ContentCoding::br:
      return brotli(data, levels.brotli_quality);
    case ContentCoding::identity:
      break;
  }
  return std::string(data);
}

struct StreamCompressor::State {
  ContentCoding coding;
  z_stream zlib{};
  BrotliEncoderState* brotli = nullptr;

  ~State() {
    if (coding == ContentCoding::gzip) deflateEnd(&zlib);
    if (brotli != nullptr) BrotliEncoderDestroyInstance(brotli);
  }

  void run_zlib(std::string_view data, int flush, std::string& out) {
    zlib.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zlib.avail_in = static_cast<uInt>(data.size());
    do {
      std::size_t offset = out.size();
      out.resize(offset + output_step);
      zlib.next_out = reinterpret_cast<Bytef*>(out.data() + offset);
      zlib.avail_out = static_cast<uInt>(output_step);
      int result = deflate(&zlib, flush);
      out.resize(offset + output_step - zlib.avail_out);
      if (result == Z_STREAM_ERROR) throw std::runtime_error("gzip stream failed");
    } while (zlib.avail_out == 0 || zlib.avail_in > 0);
  }

  void run_brotli(std::string_view data, BrotliEncoderOperation operation, std::string& out) {
    std::size_t available_in = data.size();
    const auto* next_in = reinterpret_cast<const std::uint8_t*>(data.data());
    do {
      std::size_t offset = out.size();
      out.resize(offset + output_step);
      std::size_t available_out = output_step;
      auto* next_out = reinterpret_cast<std::uint8_t*>(out.data() + offset);
      if (BrotliEncoderCompressStream(brotli, operation, &available_in, &next_in, &available_out, &next_out, nullptr) ==
          BROTLI_FALSE) {
        throw std::runtime_error("brotli stream failed");
      }
      out.resize(offset + output_step - available_out);
    } while (available_in > 0 || BrotliEncoderHasMoreOutput(brotli) == BROTLI_TRUE);
  }
};

StreamCompressor::StreamCompressor(ContentCoding coding, const CompressionLevels& levels)
    : state_(std::make_unique<State>()) {
  state_->coding = coding;
  if (coding == ContentCoding::gzip) init_gzip(state_->zlib, levels.gzip_level);
  if (coding == ContentCoding::br) {
    state_->brotli = BrotliEncoderCreateInstance(nullptr, nullptr, nullptr);
    if (state_->brotli == nullptr) throw std::runtime_error("brotli encoder allocation failed");
    BrotliEncoderSetParameter(state_->brotli, BROTLI_PARAM_QUALITY, static_cast<std::uint32_t>(levels.brotli_quality));
    BrotliEncoderSetParameter(state_->brotli, BROTLI_PARAM_LGWIN, stream_brotli_window);
    BrotliEncoderSetParameter(state_->brotli, BROTLI_PARAM_MODE, BROTLI_MODE_TEXT);
  }
}

StreamCompressor::~StreamCompressor() = default;

void StreamCompressor::write(std::string_view data, std::string& out) {
  switch (state_->coding) {
    case ContentCoding::gzip:
      state_->run_zlib(data, Z_SYNC_FLUSH, out);
      break;
    case ContentCoding::br:
      state_->run_brotli(data, BROTLI_OPERATION_FLUSH, out);
      break;
    case ContentCoding::identity:
      out.append(data);
      break;
  }
}

void StreamCompressor::finish(std::string& out) {
  switch (state_->coding) {
    case ContentCoding::gzip:
      state_->run_zlib({}, Z_FINISH, out);
      break;
    case ContentCoding::br:
      state_->run_brotli({}, BROTLI_OPERATION_FINISH, out);
      break;
    case ContentCoding::identity:
      break;
  }
}

}  // namespace tachyon::compress
