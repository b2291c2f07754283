#include "tachyon/tls/server_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "tachyon/tls/certificate_names.hpp"
#include "tachyon/tls/openssl_error.hpp"

namespace tachyon::tls {

namespace {

// https://ssl-config.mozilla.org/ "intermediate": TLS 1.2 suites with forward secrecy and AEAD only;
// TLS 1.3 keeps OpenSSL's defaults (all three are AEAD).
constexpr const char* intermediate_tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
constexpr const char* intermediate_groups = "X25519:prime256v1:secp384r1";

// ALPN wire format: length-prefixed protocol names.
constexpr unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// Picks http/1.1 when the client offers it; a client offering only other protocols (h2 alone) gets no
// ALPN answer and may still speak HTTP/1.1 or give up, as nginx without http2 behaves.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* offered,
                unsigned int offered_length, void*) {
  unsigned char* chosen = nullptr;
  unsigned char chosen_length = 0;
  if (SSL_select_next_proto(&chosen, &chosen_length, http11, sizeof http11, offered, offered_length) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  *out_length = chosen_length;
  return SSL_TLSEXT_ERR_OK;
}

// Trusts client certificates issued by the CA file, names those CAs in the CertificateRequest (so a
// client holding several certificates picks the right one), and checks the leaf against the CRLs.
void require_client_certificates(SSL_CTX* context, const ServerContextOptions& options) {
  if (options.client_auth == ClientAuth::off) return;
  if (SSL_CTX_load_verify_locations(context, options.client_ca_file.c_str(), nullptr) != 1) {
    throw_openssl_error("cannot read the client CA file " + options.client_ca_file);
  }
  STACK_OF(X509_NAME)* authorities = SSL_load_client_CA_file(options.client_ca_file.c_str());
  if (authorities == nullptr)
    throw_openssl_error("the client CA file " + options.client_ca_file + " holds no certificate");
  SSL_CTX_set_client_CA_list(context, authorities);
  if (!options.client_crl_file.empty()) {
    X509_STORE* store = SSL_CTX_get_cert_store(context);
    X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
    if (lookup == nullptr || X509_load_crl_file(lookup, options.client_crl_file.c_str(), X509_FILETYPE_PEM) <= 0) {
      throw_openssl_error("cannot read a revocation list from " + options.client_crl_file);
    }
    // The leaf's issuer must have a current CRL in the file: a missing or outdated one fails closed.
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  }
  int mode = SSL_VERIFY_PEER;
  if (options.client_auth == ClientAuth::required) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(context, mode, nullptr);
}

// Every connection's SSL_CTX is a ServerContext's: its callbacks find it here.
int context_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

const ServerContext& owner(SSL* connection) {
  return *static_cast<const ServerContext*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(connection), context_index()));
}

// SNI (RFC 6066 §3): present the certificate that names the host the client asked for.
int choose_certificate(SSL* connection, int*, void*) {
  const char* host = SSL_get_servername(connection, TLSEXT_NAMETYPE_host_name);
  if (host == nullptr) return SSL_TLSEXT_ERR_OK;
  std::string lower(host);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  const ServerContext& context = owner(connection);
  const ServedCertificate& chosen = context.certificate_for(lower);
  if (&chosen != &context.default_certificate()) chosen.use_in(connection);
  return SSL_TLSEXT_ERR_OK;
}

// OCSP stapling (RFC 6066 §8): called when the client asked for the certificate's status.
int staple_ocsp_response(SSL* connection, void*) {
  const ServedCertificate* in_use = owner(connection).certificate_in_use(connection);
  std::string_view response = in_use != nullptr ? in_use->ocsp_response(std::time(nullptr)) : std::string_view();
  if (response.empty()) return SSL_TLSEXT_ERR_NOACK;
  void* copy = OPENSSL_memdup(response.data(), response.size());
  if (copy == nullptr) return SSL_TLSEXT_ERR_NOACK;
  SSL_set_tlsext_status_ocsp_resp(connection, copy, static_cast<long>(response.size()));
  return SSL_TLSEXT_ERR_OK;
}

int ticket_key(SSL* connection, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
               int encrypt) {
  TicketKeyRing* ring = owner(connection).ticket_keys();
  return ring != nullptr ? TicketKeyRing::callback(*ring, name, iv, cipher, mac, encrypt) : 0;
}

std::string read_whole_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot read the OCSP response " + path);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

}  // namespace

