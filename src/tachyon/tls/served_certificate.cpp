#include "tachyon/tls/served_certificate.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "tachyon/tls/certificate_names.hpp"
#include "tachyon/tls/openssl_error.hpp"

namespace tachyon::tls {

namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

Bio open_file(const std::string& path, const std::string& what) {
  Bio bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) throw_openssl_error("cannot read the " + what + " " + path);
  return bio;
}

std::time_t to_time(const ASN1_GENERALIZEDTIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
  return timegm(&parts);
}

struct OcspFree {
  void operator()(OCSP_RESPONSE* response) const { OCSP_RESPONSE_free(response); }
  void operator()(OCSP_BASICRESP* basic) const { OCSP_BASICRESP_free(basic); }
  void operator()(OCSP_CERTID* id) const { OCSP_CERTID_free(id); }
};

}  // namespace

ServedCertificate::ServedCertificate(const CertificateKeyFiles& files) : file_(files.certificate_file) {
  ERR_clear_error();
  try {
    Bio chain = open_file(files.certificate_file, "certificate chain");
    leaf_ = PEM_read_bio_X509_AUX(chain.get(), nullptr, nullptr, nullptr);
    if (leaf_ == nullptr) throw_openssl_error("cannot read the certificate chain " + files.certificate_file);
    intermediates_ = sk_X509_new_null();
    while (X509* next = PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr)) sk_X509_push(intermediates_, next);
    // The loop ends on "no more PEM blocks", which is no error.
    if (ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE) ERR_clear_error();
    if (ERR_peek_error() != 0) throw_openssl_error("cannot read the certificate chain " + files.certificate_file);

    Bio key = open_file(files.private_key_file, "private key");
    key_ = PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr);
    if (key_ == nullptr) throw_openssl_error("cannot read the private key " + files.private_key_file);
    if (X509_check_private_key(leaf_, key_) != 1) {
      ERR_clear_error();
      throw std::runtime_error("the private key " + files.private_key_file + " does not belong to the certificate " +
                               files.certificate_file);
    }
    names_ = dns_names(leaf_);
    if (names_.empty()) names_.push_back(common_name(leaf_));
  } catch (...) {
    X509_free(leaf_);
    sk_X509_pop_free(intermediates_, X509_free);
    EVP_PKEY_free(key_);
    throw;
  }
}

ServedCertificate::~ServedCertificate() {
  X509_free(leaf_);
  sk_X509_pop_free(intermediates_, X509_free);
  EVP_PKEY_free(key_);
}

void ServedCertificate::use_in(SSL_CTX* context) const {
  if (SSL_CTX_use_cert_and_key(context, leaf_, key_, intermediates_, 1) != 1) {
    throw_openssl_error("cannot use the certificate " + file_);
  }
}

void ServedCertificate::use_in(SSL* connection) const {
  // Only fails on allocation; the handshake then goes on with the default certificate.
  if (SSL_use_cert_and_key(connection, leaf_, key_, intermediates_, 1) != 1) ERR_clear_error();
}

bool ServedCertificate::names_exactly(std::string_view host) const {
  return std::find(names_.begin(), names_.end(), host) != names_.end();
}

bool ServedCertificate::names_by_wildcard(std::string_view host) const {
  std::size_t dot = host.find('.');
  if (dot == 0 || dot == std::string_view::npos) return false;
  std::string_view parent = host.substr(dot);  // ".example.com"
  return std::any_of(names_.begin(), names_.end(), [parent](const std::string& name) {
    return name.size() > 2 && name.starts_with("*.") && std::string_view(name).substr(1) == parent;
  });
}

bool ServedCertificate::is(const X509* certificate) const {
  return certificate == leaf_ || (certificate != nullptr && X509_cmp(certificate, leaf_) == 0);
}

bool ServedCertificate::attach_ocsp_response(const std::string& der, const std::string& file) {
  // The issuer is the chain's next certificate; without it there is no certificate ID to match.
  if (sk_X509_num(intermediates_) == 0) return false;
  X509* issuer = sk_X509_value(intermediates_, 0);
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<OCSP_RESPONSE, OcspFree> response(d2i_OCSP_RESPONSE(nullptr, &bytes, static_cast<long>(der.size())));
  if (!response) throw_openssl_error("the OCSP response " + file + " is not DER");
  if (OCSP_response_status(response.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    throw std::runtime_error("the OCSP response " + file + " is not successful (" +
                             OCSP_response_status_str(OCSP_response_status(response.get())) + ")");
  }
  std::unique_ptr<OCSP_BASICRESP, OcspFree> basic(OCSP_response_get1_basic(response.get()));
  if (!basic) throw_openssl_error("the OCSP response " + file + " holds no basic response");
  std::unique_ptr<OCSP_CERTID, OcspFree> id(OCSP_cert_to_id(nullptr, leaf_, issuer));
  if (!id) throw_openssl_error("cannot make the OCSP certificate ID of " + file_);
  int status = -1;
  int reason = -1;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  if (OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked_at, &this_update, &next_update) != 1) {
    ERR_clear_error();
    return false;
  }
  if (status != V_OCSP_CERTSTATUS_GOOD) {
    throw std::runtime_error("the OCSP response " + file + " says the certificate " + file_ + " is " +
                             OCSP_cert_status_str(status));
  }
  // Five minutes of clock skew either way, as OpenSSL's own checks allow.
  if (OCSP_check_validity(this_update, next_update, 300, -1) != 1) {
    ERR_clear_error();
    throw std::runtime_error("the OCSP response " + file + " is outside its validity period (thisUpdate/nextUpdate)");
  }
  ocsp_response_ = der;
  ocsp_next_update_ = next_update != nullptr ? to_time(next_update) : 0;
  return true;
}

std::string_view ServedCertificate::ocsp_response(std::time_t now) const {
  if (ocsp_next_update_ != 0 && now > ocsp_next_update_) return {};
  return ocsp_response_;
}

}  // namespace tachyon::tls
