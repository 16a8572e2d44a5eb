#include "probe/scram.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace pharos::probe {
namespace {

constexpr int kMinIterations = 4096;
constexpr int kMaxIterations = 10'000'000;

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

std::string EscapeUser(std::string_view u) {
  std::string out;
  for (char c : u) {
    if (c == '=') {
      out += "=3D";
    } else if (c == ',') {
      out += "=2C";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

ScramSha256::ScramSha256(std::string_view user, std::string_view password, std::string_view client_nonce)
    : user_(user), password_(password), nonce_(client_nonce) {
  if (nonce_.empty()) {
    unsigned char raw[24];
    RAND_bytes(raw, sizeof raw);
    nonce_ = absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(raw), sizeof raw));
  }
}

std::string ScramSha256::ClientFirst() const { return absl::StrCat("n,,n=", EscapeUser(user_), ",r=", nonce_); }

absl::StatusOr<std::string> ScramSha256::ClientFinal(std::string_view server_first) {
  std::string r, salt_b64;
  int iterations = 0;
  for (absl::string_view part : absl::StrSplit(AV(server_first), ',')) {
    if (part.size() < 2 || part[1] != '=') continue;
    absl::string_view v = part.substr(2);
    if (part[0] == 'r') r = std::string(v);
    if (part[0] == 's') salt_b64 = std::string(v);
    if (part[0] == 'i' && !absl::SimpleAtoi(v, &iterations)) return absl::InvalidArgumentError("SCRAM: bad iteration count");
    if (part[0] == 'e') return absl::PermissionDeniedError(absl::StrCat("SCRAM: server error ", v));
  }
  if (r.size() <= nonce_.size() || !r.starts_with(nonce_)) {
    return absl::InvalidArgumentError("SCRAM: server nonce does not extend the client nonce");
  }
  if (iterations < kMinIterations || iterations > kMaxIterations) {
    return absl::InvalidArgumentError(absl::StrCat("SCRAM: iteration count ", iterations, " out of range"));
  }
  std::string salt;
  if (salt_b64.empty() || !absl::Base64Unescape(salt_b64, &salt)) {
    return absl::InvalidArgumentError("SCRAM: bad salt");
  }
  unsigned char salted[32];
  PKCS5_PBKDF2_HMAC(password_.data(), static_cast<int>(password_.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), iterations,
                    EVP_sha256(), sizeof salted, salted);
  std::string salted_password(reinterpret_cast<char*>(salted), sizeof salted);
  std::string client_key = Hmac(salted_password, "Client Key");
  std::string stored_key = Sha256(client_key);
  std::string without_proof = absl::StrCat("c=biws,r=", r);
  std::string auth_message =
      absl::StrCat(ClientFirst().substr(3), ",", AV(server_first), ",", without_proof);
  std::string signature = Hmac(stored_key, auth_message);
  std::string proof = client_key;
  for (size_t i = 0; i < proof.size(); ++i) proof[i] ^= signature[i];
  server_signature_ = Hmac(Hmac(salted_password, "Server Key"), auth_message);
  return absl::StrCat(without_proof, ",p=", absl::Base64Escape(proof));
}

std::string ScramSha256::ExpectedServerFinal() const {
  return absl::StrCat("v=", absl::Base64Escape(server_signature_));
}

absl::Status ScramSha256::VerifyServerFinal(std::string_view server_final) const {
  if (server_final.starts_with("e=")) {
    return absl::PermissionDeniedError(absl::StrCat("SCRAM: server error ", AV(server_final.substr(2))));
  }
  if (server_signature_.empty() || server_final != ExpectedServerFinal()) {
    return absl::PermissionDeniedError("SCRAM: the server's signature does not match");
  }
  return absl::OkStatus();
}

}  // namespace pharos::probe
