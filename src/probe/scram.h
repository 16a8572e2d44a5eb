// SCRAM-SHA-256 (RFC 5802, RFC 7677), client side, as MongoDB uses it
// (the password is used as given; only ASCII passwords are guaranteed to
// match SASLprep).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace pharos::probe {

class ScramSha256 {
 public:
  // `client_nonce` empty: 24 random bytes, base64.
  ScramSha256(std::string_view user, std::string_view password, std::string_view client_nonce = "");

  // "n,,n=user,r=nonce"
  std::string ClientFirst() const;
  // Given "r=…,s=…,i=…", returns "c=biws,r=…,p=proof". Refuses a server
  // nonce that does not extend ours and fewer than 4096 iterations.
  absl::StatusOr<std::string> ClientFinal(std::string_view server_first);
  // Checks "v=signature" (or reports "e=error").
  absl::Status VerifyServerFinal(std::string_view server_final) const;
  // "v=…" the server should send (valid after ClientFinal): for fakes in tests.
  std::string ExpectedServerFinal() const;

 private:
  std::string user_;
  std::string password_;
  std::string nonce_;
  std::string server_signature_;
};

}  // namespace pharos::probe
