#include "support/test_certificate.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace tachyon::testing {
namespace {

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertificateDeleter {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("making a test certificate failed at ") + what);
}

void add_extension(X509* certificate, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  require(extension != nullptr, "extension");
  require(X509_add_ext(certificate, extension, -1) == 1, "add extension");
  X509_EXTENSION_free(extension);
}

}  // namespace

CertificateFiles make_self_signed_certificate(const std::string& directory, const std::string& stem,
                                              const std::vector<std::string>& dns_names,
                                              const std::vector<std::string>& ip_addresses) {
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(EVP_EC_gen("P-256"));
  require(key != nullptr, "key generation");
  std::unique_ptr<X509, CertificateDeleter> certificate(X509_new());
  require(certificate != nullptr, "X509_new");
  X509* raw = certificate.get();
  require(X509_set_version(raw, 2) == 1, "version");  // v3, for the extensions
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(raw), serial++);
  X509_gmtime_adj(X509_getm_notBefore(raw), -60);
  X509_gmtime_adj(X509_getm_notAfter(raw), 24 * 60 * 60);
  require(X509_set_pubkey(raw, key.get()) == 1, "public key");
  X509_NAME* name = X509_get_subject_name(raw);
  std::string common_name = dns_names.empty() ? "tachyon test" : dns_names.front();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                             -1, 0);
  require(X509_set_issuer_name(raw, name) == 1, "issuer");
  std::string alternative_names;
  for (const auto& dns : dns_names) alternative_names += (alternative_names.empty() ? "DNS:" : ",DNS:") + dns;
  for (const auto& ip : ip_addresses) alternative_names += (alternative_names.empty() ? "IP:" : ",IP:") + ip;
  add_extension(raw, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(raw, NID_subject_alt_name, alternative_names);
  require(X509_sign(raw, key.get(), EVP_sha256()) > 0, "signing");

  CertificateFiles files{directory + "/" + stem + ".crt", directory + "/" + stem + ".key"};
  {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(files.certificate.c_str(), "w"));
    require(file != nullptr && PEM_write_X509(file.get(), raw) == 1, "writing the certificate");
  }
  {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(files.private_key.c_str(), "w"));
    require(file != nullptr && PEM_write_PrivateKey(file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
            "writing the key");
  }
  return files;
}

std::string openssl_ca_script(const std::string& ca_name, const std::string& key_usage) {
  return R"(set -e
mkdir -p ca/newcerts; : > ca/index.txt; echo 1000 > ca/serial; echo 1000 > ca/crlnumber
cat > ca.cnf <<'END'
[ca]
default_ca = local
[local]
database = ./ca/index.txt
new_certs_dir = ./ca/newcerts
serial = ./ca/serial
crlnumber = ./ca/crlnumber
certificate = ./ca.crt
private_key = ./ca.key
default_md = sha256
default_days = 30
default_crl_days = 30
policy = anything
copy_extensions = copy
unique_subject = no
[anything]
commonName = supplied
[leaf]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = )" +
         key_usage + R"(
END
key() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "$@" 2>/dev/null; }
key -x509 -keyout ca.key -out ca.crt -days 30 -subj '/CN=)" +
         ca_name + R"('
issue() { name=$1; cn=$2; shift 2; key -keyout $name.key -out $name.csr -subj "/CN=$cn" $ADDEXT;
          openssl ca -batch -config ca.cnf -extensions leaf -notext -in $name.csr -out $name.crt "$@" 2>/dev/null; }
)";
}

}  // namespace tachyon::testing
