#include "tachyon/http/static_body.hpp"

#include "tachyon/compress/compressor.hpp"
#include "tachyon/http/etag.hpp"

namespace tachyon::http {

StaticBody StaticBody::embedded(std::string_view content_type, std::string_view identity, std::string_view gzip,
                                std::string_view br) {
  StaticBody body;
  body.content_type_ = content_type;
  body.embedded_[0] = identity;
  body.embedded_[1] = gzip;
  body.embedded_[2] = br;
  body.finish();
  return body;
}

StaticBody StaticBody::rendered(std::string_view content_type, std::string text,
                                const compress::CompressionLevels& levels) {
  StaticBody body;
  body.content_type_ = content_type;
  body.owned_[1] = compress::compress(compress::ContentCoding::gzip, text, levels);
  body.owned_[2] = compress::compress(compress::ContentCoding::br, text, levels);
  body.owned_[0] = std::move(text);
  body.owns_ = true;
  body.finish();
  return body;
}

void StaticBody::finish() {
  etags_[0] = strong_etag(part(0));
  etags_[1] = compress::variant_etag(etags_[0], compress::ContentCoding::gzip);
  etags_[2] = compress::variant_etag(etags_[0], compress::ContentCoding::br);
  // A variant that is missing or not smaller is not worth sending.
  for (int index = 1; index < 3; ++index) usable_[index] = !part(index).empty() && part(index).size() < part(0).size();
}

void StaticBody::serve(Context& context) const {
  Response& response = context.response;
  response.status = 200;
  response.set_content_type(content_type_);
  compress::ContentCoding coding = content_coding_for(context, content_type_, part(0).size());
  int index = coding == compress::ContentCoding::br ? 2 : coding == compress::ContentCoding::gzip ? 1 : 0;
  if (!usable_[index]) index = 0;
  response.body.assign(part(index));
  response.add_header("ETag", etags_[index]);
  if (index != 0) response.add_header("Content-Encoding", compress::coding_token(coding));
}

}  // namespace tachyon::http
