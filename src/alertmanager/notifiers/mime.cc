#include "alertmanager/notifiers/mime.h"

#include <openssl/rand.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "common/utf8.h"

namespace pharos::am::notifiers {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";
constexpr size_t kQpLineMax = 76;

// The state of Go's quotedprintable.Writer: the current line and whether
// the last byte was a CR (so that CRLF makes one line end).
class QpWriter {
 public:
  explicit QpWriter(std::string* out) : out_(out) {}

  void Write(std::string_view p) {
    for (unsigned char b : p) {
      bool literal = (b >= '!' && b <= '~' && b != '=') || b == ' ' || b == '\t' || b == '\n' || b == '\r';
      if (literal) {
        Raw(b);
      } else {
        Encode(b);
      }
    }
  }

  void Close() {
    CheckLastByte();
    Flush();
  }

 private:
  void Raw(unsigned char b) {
    if (b == '\n' || b == '\r') {
      if (cr_ && b == '\n') {  // the CRLF is already written
        cr_ = false;
        return;
      }
      cr_ = b == '\r';
      CheckLastByte();
      line_ += "\r\n";
      Flush();
      return;
    }
    if (line_.size() == kQpLineMax - 1) SoftBreak();
    line_.push_back(static_cast<char>(b));
    cr_ = false;
  }

  void Encode(unsigned char b) {
    if (kQpLineMax - 1 - line_.size() < 3) SoftBreak();
    line_.push_back('=');
    line_.push_back(kUpperHex[b >> 4]);
    line_.push_back(kUpperHex[b & 15]);
  }

  // A space or tab that would end a line is encoded.
  void CheckLastByte() {
    if (line_.empty()) return;
    char b = line_.back();
    if (b == ' ' || b == '\t') {
      line_.pop_back();
      Encode(static_cast<unsigned char>(b));
    }
  }

  void SoftBreak() {
    line_ += "=\r\n";
    Flush();
  }

  void Flush() {
    *out_ += line_;
    line_.clear();
  }

  std::string* out_;
  std::string line_;
  bool cr_ = false;
};

void AppendQ(std::string* out, std::string_view s) {
  for (unsigned char b : s) {
    if (b == ' ') {
      out->push_back('_');
    } else if (b >= '!' && b <= '~' && b != '=' && b != '?' && b != '_') {
      out->push_back(static_cast<char>(b));
    } else {
      out->push_back('=');
      out->push_back(kUpperHex[b >> 4]);
      out->push_back(kUpperHex[b & 15]);
    }
  }
}

}  // namespace

std::string QuotedPrintable(std::string_view body) {
  std::string out;
  QpWriter w(&out);
  w.Write(body);
  w.Close();
  return out;
}

std::string QEncodeHeader(std::string_view v) {
  bool needs = false;
  for (size_t i = 0; i < v.size();) {
    // Go ranges over runes: an invalid byte is U+FFFD, which needs encoding.
    unsigned char b = static_cast<unsigned char>(v[i]);
    if ((b < ' ' || b > '~') && b != '\t') {
      needs = true;
      break;
    }
    ++i;
  }
  if (!needs) return std::string(v);
  // "=?utf-8?q?" and "?=" leave 63 characters of each 75-character word.
  constexpr size_t kMaxContent = 75 - 10 - 2;
  std::string out = "=?utf-8?q?";
  size_t cur = 0;
  for (size_t i = 0; i < v.size();) {
    unsigned char b = static_cast<unsigned char>(v[i]);
    size_t rune_len = 1, enc_len = 1;
    if (!(b >= ' ' && b <= '~' && b != '=' && b != '?' && b != '_')) {
      size_t n = b < 0x80 ? 1 : Utf8SequenceLength(v, i);
      rune_len = n == 0 ? 1 : n;
      enc_len = 3 * rune_len;
    }
    if (cur + enc_len > kMaxContent) {
      out += "?= =?utf-8?q?";
      cur = 0;
    }
    AppendQ(&out, v.substr(i, rune_len));
    cur += enc_len;
    i += rune_len;
  }
  out += "?=";
  return out;
}

std::string Rfc1123z(absl::Time t) { return absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", t, absl::UTCTimeZone()); }

std::string RandomBoundary() {
  unsigned char buf[30];
  if (RAND_bytes(buf, sizeof buf) != 1) {
    // Never expected; a time-derived boundary still separates the parts.
    uint64_t x = static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
    for (size_t i = 0; i < sizeof buf; ++i) buf[i] = static_cast<unsigned char>(x >> ((i % 8) * 8)) ^ i;
  }
  std::string out;
  for (unsigned char c : buf) {
    out.push_back("0123456789abcdef"[c >> 4]);
    out.push_back("0123456789abcdef"[c & 15]);
  }
  return out;
}

namespace {

// A cursor over an address list.
class AddressParser {
 public:
  explicit AddressParser(std::string_view s) : s_(s) {}

  absl::StatusOr<std::vector<std::string>> List() {
    std::vector<std::string> out;
    SkipSpace();
    if (Done()) return absl::InvalidArgumentError("mail: no address");
    while (true) {
      auto a = Address();
      if (!a.ok()) return a.status();
      out.push_back(*std::move(a));
      SkipSpace();
      if (Done()) return out;
      if (s_[i_] != ',') return absl::InvalidArgumentError("mail: expected comma");
      ++i_;
      SkipSpace();
    }
  }

 private:
  bool Done() const { return i_ >= s_.size(); }
  void SkipSpace() {
    while (!Done() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
  }

  // "Name <addr>", "\"Quoted\" <addr>", "<addr>" or a bare "local@domain".
  absl::StatusOr<std::string> Address() {
    size_t start = i_;
    if (s_[i_] == '<') return Angle();
    // A display name: words and quoted strings up to '<'; or a bare address.
    bool saw_quote = false;
    while (!Done() && s_[i_] != '<' && s_[i_] != ',') {
      if (s_[i_] == '"') {
        saw_quote = true;
        ++i_;
        while (!Done() && s_[i_] != '"') {
          if (s_[i_] == '\\') ++i_;
          ++i_;
        }
        if (Done()) return absl::InvalidArgumentError("mail: missing closing quote");
      }
      ++i_;
    }
    if (!Done() && s_[i_] == '<') return Angle();
    std::string bare(absl::StripAsciiWhitespace(AV(s_.substr(start, i_ - start))));
    if (saw_quote || !ValidAddrSpec(bare)) {
      return absl::InvalidArgumentError(absl::StrCat("mail: missing @ in addr-spec or bad address \"", bare, "\""));
    }
    return bare;
  }

  absl::StatusOr<std::string> Angle() {
    ++i_;  // '<'
    size_t close = s_.find('>', i_);
    if (close == std::string_view::npos) return absl::InvalidArgumentError("mail: unclosed angle-addr");
    std::string addr(s_.substr(i_, close - i_));
    i_ = close + 1;
    if (!ValidAddrSpec(addr)) return absl::InvalidArgumentError(absl::StrCat("mail: invalid address \"", addr, "\""));
    return addr;
  }

  static bool ValidAddrSpec(std::string_view a) {
    size_t at = a.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == a.size()) return false;
    for (char c : a) {
      if (c == ' ' || c == '\t' || c == '<' || c == '>' || c == ',' || c == '\r' || c == '\n') return false;
    }
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseAddressList(std::string_view list) {
  if (list.size() > 64 * 1024) return absl::InvalidArgumentError("mail: address list longer than 64 KiB");
  return AddressParser(list).List();
}

}  // namespace pharos::am::notifiers
