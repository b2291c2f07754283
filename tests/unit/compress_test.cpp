// Content-coding negotiation (RFC 9110 §12.5.3), variant ETags, and gzip/brotli output checked with the
// reference decoders (zlib's inflate, libbrotlidec), whole and streamed.
#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include "tachyon/cache/encoded_variants.hpp"
#include "tachyon/compress/compressor.hpp"
#include "tachyon/compress/content_coding.hpp"

namespace tachyon::compress {
namespace {

std::string gunzip(std::string_view data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out;
  char buffer[16384];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
    if (result == Z_BUF_ERROR && stream.avail_in == 0) break;
  }
  EXPECT_EQ(result, Z_STREAM_END) << "gzip stream not complete";
  inflateEnd(&stream);
  return out;
}

std::string unbrotli(std::string_view data) {
  BrotliDecoderState* decoder = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  std::string out;
  std::size_t available_in = data.size();
  const auto* next_in = reinterpret_cast<const std::uint8_t*>(data.data());
  BrotliDecoderResult result = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    std::uint8_t buffer[16384];
    std::size_t available_out = sizeof buffer;
    std::uint8_t* next_out = buffer;
    result = BrotliDecoderDecompressStream(decoder, &available_in, &next_in, &available_out, &next_out, nullptr);
    out.append(reinterpret_cast<char*>(buffer), sizeof buffer - available_out);
  }
  EXPECT_EQ(result, BROTLI_DECODER_RESULT_SUCCESS) << "brotli stream not complete";
  BrotliDecoderDestroyInstance(decoder);
  return out;
}

std::string sample_json(std::size_t items) {
  std::string text = "{\"items\":[";
  for (std::size_t index = 0; index < items; ++index) {
    if (index > 0) text += ',';
    text += "{\"id\":" + std::to_string(index) + ",\"name\":\"Product " + std::to_string(index * 7919 % 1000) +
            "\",\"category\":\"tools\",\"price_cents\":" + std::to_string(index * 31 % 10000) + "}";
  }
  return text + "]}";
}

TEST(AcceptEncoding, PrefersBrotliThenGzipAndHonoursQValues) {
  EXPECT_EQ(parse_accept_encoding("gzip, deflate, br").best, ContentCoding::br);
  EXPECT_EQ(parse_accept_encoding("gzip").best, ContentCoding::gzip);
  EXPECT_EQ(parse_accept_encoding("br;q=0.5, gzip;q=0.8").best, ContentCoding::gzip);
  EXPECT_EQ(parse_accept_encoding("br;q=0, gzip;q=0").best, ContentCoding::identity);
  EXPECT_EQ(parse_accept_encoding("GZIP;Q=1.0").best, ContentCoding::gzip);
  EXPECT_EQ(parse_accept_encoding("x-gzip").best, ContentCoding::gzip);
  EXPECT_EQ(parse_accept_encoding("deflate, compress").best, ContentCoding::identity);
  EXPECT_EQ(parse_accept_encoding("").best, ContentCoding::identity);
  // Malformed q-values are skipped, not fatal, and never raise a coding above what was asked.
  EXPECT_EQ(parse_accept_encoding("br;q=2, gzip").best, ContentCoding::gzip);
  EXPECT_EQ(parse_accept_encoding("br;q=0.1234, gzip;q=abc").best, ContentCoding::identity);
}

TEST(AcceptEncoding, StarCoversUnnamedCodingsAndIdentityCanBeRefused) {
  EXPECT_EQ(parse_accept_encoding("*").best, ContentCoding::br);
  EXPECT_EQ(parse_accept_encoding("br;q=0, *").best, ContentCoding::gzip);
  AcceptedCodings refused = parse_accept_encoding("*;q=0");
  EXPECT_EQ(refused.best, ContentCoding::identity);
  EXPECT_EQ(refused.identity_q, 0);
  AcceptedCodings only_gzip = parse_accept_encoding("gzip, identity;q=0");
  EXPECT_EQ(only_gzip.identity_q, 0);
  // Identity refused: compressed even when the body is too small to be worth it.
  EXPECT_EQ(only_gzip.choose(false), ContentCoding::gzip);
  EXPECT_EQ(parse_accept_encoding("gzip").choose(false), ContentCoding::identity);
  // The client prefers identity: honoured.
  EXPECT_EQ(parse_accept_encoding("gzip;q=0.5, identity").choose(true), ContentCoding::identity);
  EXPECT_EQ(parse_accept_encoding("gzip, identity;q=0.5").choose(true), ContentCoding::gzip);
  // An unnamed identity states no preference: a low-q coding the client names still wins.
  EXPECT_EQ(parse_accept_encoding("gzip;q=0.5, br;q=0.1").choose(true), ContentCoding::gzip);
  EXPECT_EQ(parse_accept_encoding("gzip;q=0.5, *;q=0.8").choose(true), ContentCoding::br);
}

