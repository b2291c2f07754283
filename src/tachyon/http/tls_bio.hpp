// Internal to http/: the OpenSSL BIO under a TLS Transport. Reads hand OpenSSL the ciphertext the
// transport's asynchronous reads staged (never a system call: an empty stage is "retry"), writes go
// straight to the socket with send(2). See transport.hpp for why reads do not go through the socket BIO.
#pragma once

#include <openssl/types.h>

namespace tachyon::http {

class Transport;

// A new BIO over `transport`; the SSL object it is given to (SSL_set_bio) owns it.
BIO* new_transport_bio(Transport& transport);

}  // namespace tachyon::http
