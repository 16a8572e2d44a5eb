#include "http/testing/test_certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace pharos::http::testing {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test certs: %s failed\n", what);
    std::abort();
  }
}

EVP_PKEY* NewKey() {
  EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  Check(k != nullptr, "keygen");
  return k;
}

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  Check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

X509* NewCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, long serial) {
  X509* c = X509_new();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
  X509_gmtime_adj(X509_getm_notBefore(c), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c), 86400);
  X509_set_pubkey(c, key);
  X509_NAME* name = X509_get_subject_name(c);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(c, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  return c;
}

void Sign(X509* c, EVP_PKEY* key) { Check(X509_sign(c, key, EVP_sha256()) > 0, "sign"); }

void WriteCert(const std::string& path, X509* c) {
  FILE* f = std::fopen(path.c_str(), "w");
  Check(f != nullptr && PEM_write_X509(f, c) == 1, "write cert");
  std::fclose(f);
}

void WriteKey(const std::string& path, EVP_PKEY* k) {
  FILE* f = std::fopen(path.c_str(), "w");
  Check(f != nullptr && PEM_write_PrivateKey(f, k, nullptr, nullptr, 0, nullptr, nullptr) == 1, "write key");
  std::fclose(f);
}

}  // namespace

TestCerts MakeTestCerts() {
  static std::atomic<int> seq{0};
  TestCerts t;
  t.dir = (std::filesystem::temp_directory_path() /
           ("pharos_certs_" + std::to_string(getpid()) + "_" + std::to_string(seq++)))
              .string();
  std::filesystem::create_directories(t.dir);
  t.ca_cert = t.dir + "/ca.pem";
  t.server_cert = t.dir + "/server.pem";
  t.server_key = t.dir + "/server-key.pem";
  t.client_cert = t.dir + "/client.pem";
  t.client_key = t.dir + "/client-key.pem";

  EVP_PKEY* ca_key = NewKey();
  X509* ca = NewCert(ca_key, "Pharos Test CA", nullptr, ca_key, 1);
  AddExt(ca, ca, NID_basic_constraints, "critical,CA:TRUE");
  AddExt(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign");
  Sign(ca, ca_key);

  EVP_PKEY* server_key = NewKey();
  X509* server = NewCert(server_key, "pharos.test", ca, ca_key, 2);
  AddExt(server, ca, NID_subject_alt_name, "DNS:pharos.test");
  AddExt(server, ca, NID_ext_key_usage, "serverAuth");
  Sign(server, ca_key);

  EVP_PKEY* client_key = NewKey();
  X509* client = NewCert(client_key, "scraper", ca, ca_key, 3);
  AddExt(client, ca, NID_ext_key_usage, "clientAuth");
  Sign(client, ca_key);

  WriteCert(t.ca_cert, ca);
  WriteCert(t.server_cert, server);
  WriteKey(t.server_key, server_key);
  WriteCert(t.client_cert, client);
  WriteKey(t.client_key, client_key);
  for (X509* c : {ca, server, client}) X509_free(c);
  for (EVP_PKEY* k : {ca_key, server_key, client_key}) EVP_PKEY_free(k);
  return t;
}

}  // namespace pharos::http::testing