TEST(CompressionRules, MatchesListedTypesAndTheMinimumSize) {
  CompressionRules rules;
  EXPECT_TRUE(rules.compressible_type("application/json"));
  EXPECT_TRUE(rules.compressible_type("Application/JSON; charset=utf-8"));
  EXPECT_TRUE(rules.compressible_type("text/html; charset=utf-8"));
  EXPECT_FALSE(rules.compressible_type("image/png"));
  EXPECT_FALSE(rules.compressible_type("text"));
  EXPECT_FALSE(rules.worth_compressing("application/json", 499));
  EXPECT_TRUE(rules.worth_compressing("application/json", 500));
}

TEST(VariantEtag, EachCodingGetsItsOwnTagAndMapsBack) {
  EXPECT_EQ(variant_etag("\"abc\"", ContentCoding::br), "\"abc-br\"");
  EXPECT_EQ(variant_etag("\"abc\"", ContentCoding::gzip), "\"abc-gz\"");
  EXPECT_EQ(variant_etag("\"abc\"", ContentCoding::identity), "\"abc\"");
  EXPECT_EQ(identity_etag("\"abc-br\""), "\"abc\"");
  EXPECT_EQ(identity_etag("\"abc-gz\""), "\"abc\"");
  EXPECT_EQ(identity_etag("\"abc\""), "\"abc\"");
  EXPECT_EQ(identity_etag("\"-br\""), "\"-br\"");
}

TEST(Compressor, WholeBodiesDecodeByteForByte) {
  std::string text = sample_json(400);
  CompressionLevels levels;
  std::string gzipped = compress(ContentCoding::gzip, text, levels);
  std::string brotlied = compress(ContentCoding::br, text, levels);
  EXPECT_LT(gzipped.size(), text.size() / 3);
  EXPECT_LT(brotlied.size(), text.size() / 3);
  EXPECT_EQ(gunzip(gzipped), text);
  EXPECT_EQ(unbrotli(brotlied), text);
  EXPECT_EQ(compress(ContentCoding::identity, text, levels), text);
  EXPECT_EQ(gunzip(compress(ContentCoding::gzip, "", levels)), "");
  EXPECT_EQ(unbrotli(compress(ContentCoding::br, "", levels)), "");
}

TEST(Compressor, StreamsDecodeWholeAndEachFlushedPrefixIsDecodable) {
  for (ContentCoding coding : {ContentCoding::gzip, ContentCoding::br}) {
    StreamCompressor compressor(coding, {});
    std::string expected;
    std::string out;
    for (int piece = 0; piece < 50; ++piece) {
      std::string text = sample_json(20 + piece);
      expected += text;
      compressor.write(text, out);
      ASSERT_FALSE(out.empty()) << "a sync flush emits bytes for every piece";
    }
    compressor.finish(out);
    EXPECT_EQ(coding == ContentCoding::gzip ? gunzip(out) : unbrotli(out), expected) << coding_token(coding);
  }
}

TEST(EncodedVariants, MadeOnceKeptAndDroppedOnCopy) {
  std::string body = sample_json(100);
  cache::EncodedVariants variants;
  const auto& first = variants.get(ContentCoding::br, body, "\"e\"", {});
  const auto& second = variants.get(ContentCoding::br, body, "\"e\"", {});
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(first.etag, "\"e-br\"");
  EXPECT_EQ(unbrotli(first.body), body);
  EXPECT_EQ(gunzip(variants.get(ContentCoding::gzip, body, "\"e\"", {}).body), body);
  cache::EncodedVariants copy = variants;
  EXPECT_NE(&copy.get(ContentCoding::br, "other", "\"x\"", {}), &first);
  // A body that does not shrink keeps no variant: identity is sent.
  cache::EncodedVariants tiny;
  EXPECT_TRUE(tiny.get(ContentCoding::gzip, "ab", "\"t\"", {}).body.empty());
}

}  // namespace
}  // namespace tachyon::compress
