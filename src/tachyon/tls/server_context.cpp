#include "tachyon/tls/server_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>

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

[[noreturn]] void fail(const std::string& what) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  throw std::runtime_error(what + (reason != nullptr ? std::string(": ") + reason : std::string()));
}

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
    fail("cannot read the client CA file " + options.client_ca_file);
  }
  STACK_OF(X509_NAME)* authorities = SSL_load_client_CA_file(options.client_ca_file.c_str());
  if (authorities == nullptr) fail("the client CA file " + options.client_ca_file + " holds no certificate");
  SSL_CTX_set_client_CA_list(context, authorities);
  if (!options.client_crl_file.empty()) {
    X509_STORE* store = SSL_CTX_get_cert_store(context);
    X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
    if (lookup == nullptr || X509_load_crl_file(lookup, options.client_crl_file.c_str(), X509_FILETYPE_PEM) <= 0) {
      fail("cannot read a revocation list from " + options.client_crl_file);
    }
    // The leaf's issuer must have a current CRL in the file: a missing or outdated one fails closed.
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  }
  int mode = SSL_VERIFY_PEER;
  if (options.client_auth == ClientAuth::required) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(context, mode, nullptr);
}

// Printable ASCII, lower-cased, at most a DNS name's length; anything else is no usable name.
std::string usable_name(const unsigned char* data, int length) {
  if (data == nullptr || length <= 0 || length > 253) return {};
  std::string name(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
  for (char& c : name) {
    if (c < 0x21 || c > 0x7e) return {};
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return name;
}

// The first DNS subjectAltName (empty when unusable: a later one is not tried); nullopt when there is none.
std::optional<std::string> first_dns_name(X509* certificate) {
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return std::nullopt;
  std::optional<std::string> found;
  for (int index = 0; index < sk_GENERAL_NAME_num(names) && !found; ++index) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, index);
    if (name->type == GEN_DNS) {
      found = usable_name(ASN1_STRING_get0_data(name->d.dNSName), ASN1_STRING_length(name->d.dNSName));
    }
  }
  GENERAL_NAMES_free(names);
  return found;
}

std::string common_name(X509* certificate) {
  const X509_NAME* subject = X509_get_subject_name(certificate);
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return {};
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, value);
  std::string name = usable_name(utf8, length);
  OPENSSL_free(utf8);
  return name;
}

}  // namespace

std::string verified_client_name(const SSL* ssl) {
  X509* certificate = SSL_get0_peer_certificate(ssl);
  if (certificate == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return {};
  if (std::optional<std::string> dns_name = first_dns_name(certificate)) return *dns_name;
  return common_name(certificate);
}

ServerContext::ServerContext(const ServerContextOptions& options) {
  context_ = SSL_CTX_new(TLS_server_method());
  if (context_ == nullptr) fail("cannot create a TLS context");
  try {
    if (SSL_CTX_set_min_proto_version(context_, TLS1_2_VERSION) != 1) fail("cannot require TLS 1.2");
    // Mozilla intermediate would leave the cipher choice to the client (every suite listed is strong);
    // the server's order is kept instead, which testssl.sh rates HIGH when missing (bench/tls_scan.sh).
    SSL_CTX_set_options(context_, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // Partial writes and a buffer that may move between retries fit the connection's output buffer;
    // released buffers keep an idle TLS connection small.
    SSL_CTX_set_mode(context_,
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_set_cipher_list(context_, intermediate_tls12_ciphers) != 1) fail("cannot set the TLS 1.2 ciphers");
    if (SSL_CTX_set1_groups_list(context_, intermediate_groups) != 1) fail("cannot set the key exchange groups");
    SSL_CTX_set_session_cache_mode(context_, SSL_SESS_CACHE_SERVER);
    static constexpr unsigned char session_context[] = "tachyon";
    SSL_CTX_set_session_id_context(context_, session_context, sizeof session_context - 1);
    SSL_CTX_set_alpn_select_cb(context_, select_alpn, nullptr);
    if (SSL_CTX_use_certificate_chain_file(context_, options.certificate_file.c_str()) != 1) {
      fail("cannot read the certificate chain " + options.certificate_file);
    }
    if (SSL_CTX_use_PrivateKey_file(context_, options.private_key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
        ERR_clear_error();
        throw std::runtime_error("the private key " + options.private_key_file +
                                 " does not belong to the certificate " + options.certificate_file);
      }
      fail("cannot read the private key " + options.private_key_file);
    }
    if (SSL_CTX_check_private_key(context_) != 1) {
      fail("the private key " + options.private_key_file + " does not belong to the certificate " +
           options.certificate_file);
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

ReloadableContext::ReloadableContext(ServerContextOptions options)
    : options_(std::move(options)), current_(std::make_shared<const ServerContext>(options_)) {}

std::shared_ptr<const ServerContext> ReloadableContext::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::optional<std::string> ReloadableContext::reload() {
  std::shared_ptr<const ServerContext> fresh;
  try {
    fresh = std::make_shared<const ServerContext>(options_);
  } catch (const std::exception& error) {
    return std::string(error.what());
  }
  std::lock_guard lock(mutex_);
  current_ = std::move(fresh);
  return std::nullopt;
}

}  // namespace tachyon::tls