std::string verified_client_name(const SSL* ssl) {
  X509* certificate = SSL_get0_peer_certificate(ssl);
  if (certificate == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return {};
  // The first DNS name decides, even when unusable: a later one is not tried.
  std::vector<std::string> names = dns_names(certificate);
  return names.empty() ? common_name(certificate) : names.front();
}

ServerContext::ServerContext(const ServerContextOptions& options, std::shared_ptr<TicketKeyRing> ticket_keys)
    : ticket_keys_(std::move(ticket_keys)) {
  if (options.certificates.empty()) throw std::runtime_error("HTTPS needs a certificate and its key");
  for (const CertificateKeyFiles& files : options.certificates) {
    certificates_.push_back(std::make_unique<ServedCertificate>(files));
  }
  load_ocsp_responses(options.ocsp_response_files);
  context_ = SSL_CTX_new(TLS_server_method());
  if (context_ == nullptr) throw_openssl_error("cannot create a TLS context");
  try {
    if (SSL_CTX_set_min_proto_version(context_, TLS1_2_VERSION) != 1) throw_openssl_error("cannot require TLS 1.2");
    // Mozilla intermediate would leave the cipher choice to the client (every suite listed is strong);
    // the server's order is kept instead, which testssl.sh rates HIGH when missing (bench/tls_scan.sh).
    SSL_CTX_set_options(context_, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // Partial writes and a buffer that may move between retries fit the connection's output buffer;
    // released buffers keep an idle TLS connection small.
    SSL_CTX_set_mode(context_,
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    // Read ahead: one read() takes what the socket holds (a whole record, or several) instead of two
    // per record (its 5-byte header, then the rest). Safe here because a connection waits on the
    // socket only after SSL_read said WANT_READ, never while records wait in OpenSSL's buffer.
    SSL_CTX_set_read_ahead(context_, 1);
    if (SSL_CTX_set_cipher_list(context_, intermediate_tls12_ciphers) != 1)
      throw_openssl_error("cannot set the TLS 1.2 ciphers");
    if (SSL_CTX_set1_groups_list(context_, intermediate_groups) != 1)
      throw_openssl_error("cannot set the key exchange groups");
    SSL_CTX_set_session_cache_mode(context_, SSL_SESS_CACHE_SERVER);
    static constexpr unsigned char session_context[] = "tachyon";
    SSL_CTX_set_session_id_context(context_, session_context, sizeof session_context - 1);
    SSL_CTX_set_alpn_select_cb(context_, select_alpn, nullptr);
    SSL_CTX_set_ex_data(context_, context_index(), this);
    certificates_.front()->use_in(context_);
    if (certificates_.size() > 1) SSL_CTX_set_tlsext_servername_callback(context_, choose_certificate);
    if (!options.ocsp_response_files.empty()) SSL_CTX_set_tlsext_status_cb(context_, staple_ocsp_response);
    if (ticket_keys_) {
      SSL_CTX_set_tlsext_ticket_key_evp_cb(context_, ticket_key);
      // The ticket lifetime hint: a client should not offer a ticket its key may no longer decrypt.
      SSL_CTX_set_timeout(context_, static_cast<long>(ticket_keys_->lifetime().count()));
    } else {
      SSL_CTX_set_options(context_, SSL_OP_NO_TICKET);
    }
    require_client_certificates(context_, options);
  } catch (...) {
    SSL_CTX_free(context_);
    throw;
  }
}

ServerContext::~ServerContext() {
  SSL_CTX_free(context_);
}

void ServerContext::load_ocsp_responses(const std::vector<std::string>& files) {
  for (const std::string& file : files) {
    std::string der = read_whole_file(file);
    bool matched = false;
    for (const std::unique_ptr<ServedCertificate>& certificate : certificates_) {
      matched = certificate->attach_ocsp_response(der, file) || matched;
    }
    if (!matched) {
      throw std::runtime_error("the OCSP response " + file +
                               " answers for none of the certificates (or their chain lacks the issuer)");
    }
  }
}

const ServedCertificate& ServerContext::certificate_for(std::string_view host) const {
  if (!host.empty()) {
    for (const std::unique_ptr<ServedCertificate>& certificate : certificates_) {
      if (certificate->names_exactly(host)) return *certificate;
    }
    for (const std::unique_ptr<ServedCertificate>& certificate : certificates_) {
      if (certificate->names_by_wildcard(host)) return *certificate;
    }
  }
  return default_certificate();
}

const ServedCertificate* ServerContext::certificate_in_use(const SSL* connection) const {
  const X509* presented = SSL_get_certificate(connection);
  for (const std::unique_ptr<ServedCertificate>& certificate : certificates_) {
    if (certificate->is(presented)) return certificate.get();
  }
  return nullptr;
}

ReloadableContext::ReloadableContext(ServerContextOptions options)
    : options_(std::move(options)),
      ticket_keys_(options_.ticket_key_lifetime.count() > 0
                       ? std::make_shared<TicketKeyRing>(options_.ticket_key_lifetime)
                       : nullptr),
      current_(std::make_shared<const ServerContext>(options_, ticket_keys_)) {}

std::shared_ptr<const ServerContext> ReloadableContext::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::optional<std::string> ReloadableContext::reload() {
  std::shared_ptr<const ServerContext> fresh;
  try {
    std::shared_ptr<TicketKeyRing> ticket_keys = ticket_keys_;
    if (ticket_keys && options_.client_auth != ClientAuth::off) {
      ticket_keys = std::make_shared<TicketKeyRing>(options_.ticket_key_lifetime);
    }
    fresh = std::make_shared<const ServerContext>(options_, ticket_keys);
  } catch (const std::exception& error) {
    return std::string(error.what());
  }
  std::lock_guard lock(mutex_);
  current_ = std::move(fresh);
  return std::nullopt;
}

}  // namespace tachyon::tls
