// The MIME pieces of 0.25's e-mail, written to give Go's bytes:
// quoted-printable bodies (mime/quotedprintable.Writer), RFC 2047 "Q"
// encoded header values (mime.QEncoding.Encode("utf-8", v)), RFC 1123Z
// dates and multipart boundaries, plus the address-list parsing the
// notifier needs for MAIL FROM / RCPT TO (net/mail.ParseAddressList).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace pharos::am::notifiers {

// Go's quotedprintable.Writer in text mode, closed: lines of at most 76
// characters with "=" soft breaks, line ends as CRLF, '=' and bytes outside
// printable ASCII as =XX, a space or tab before a line end encoded.
std::string QuotedPrintable(std::string_view body);

// mime.QEncoding.Encode("utf-8", v): `v` unchanged when it is printable
// ASCII (or tab), else "=?utf-8?q?...?=" encoded words of at most 75
// characters, separated by a space, never splitting a UTF-8 sequence.
std::string QEncodeHeader(std::string_view v);

// "Mon, 02 Jan 2006 15:04:05 -0700" in UTC.
std::string Rfc1123z(absl::Time t);

// 30 random bytes as 60 hex digits (Go's multipart.Writer boundary).
std::string RandomBoundary();

// The addresses of an RFC 5322 address list: "a@b", "Name <a@b>",
// "\"Quoted, Name\" <a@b>", separated by commas. Groups and comments are not
// supported. Errors say what was wrong (Go's "mail: ..." messages).
absl::StatusOr<std::vector<std::string>> ParseAddressList(std::string_view list);

}  // namespace pharos::am::notifiers
