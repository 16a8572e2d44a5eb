#include "tsdb/block/meta.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/json_writer.h"
#include "common/strings.h"

namespace pharos::tsdb::block {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// A bounded reader of the JSON subset meta.json uses: objects, arrays,
// strings, integers, booleans and null. Unknown keys are skipped.
class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}

  absl::Status Error(std::string_view what) const {
    return absl::DataLossError(absl::StrCat("meta.json: ", AV(what), " at byte ", pos_));
  }
  void Ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  bool Eat(char c) {
    Ws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool AtEnd() {
    Ws();
    return pos_ == s_.size();
  }
  absl::Status String(std::string* out) {
    if (!Eat('"')) return Error("expected a string");
    out->clear();
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return absl::OkStatus();
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': out->push_back(e); break;
        case 'n': out->push_back('\n'); break;
        case 't': out->push_back('\t'); break;
        case 'r': out->push_back('\r'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'u': {
          if (s_.size() - pos_ < 4) return Error("short \\u escape");
          unsigned cp = 0;
          for (int i = 0; i < 4; ++i) {
            char h = s_[pos_++];
            cp <<= 4;
            if (h >= '0' && h <= '9') cp |= h - '0';
            else if (h >= 'a' && h <= 'f') cp |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F') cp |= h - 'A' + 10;
            else return Error("bad \\u escape");
          }
          if (cp < 0x80) {
            out->push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
            out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
          } else {
            out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
            out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
          }
          break;
        }
        default: return Error("bad escape");
      }
    }
    return Error("unterminated string");
  }
  absl::Status Int(int64_t* out) {
    Ws();
    bool neg = pos_ < s_.size() && s_[pos_] == '-';
    if (neg) ++pos_;
    size_t start = pos_;
    uint64_t v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      uint64_t d = static_cast<uint64_t>(s_[pos_] - '0');
      if (v > (UINT64_MAX - d) / 10) return Error("integer overflows");
      v = v * 10 + d;
      ++pos_;
    }
    if (pos_ == start) return Error("expected an integer");
    uint64_t limit = neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    if (v > limit) return Error("integer overflows");
    *out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
    return absl::OkStatus();
  }
  // Skips any value (bounded nesting).
  absl::Status Skip(int depth = 0) {
    if (depth > 32) return Error("nesting too deep");
    Ws();
    if (pos_ >= s_.size()) return Error("unexpected end");
    char c = s_[pos_];
    if (c == '"') {
      std::string tmp;
      return String(&tmp);
    }
    if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      ++pos_;
      if (Eat(close)) return absl::OkStatus();
      do {
        if (c == '{') {
          std::string k;
          if (auto s = String(&k); !s.ok()) return s;
          if (!Eat(':')) return Error("expected ':'");
        }
        if (auto s = Skip(depth + 1); !s.ok()) return s;
      } while (Eat(','));
      if (!Eat(close)) return Error("expected ',' or a closing bracket");
      return absl::OkStatus();
    }
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '-' ||
                                s_[pos_] == '+' || s_[pos_] == '.')) {
      ++pos_;
    }
    if (pos_ == start) return Error("unexpected character");
    return absl::OkStatus();
  }
  // Calls field(key) for each key of an object; field consumes the value.
  template <typename F>
  absl::Status Object(F field) {
    if (!Eat('{')) return Error("expected an object");
    if (Eat('}')) return absl::OkStatus();
    do {
      std::string key;
      if (auto s = String(&key); !s.ok()) return s;
      if (!Eat(':')) return Error("expected ':'");
      if (auto s = field(key); !s.ok()) return s;
    } while (Eat(','));
    if (!Eat('}')) return Error("expected ',' or '}'");
    return absl::OkStatus();
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

std::string EncodeMetaJson(const BlockMeta& m) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("ulid").String(m.ulid);
  w.Key("minTime").Int(m.min_time);
  w.Key("maxTime").Int(m.max_time);
  w.Key("stats").BeginObject();
  w.Key("numSamples").Uint(m.stats.num_samples);
  w.Key("numSeries").Uint(m.stats.num_series);
  w.Key("numChunks").Uint(m.stats.num_chunks);
  w.EndObject();
  w.Key("compaction").BeginObject();
  w.Key("level").Int(m.level);
  w.Key("sources").BeginArray();
  for (const auto& s : m.sources) w.String(s);
  w.EndArray();
  w.EndObject();
  w.Key("version").Int(m.version);
  w.EndObject();
  out.push_back('\n');
  return out;
}

