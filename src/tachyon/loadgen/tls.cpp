#include "tachyon/loadgen/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace tachyon::loadgen {
namespace {

TlsStatus status_of(ssl_st* session, int result) {
  switch (SSL_get_error(session, result)) {
    case SSL_ERROR_WANT_READ:
      return TlsStatus::want_read;
    case SSL_ERROR_WANT_WRITE:
      return TlsStatus::want_write;
    case SSL_ERROR_ZERO_RETURN:
      return TlsStatus::closed;
    default:
      ERR_clear_error();  // the error queue is per thread: leave it empty for the next call
      return TlsStatus::error;
  }
}

}  // namespace

TlsContext::TlsContext() {
  context_ = SSL_CTX_new(TLS_client_method());
  if (context_ == nullptr) throw std::runtime_error("cannot create a TLS client context");
  SSL_CTX_set_min_proto_version(context_, TLS1_2_VERSION);
  SSL_CTX_set_verify(context_, SSL_VERIFY_NONE, nullptr);
  // A peer that closes without close_notify ends the stream like plain TCP's EOF (servers do).
  SSL_CTX_set_options(context_, SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Read whole socket contents into OpenSSL's buffer: one read() per response instead of one for
  // the record header and one for its body.
  SSL_CTX_set_read_ahead(context_, 1);
  // The unsent buffer may grow (pipelining) or move between a partial write and its retry.
  SSL_CTX_set_mode(context_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  static const unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(context_, http11, sizeof http11);
}

TlsContext::~TlsContext() {
  SSL_CTX_free(context_);
}

ssl_st* TlsContext::open(int descriptor, const std::string& server_name) const {
  SSL* session = SSL_new(context_);
  if (session == nullptr) return nullptr;
  if (SSL_set_fd(session, descriptor) != 1 ||
      (!server_name.empty() && SSL_set_tlsext_host_name(session, server_name.c_str()) != 1)) {
    SSL_free(session);
    return nullptr;
  }
  SSL_set_connect_state(session);
  return session;
}

TlsStatus tls_handshake(ssl_st* session) {
  int result = SSL_do_handshake(session);
  return result == 1 ? TlsStatus::done : status_of(session, result);
}

std::size_t tls_read(ssl_st* session, char* buffer, std::size_t size, TlsStatus& status) {
  int result = SSL_read(session, buffer, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
  if (result > 0) return static_cast<std::size_t>(result);
  status = status_of(session, result);
  return 0;
}

std::size_t tls_write(ssl_st* session, const char* data, std::size_t size, TlsStatus& status) {
  int result = SSL_write(session, data, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
  if (result > 0) return static_cast<std::size_t>(result);
  status = status_of(session, result);
  return 0;
}

bool tls_has_pending(ssl_st* session) {
  return SSL_has_pending(session) == 1;
}

void tls_free(ssl_st* session) {
  SSL_free(session);
}

}  // namespace tachyon::loadgen
