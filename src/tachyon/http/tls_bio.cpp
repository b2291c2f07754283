#include "tachyon/http/tls_bio.hpp"

#include <openssl/bio.h>
#include <sys/socket.h>

#include <cerrno>
#include <new>

#include "tachyon/http/transport.hpp"

namespace tachyon::http {

namespace {

Transport& transport_of(BIO* bio) {
  return *static_cast<Transport*>(BIO_get_data(bio));
}

int read_staged(BIO* bio, char* data, std::size_t size, std::size_t* moved) {
  BIO_clear_retry_flags(bio);
  Transport& transport = transport_of(bio);
  *moved = transport.take_ciphertext(data, size);
  if (*moved > 0) return 1;
  if (!transport.ciphertext_ended()) BIO_set_retry_read(bio);
  return 0;
}

int send_to_socket(BIO* bio, const char* data, std::size_t size, std::size_t* moved) {
  BIO_clear_retry_flags(bio);
  *moved = 0;
  const int descriptor = transport_of(bio).socket().native_handle();
  for (;;) {
    ssize_t sent = ::send(descriptor, data, size, MSG_NOSIGNAL);
    if (sent >= 0) {
      *moved = static_cast<std::size_t>(sent);
      return 1;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(bio);
    return 0;
  }
}

long control(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;  // nothing is buffered: writes go straight to the socket
    case BIO_CTRL_EOF:
      return transport_of(bio).ciphertext_ended() ? 1 : 0;
    default:
      return 0;  // no kernel TLS, no datagram or socket controls
  }
}

int create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

// One method table for the process, made on first use.
const BIO_METHOD* transport_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tachyon transport");
    if (made == nullptr || BIO_meth_set_read_ex(made, read_staged) != 1 ||
        BIO_meth_set_write_ex(made, send_to_socket) != 1 || BIO_meth_set_ctrl(made, control) != 1 ||
        BIO_meth_set_create(made, create) != 1) {
      throw std::bad_alloc();
    }
    return made;
  }();
  return method;
}

}  // namespace

BIO* new_transport_bio(Transport& transport) {
  BIO* bio = BIO_new(transport_method());
  if (bio == nullptr) throw std::bad_alloc();
  BIO_set_data(bio, &transport);
  return bio;
}

}  // namespace tachyon::http
