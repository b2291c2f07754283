#include "tachyon/tls/certificate_names.hpp"

#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace tachyon::tls {

namespace {

std::string usable_name(const unsigned char* data, int length) {
  if (data == nullptr || length <= 0 || length > 253) return {};
  std::string name(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
  for (char& c : name) {
    if (c < 0x21 || c > 0x7e) return {};
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return name;
}

}  // namespace

std::vector<std::string> dns_names(X509* certificate) {
  std::vector<std::string> found;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return found;
  for (int index = 0; index < sk_GENERAL_NAME_num(names); ++index) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, index);
    if (name->type == GEN_DNS) {
      found.push_back(usable_name(ASN1_STRING_get0_data(name->d.dNSName), ASN1_STRING_length(name->d.dNSName)));
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

}  // namespace tachyon::tls
