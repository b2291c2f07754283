// What on-the-fly compression costs: gzip (zlib) and brotli (libbrotlienc) of a 10 KB JSON list page at
// the server's default levels (gzip 6, brotli 5) and at others, whole bodies and streamed 1000-row pages
// (sync-flushed, as exports send them); bytes_per_second is input bytes, so 1/it is the cost per byte.
// The "ratio" counter is compressed / input size.
#include <benchmark/benchmark.h>

#include <string>

#include "tachyon/compress/compressor.hpp"

namespace {

using tachyon::compress::CompressionLevels;
using tachyon::compress::ContentCoding;

// Rows shaped like GET /v1/products items (about 200 bytes each).
std::string product_rows(int count, const char* separator) {
  std::string text;
  for (int index = 1; index <= count; ++index) {
    text += "{\"id\":" + std::to_string(index) + ",\"sku\":\"SKU-" + std::to_string(index) +
            "\",\"name\":\"Portable Speaker " + std::to_string(index * 7919 % 1000) +
            "\",\"category\":\"electronics\",\"price_cents\":" + std::to_string(index * 3571 % 50000) +
            ",\"stock\":" + std::to_string(index * 31 % 500) +
            ",\"created_at\":\"2026-09-17T06:44:26.356Z\",\"updated_at\":\"2026-09-17T06:44:26.356Z\"}" + separator;
  }
  return text;
}

const std::string& list_page() {
  static const std::string page = "{\"items\":[" + product_rows(48, ",") + "],\"next_cursor\":null}";
  return page;
}

void whole_body(benchmark::State& state, ContentCoding coding, CompressionLevels levels) {
  const std::string& page = list_page();
  std::size_t out = 0;
  for (auto _ : state) {
    std::string encoded = tachyon::compress::compress(coding, page, levels);
    out = encoded.size();
    benchmark::DoNotOptimize(encoded.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * page.size()));
  state.counters["input_bytes"] = static_cast<double>(page.size());
  state.counters["ratio"] = static_cast<double>(out) / static_cast<double>(page.size());
}

void streamed_pages(benchmark::State& state, ContentCoding coding) {
  static const std::string page = product_rows(1000, "\n");  // one export page of NDJSON
  std::size_t in = 0;
  std::size_t out = 0;
  for (auto _ : state) {
    tachyon::compress::StreamCompressor compressor(coding, {});
    std::string encoded;
    for (int pages = 0; pages < 10; ++pages) {
      compressor.write(page, encoded);
      in += page.size();
    }
    compressor.finish(encoded);
    out += encoded.size();
    benchmark::DoNotOptimize(encoded.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(in));
  state.counters["ratio"] = static_cast<double>(out) / static_cast<double>(in);
}

BENCHMARK_CAPTURE(whole_body, gzip_6, ContentCoding::gzip, CompressionLevels{.gzip_level = 6});
BENCHMARK_CAPTURE(whole_body, gzip_1, ContentCoding::gzip, CompressionLevels{.gzip_level = 1});
BENCHMARK_CAPTURE(whole_body, brotli_5, ContentCoding::br, CompressionLevels{.brotli_quality = 5});
BENCHMARK_CAPTURE(whole_body, brotli_4, ContentCoding::br, CompressionLevels{.brotli_quality = 4});
BENCHMARK_CAPTURE(whole_body, brotli_11, ContentCoding::br, CompressionLevels{.brotli_quality = 11});
BENCHMARK_CAPTURE(streamed_pages, gzip, ContentCoding::gzip);
BENCHMARK_CAPTURE(streamed_pages, brotli, ContentCoding::br);

}  // namespace
