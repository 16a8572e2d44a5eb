#include "http/compression.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace pharos::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int WindowBits(Encoding e) { return e == Encoding::kGzip ? 15 + 16 : 15; }

}  // namespace

Encoding ChooseEncoding(std::string_view accept) {
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view item = Trim(accept.substr(0, comma).substr(0, accept.substr(0, comma).find(';')));
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    if (item == "gzip") return Encoding::kGzip;
    if (item == "deflate") return Encoding::kDeflate;
  }
  return Encoding::kIdentity;
}

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kGzip: return "gzip";
    case Encoding::kDeflate: return "deflate";
    case Encoding::kIdentity: return "";
  }
  return "";
}

absl::Status Compress(Encoding e, std::string_view in, int level, std::string* out) {
  out->clear();
  if (e == Encoding::kIdentity) {
    out->assign(in);
    return absl::OkStatus();
  }
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, WindowBits(e), 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("deflateInit2 failed");
  }
  out->resize(deflateBound(&zs, in.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&zs, Z_FINISH);
  out->resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return absl::InternalError(absl::StrCat("deflate failed: ", rc));
  return absl::OkStatus();
}

absl::Status Decompress(Encoding e, std::string_view in, size_t max_bytes, std::string* out) {
  out->clear();
  if (e == Encoding::kIdentity) {
    if (in.size() > max_bytes) return absl::ResourceExhaustedError("body exceeds limit");
    out->assign(in);
    return absl::OkStatus();
  }
  z_stream zs{};
  if (inflateInit2(&zs, WindowBits(e)) != Z_OK) return absl::InternalError("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char buf[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return absl::InvalidArgumentError(
          absl::StrCat("corrupt ", AV(EncodingName(e)), " data at byte ", zs.total_in, ": ", zs.msg ? zs.msg : "truncated"));
    }
    size_t n = sizeof(buf) - zs.avail_out;
    if (out->size() + n > max_bytes) {
      inflateEnd(&zs);
      return absl::ResourceExhaustedError(absl::StrCat("decompressed body exceeds limit of ", max_bytes, " bytes"));
    }
    out->append(buf, n);
    if (rc == Z_OK && n == 0 && zs.avail_in == 0) {
      inflateEnd(&zs);
      return absl::InvalidArgumentError(absl::StrCat("truncated ", AV(EncodingName(e)), " data"));
    }
  }
  inflateEnd(&zs);
  return absl::OkStatus();
}

}  // namespace pharos::http
