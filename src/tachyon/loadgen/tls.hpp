// TLS for load-generator connections: OpenSSL client sessions over non-blocking sockets, with SNI.
// One context per generator thread, so threads share nothing (certificates are not verified).
#pragma once

#include <cstddef>
#include <string>

struct ssl_ctx_st;
struct ssl_st;

namespace tachyon::loadgen {

enum class TlsStatus { done, want_read, want_write, closed, error };

class TlsContext {
 public:
  TlsContext();  // throws std::runtime_error when OpenSSL cannot make a client context
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // A client session on the connected (or connecting) socket; `server_name` is sent as SNI unless
  // empty. nullptr on failure. Free it with tls_free.
  ssl_st* open(int descriptor, const std::string& server_name) const;

 private:
  ssl_ctx_st* context_ = nullptr;
};

// One handshake step: done, want_read/want_write (call again when the socket is ready) or error.
TlsStatus tls_handshake(ssl_st* session);
// Reads decrypted bytes: > 0, or 0 with `status` saying why (want_*, closed by the peer, error).
std::size_t tls_read(ssl_st* session, char* buffer, std::size_t size, TlsStatus& status);
// Writes up to `size` bytes (partial writes allowed): > 0 written, or 0 with `status` set.
std::size_t tls_write(ssl_st* session, const char* data, std::size_t size, TlsStatus& status);
// Decrypted bytes OpenSSL already holds: epoll cannot see them, so the caller reads them now.
bool tls_has_pending(ssl_st* session);
void tls_free(ssl_st* session);

}  // namespace tachyon::loadgen
