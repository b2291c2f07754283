#include "tachyon/compress/compressor.hpp"
#include "tachyon/http/conditional.hpp"
#include "tachyon/http/standard_middleware.hpp"

namespace tachyon::http {

namespace {

// Compresses what a streamed body's producer writes and passes it on, one sync-flushed piece per write.
class CompressingWriter final : public BodyWriter {
 public:
  CompressingWriter(BodyWriter& out, compress::ContentCoding coding, const compress::CompressionLevels& levels)
      : out_(out), compressor_(coding, levels) {}

  boost::asio::awaitable<bool> write(std::string_view data) override {
    pending_.clear();
    compressor_.write(data, pending_);
    co_return co_await out_.write(pending_);
  }

  boost::asio::awaitable<void> finish() {
    pending_.clear();
    compressor_.finish(pending_);
    co_await out_.write(pending_);
  }

 private:
  BodyWriter& out_;
  compress::StreamCompressor compressor_;
  std::string pending_;
};

BodyProducer compressed(BodyProducer inner, compress::ContentCoding coding, compress::CompressionLevels levels) {
  return [inner = std::move(inner), coding, levels](BodyWriter& out) -> boost::asio::awaitable<void> {
    CompressingWriter writer(out, coding, levels);
    co_await inner(writer);
    co_await writer.finish();
  };
}

bool has_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

}  // namespace

boost::asio::awaitable<void> RepresentationMiddleware::handle(Context& context, Next next) {
  const Route* route = context.route;
  if (compression_ && (route == nullptr || route->metadata.compressible)) {
    context.compression = &*compression_;
    std::string_view accept_encoding = context.request.header("Accept-Encoding");
    if (!accept_encoding.empty()) context.accepted_codings = compress::parse_accept_encoding(accept_encoding);
  }
  co_await next(context);
  Response& response = context.response;
  if (route != nullptr && !route->metadata.cache_control.empty() && response.status >= 200 && response.status < 300 &&
      !response.header("Cache-Control")) {
    response.add_header("Cache-Control", route->metadata.cache_control);
  }
  if (context.compression != nullptr) encode(context);
  answer_not_modified_if_current(context);
}

void RepresentationMiddleware::encode(Context& context) const {
  Response& response = context.response;
  // The common small answer (below the minimum, identity acceptable, not streamed) needs nothing: say so
  // before looking at its type or its header fields.
  if (!response.stream && response.body.size() < compression_->min_bytes && context.accepted_codings.identity_q > 0 &&
      !response.header("Content-Encoding")) {
    return;
  }
  if (!has_body(response.status) || !compression_->compressible_type(response.content_type())) return;
  const bool encoded = response.header("Content-Encoding").has_value();  // a cached variant, or the handler's
  compress::ContentCoding coding = compress::ContentCoding::identity;
  if (!encoded) {
    coding = response.stream ? context.accepted_codings.choose(true)
                             : content_coding_for(context, response.content_type(), response.body.size());
  }
  // Vary when another Accept-Encoding could get another answer: the body is worth compressing (or was
  // compressed), as nginx's gzip_vary does. A body below the minimum goes out as it is to everyone but a
  // client refusing identity, and saying Vary on every small answer costs each of them a header.
  if (encoded || coding != compress::ContentCoding::identity || response.stream ||
      compression_->worth_compressing(response.content_type(), response.body.size())) {
    add_vary(response, "Accept-Encoding");
  }
  if (coding == compress::ContentCoding::identity) return;
  if (response.stream) {
    response.stream = compressed(std::move(response.stream), coding, compression_->levels);
    response.add_header("Content-Encoding", compress::coding_token(coding));
    return;
  }
  std::string body = compress::compress(coding, response.body, compression_->levels);
  if (body.size() >= response.body.size() && context.accepted_codings.identity_q > 0) return;
  response.body = std::move(body);
  response.add_header("Content-Encoding", compress::coding_token(coding));
  if (std::optional<std::string_view> etag = response.header("ETag")) {
    response.set_header("ETag", compress::variant_etag(*etag, coding));
  }
}

}  // namespace tachyon::http