absl::StatusOr<BlockMeta> ParseMetaJson(std::string_view json) {
  BlockMeta m;
  JsonReader r(json);
  bool have_ulid = false, have_min = false, have_max = false;
  auto uint_field = [&](uint64_t* dst) -> absl::Status {
    int64_t v = 0;
    if (auto s = r.Int(&v); !s.ok()) return s;
    if (v < 0) return r.Error("negative count");
    *dst = static_cast<uint64_t>(v);
    return absl::OkStatus();
  };
  absl::Status s = r.Object([&](const std::string& key) -> absl::Status {
    if (key == "ulid") {
      have_ulid = true;
      return r.String(&m.ulid);
    }
    if (key == "minTime") {
      have_min = true;
      return r.Int(&m.min_time);
    }
    if (key == "maxTime") {
      have_max = true;
      return r.Int(&m.max_time);
    }
    if (key == "version") {
      int64_t v = 0;
      if (auto st = r.Int(&v); !st.ok()) return st;
      m.version = static_cast<int>(v);
      return absl::OkStatus();
    }
    if (key == "stats") {
      return r.Object([&](const std::string& k) -> absl::Status {
        if (k == "numSamples") return uint_field(&m.stats.num_samples);
        if (k == "numSeries") return uint_field(&m.stats.num_series);
        if (k == "numChunks") return uint_field(&m.stats.num_chunks);
        return r.Skip();
      });
    }
    if (key == "compaction") {
      return r.Object([&](const std::string& k) -> absl::Status {
        if (k == "level") {
          int64_t v = 0;
          if (auto st = r.Int(&v); !st.ok()) return st;
          if (v < 1 || v > 1000) return r.Error("compaction level out of range");
          m.level = static_cast<int>(v);
          return absl::OkStatus();
        }
        if (k == "sources") {
          if (!r.Eat('[')) return r.Error("expected an array");
          if (r.Eat(']')) return absl::OkStatus();
          do {
            std::string src;
            if (auto st = r.String(&src); !st.ok()) return st;
            m.sources.push_back(std::move(src));
          } while (r.Eat(','));
          if (!r.Eat(']')) return r.Error("expected ',' or ']'");
          return absl::OkStatus();
        }
        return r.Skip();
      });
    }
    return r.Skip();
  });
  if (!s.ok()) return s;
  if (!r.AtEnd()) return r.Error("trailing data");
  if (!have_ulid || !have_min || !have_max) return absl::DataLossError("meta.json: ulid, minTime or maxTime missing");
  if (!IsUlid(m.ulid)) return absl::DataLossError(absl::StrCat("meta.json: invalid ulid \"", m.ulid, "\""));
  if (m.min_time > m.max_time) return absl::DataLossError("meta.json: minTime after maxTime");
  if (m.version != 1) return absl::DataLossError(absl::StrCat("meta.json: unsupported version ", m.version));
  return m;
}

bool IsUlid(std::string_view s) {
  if (s.size() != 26) return false;
  if (s[0] > '7') return false;  // 128 bits: the first character carries 3 bits
  return std::all_of(s.begin(), s.end(), [](char c) { return std::strchr(kCrockford, c) != nullptr && c != '\0'; });
}

std::string NewUlid() {
  static std::mutex mu;
  static uint64_t last_ms = 0;
  static uint64_t rand_hi = 0;  // 16 bits
  static uint64_t rand_lo = 0;  // 64 bits
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mu);
  auto ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  if (ms <= last_ms) {
    // Same (or earlier) millisecond: increment the random part so ulids of
    // one process stay strictly increasing.
    ms = last_ms;
    if (++rand_lo == 0) {
      if (++rand_hi == 0x10000) {
        ++ms;
        rand_hi = 0;
      }
    }
  } else {
    rand_hi = rng() & 0xffff;
    rand_lo = rng();
  }
  last_ms = ms;
  // 128 bits: ms (48) | rand_hi (16) | rand_lo (64), written as 26 base32 digits.
  unsigned __int128 v = (static_cast<unsigned __int128>((ms << 16) | rand_hi) << 64) | rand_lo;
  std::string out(26, '0');
  for (int i = 25; i >= 0; --i) {
    out[i] = kCrockford[static_cast<unsigned>(v & 31)];
    v >>= 5;
  }
  return out;
}

}  // namespace pharos::tsdb::block
