#include "tachyon/compress/content_coding.hpp"

#include "tachyon/http/field_values.hpp"
#include "tachyon/http/request.hpp"

namespace tachyon::compress {

namespace {

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). -1 when malformed.
int parse_qvalue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return -1;
  int whole = text[0] - '0';
  int thousandths = 0;
  if (text.size() > 1) {
    if (text[1] != '.' || text.size() > 5) return -1;
    int scale = 100;
    for (char digit : text.substr(2)) {
      if (digit < '0' || digit > '9') return -1;
      thousandths += (digit - '0') * scale;
      scale /= 10;
    }
  }
  int value = whole * 1000 + thousandths;
  return value > 1000 ? -1 : value;
}

constexpr std::string_view variant_suffix(ContentCoding coding) {
  switch (coding) {
    case ContentCoding::gzip:
      return "-gz";
    case ContentCoding::br:
      return "-br";
    case ContentCoding::identity:
      break;
  }
  return "";
}

}  // namespace

std::string_view coding_token(ContentCoding coding) {
  switch (coding) {
    case ContentCoding::gzip:
      return "gzip";
    case ContentCoding::br:
      return "br";
    case ContentCoding::identity:
      break;
  }
  return "identity";
}

ContentCoding AcceptedCodings::choose(bool worth_compressing) const {
  if (best == ContentCoding::identity) return ContentCoding::identity;
  if (identity_q == 0) return best;
  return worth_compressing && (!identity_named || best_q >= identity_q) ? best : ContentCoding::identity;
}

AcceptedCodings parse_accept_encoding(std::string_view field_value) {
  int gzip_q = -1;
  int br_q = -1;
  int identity_q = -1;
  int any_q = -1;
  http::for_each_list_element(field_value, [&](std::string_view member) {
    std::size_t semicolon = member.find(';');
    std::string_view name = http::trim_whitespace(member.substr(0, semicolon));
    int q = 1000;
    if (semicolon != std::string_view::npos) {
      std::string_view parameter = http::trim_whitespace(member.substr(semicolon + 1));
      if (parameter.size() < 2 || (parameter[0] != 'q' && parameter[0] != 'Q') || parameter[1] != '=') return;
      q = parse_qvalue(http::trim_whitespace(parameter.substr(2)));
      if (q < 0) return;
    }
    if (http::iequals(name, "gzip") || http::iequals(name, "x-gzip")) {
      gzip_q = q;
    } else if (http::iequals(name, "br")) {
      br_q = q;
    } else if (http::iequals(name, "identity")) {
      identity_q = q;
    } else if (name == "*") {
      any_q = q;
    }
  });
  // "*" stands for every coding the field does not name (RFC 9110 §12.5.3).
  if (any_q >= 0) {
    if (gzip_q < 0) gzip_q = any_q;
    if (br_q < 0) br_q = any_q;
    if (identity_q < 0) identity_q = any_q;
  }
  AcceptedCodings accepted;
  accepted.identity_named = identity_q >= 0;
  accepted.identity_q = static_cast<std::uint16_t>(identity_q < 0 ? 1000 : identity_q);
  if (br_q > 0 && br_q >= gzip_q) {
    accepted.best = ContentCoding::br;
    accepted.best_q = static_cast<std::uint16_t>(br_q);
  } else if (gzip_q > 0) {
    accepted.best = ContentCoding::gzip;
    accepted.best_q = static_cast<std::uint16_t>(gzip_q);
  }
  return accepted;
}

bool CompressionRules::compressible_type(std::string_view content_type) const {
  std::string_view media_type = http::trim_whitespace(content_type.substr(0, content_type.find(';')));
  for (const std::string& type : types) {
    if (type.ends_with('/')) {
      if (media_type.size() > type.size() && http::iequals(media_type.substr(0, type.size()), type)) return true;
    } else if (http::iequals(media_type, type)) {
      return true;
    }
  }
  return false;
}

std::string variant_etag(std::string_view etag, ContentCoding coding) {
  std::string_view suffix = variant_suffix(coding);
  if (suffix.empty() || etag.size() < 2 || etag.back() != '"') return std::string(etag);
  std::string tag;
  tag.reserve(etag.size() + suffix.size());
  tag.append(etag.substr(0, etag.size() - 1)).append(suffix).push_back('"');
  return tag;
}

std::string identity_etag(std::string_view etag) {
  for (ContentCoding coding : {ContentCoding::gzip, ContentCoding::br}) {
    std::string_view suffix = variant_suffix(coding);
    std::size_t suffix_at = etag.size() - 1 - suffix.size();
    if (etag.size() > suffix.size() + 2 && etag.back() == '"' && etag.substr(suffix_at, suffix.size()) == suffix) {
      return std::string(etag.substr(0, suffix_at)) + '"';
    }
  }
  return std::string(etag);
}

}  // namespace tachyon::compress
