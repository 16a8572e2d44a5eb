#include "remote/write_request.h"

#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace pharos::remote {
namespace {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kStartGroup = 3, kEndGroup = 4, kFixed32 = 5 };

// A cursor over one message's bytes; `base` is the message's offset in the
// whole request, for error messages.
class Reader {
 public:
  Reader(std::string_view buf, size_t base) : p_(buf.data()), begin_(buf.data()), end_(buf.data() + buf.size()), base_(base) {}

  bool done() const { return p_ >= end_; }
  size_t offset() const { return base_ + static_cast<size_t>(p_ - begin_); }

  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("remote write request: byte ", offset(), ": ", AV(what)));
  }

  absl::Status Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) return Error("truncated varint");
      uint8_t b = static_cast<uint8_t>(*p_++);
      if (shift == 63 && b > 1) return Error("varint overflows 64 bits");
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = result;
        return absl::OkStatus();
      }
    }
    return Error("varint longer than 10 bytes");
  }

  absl::Status Tag(uint32_t* field, uint32_t* wire) {
    uint64_t t = 0;
    if (auto st = Varint(&t); !st.ok()) return st;
    if ((t >> 3) == 0 || (t >> 3) > std::numeric_limits<uint32_t>::max()) return Error("invalid field number 0");
    *field = static_cast<uint32_t>(t >> 3);
    *wire = static_cast<uint32_t>(t & 7);
    return absl::OkStatus();
  }

  // A length-delimited field's bytes; `*at` is their offset in the request.
  absl::Status Bytes(std::string_view* out, size_t* at) {
    uint64_t n = 0;
    if (auto st = Varint(&n); !st.ok()) return st;
    if (n > static_cast<uint64_t>(end_ - p_)) {
      return Error(absl::StrCat("length ", n, " runs past the end of the message"));
    }
    *at = offset();
    *out = std::string_view(p_, static_cast<size_t>(n));
    p_ += n;
    return absl::OkStatus();
  }

  absl::Status Fixed64(uint64_t* v) {
    if (end_ - p_ < 8) return Error("truncated fixed64");
    uint64_t x = 0;
    for (int i = 7; i >= 0; --i) x = (x << 8) | static_cast<uint8_t>(p_[i]);  // little-endian
    p_ += 8;
    *v = x;
    return absl::OkStatus();
  }

  absl::Status Skip(uint32_t wire) {
    switch (wire) {
      case kVarint: {
        uint64_t v = 0;
        return Varint(&v);
      }
      case kFixed64:
        if (end_ - p_ < 8) return Error("truncated fixed64");
        p_ += 8;
        return absl::OkStatus();
      case kLen: {
        std::string_view s;
        size_t at;
        return Bytes(&s, &at);
      }
      case kFixed32:
        if (end_ - p_ < 4) return Error("truncated fixed32");
        p_ += 4;
        return absl::OkStatus();
      default:
        return Error(absl::StrCat("unsupported wire type ", wire));
    }
  }

 private:
  const char* p_;
  const char* begin_;
  const char* end_;
  size_t base_;
};

absl::Status WrongWire(const Reader& r, std::string_view message, uint32_t field, uint32_t wire) {
  return r.Error(absl::StrCat("field ", field, " of ", AV(message), " has wire type ", wire));
}

absl::Status DecodeLabel(std::string_view buf, size_t base, const DecodeLimits& limits, LabelView* out) {
  Reader r(buf, base);
  *out = LabelView{};
  while (!r.done()) {
    uint32_t field = 0, wire = 0;
    if (auto st = r.Tag(&field, &wire); !st.ok()) return st;
    if (field == 1 || field == 2) {
      if (wire != kLen) return WrongWire(r, "Label", field, wire);
      std::string_view s;
      size_t at;
      if (auto st = r.Bytes(&s, &at); !st.ok()) return st;
      size_t max = field == 1 ? limits.max_label_name_bytes : limits.max_label_value_bytes;
      if (s.size() > max) {
        return absl::InvalidArgumentError(absl::StrCat("remote write request: byte ", at, ": label ",
                                                       field == 1 ? "name" : "value", " of ", s.size(),
                                                       " bytes exceeds the limit of ", max, " bytes"));
      }
      (field == 1 ? out->name : out->value) = s;
    } else if (auto st = r.Skip(wire); !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

absl::Status DecodeSample(std::string_view buf, size_t base, storage::Sample* out) {
  Reader r(buf, base);
  *out = storage::Sample{0, 0};
  while (!r.done()) {
    uint32_t field = 0, wire = 0;
    if (auto st = r.Tag(&field, &wire); !st.ok()) return st;
    if (field == 1) {
      if (wire != kFixed64) return WrongWire(r, "Sample", field, wire);
      uint64_t bits = 0;
      if (auto st = r.Fixed64(&bits); !st.ok()) return st;
      std::memcpy(&out->v, &bits, sizeof bits);
    } else if (field == 2) {
      if (wire != kVarint) return WrongWire(r, "Sample", field, wire);
      uint64_t v = 0;
      if (auto st = r.Varint(&v); !st.ok()) return st;
      out->t = static_cast<int64_t>(v);
    } else if (auto st = r.Skip(wire); !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

absl::Status DecodeSeries(std::string_view buf, size_t base, const DecodeLimits& limits, WriteRequestView* out) {
  Reader r(buf, base);
  SeriesView s;
  s.offset = base;
  s.labels_begin = s.labels_end = static_cast<uint32_t>(out->labels.size());
  s.samples_begin = s.samples_end = static_cast<uint32_t>(out->samples.size());
  while (!r.done()) {
    uint32_t field = 0, wire = 0;
    if (auto st = r.Tag(&field, &wire); !st.ok()) return st;
    if (field >= 1 && field <= 4) {
      if (wire != kLen) return WrongWire(r, "TimeSeries", field, wire);
      std::string_view sub;
      size_t at;
      if (auto st = r.Bytes(&sub, &at); !st.ok()) return st;
      if (field == 1) {
        if (s.labels_end - s.labels_begin >= limits.max_labels) {
          return absl::InvalidArgumentError(absl::StrCat("remote write request: byte ", base,
                                                         ": series has more than ", limits.max_labels, " labels"));
        }
        LabelView l;
        if (auto st = DecodeLabel(sub, at, limits, &l); !st.ok()) return st;
        out->labels.push_back(l);
        ++s.labels_end;
      } else if (field == 2) {
        storage::Sample smp;
        if (auto st = DecodeSample(sub, at, &smp); !st.ok()) return st;
        out->samples.push_back(smp);
        ++s.samples_end;
      } else if (field == 3) {
        ++s.exemplars;
      } else {
        ++s.histograms;
      }
    } else if (auto st = r.Skip(wire); !st.ok()) {
      return st;
    }
  }
  out->series.push_back(s);
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodeWriteRequest(std::string_view buf, const DecodeLimits& limits, WriteRequestView* out) {
  out->Clear();
  Reader r(buf, 0);
  while (!r.done()) {
    uint32_t field = 0, wire = 0;
    if (auto st = r.Tag(&field, &wire); !st.ok()) return st;
    if (field == 1 || field == 3) {
      if (wire != kLen) return WrongWire(r, "WriteRequest", field, wire);
      std::string_view sub;
      size_t at;
      if (auto st = r.Bytes(&sub, &at); !st.ok()) return st;
      if (field == 1) {
        if (auto st = DecodeSeries(sub, at, limits, out); !st.ok()) return st;
      } else {
        ++out->metadata;
      }
    } else if (auto st = r.Skip(wire); !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

}  // namespace pharos::remote
