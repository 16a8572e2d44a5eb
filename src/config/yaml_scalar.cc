#include "config/yaml_scalar.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/duration.h"
#include "common/strings.h"

namespace pharos::config {
namespace {

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsYamlInt(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    for (char c : s.substr(2)) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
  }
  return IsDigits(s);
}

bool IsYamlFloat(std::string_view s) {
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "-.inf" || s == "+.inf" || s == "-.Inf" ||
      s == "+.Inf" || s == "-.INF" || s == "+.INF" || s == ".nan" || s == ".NaN" || s == ".NAN") {
    return true;
  }
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

// YAML 1.1 booleans, as Go's yaml.v2 resolves them.
int ResolveBool(std::string_view s) {
  static constexpr std::string_view kTrue[] = {"y",  "Y",  "yes", "Yes", "YES", "true",
                                               "True", "TRUE", "on", "On", "ON"};
  static constexpr std::string_view kFalse[] = {"n",  "N",  "no",  "No",  "NO", "false",
                                                "False", "FALSE", "off", "Off", "OFF"};
  for (auto t : kTrue) {
    if (s == t) return 1;
  }
  for (auto f : kFalse) {
    if (s == f) return 0;
  }
  return -1;
}

}  // namespace

std::string_view ResolvePlainKind(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return "!!null";
  if (ResolveBool(s) >= 0) return "!!bool";
  if (IsYamlInt(s)) return "!!int";
  if (IsYamlFloat(s)) return "!!float";
  return "!!str";
}

absl::StatusOr<std::string> ReadString(const YamlNode& n) {
  if (n.IsNull()) return std::string();
  if (!n.IsScalar()) return n.TypeError("string");
  return n.Scalar();
}

absl::StatusOr<bool> ReadBool(const YamlNode& n) {
  if (n.IsNull()) return false;
  if (!n.IsScalar() || n.IsQuoted()) return n.TypeError("bool");
  int b = ResolveBool(n.Scalar());
  if (b < 0) return n.TypeError("bool");
  return b == 1;
}

absl::StatusOr<uint64_t> ReadUint(const YamlNode& n) {
  if (n.IsNull()) return uint64_t{0};
  if (!n.IsScalar() || n.IsQuoted()) return n.TypeError("uint");
  std::string_view s = n.Scalar();
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  uint64_t v = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    if (!absl::SimpleHexAtoi(AV(s.substr(2)), &v)) return n.TypeError("uint");
    return v;
  }
  if (!IsDigits(s) || !absl::SimpleAtoi(AV(s), &v)) return n.TypeError("uint");
  return v;
}

absl::StatusOr<int64_t> ReadInt(const YamlNode& n) {
  if (n.IsNull()) return int64_t{0};
  if (!n.IsScalar() || n.IsQuoted() || !IsYamlInt(n.Scalar())) return n.TypeError("int");
  std::string_view s = n.Scalar();
  int64_t v = 0;
  bool neg = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    if (!absl::SimpleHexAtoi(AV(s.substr(2)), &v)) return n.TypeError("int");
  } else if (!absl::SimpleAtoi(AV(s), &v)) {
    return n.TypeError("int");
  }
  return neg ? -v : v;
}

absl::StatusOr<double> ReadFloat(const YamlNode& n) {
  if (n.IsNull()) return 0.0;
  if (!n.IsScalar() || n.IsQuoted()) return n.TypeError("float64");
  std::string_view s = n.Scalar();
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF") {
    return std::numeric_limits<double>::infinity();
  }
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return -std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  double v = 0;
  if (!(IsYamlFloat(s) || IsYamlInt(s)) || !absl::SimpleAtod(AV(s), &v)) return n.TypeError("float64");
  return v;
}

absl::StatusOr<int64_t> ReadDurationMs(const YamlNode& n) {
  if (n.IsNull()) return int64_t{0};
  if (!n.IsScalar()) return n.TypeError("model.Duration");
  auto d = ParseDurationMs(n.Scalar());
  if (!d.ok()) return n.Error(absl::StrCat("not a valid duration string: \"", n.Scalar(), "\""));
  return *d;
}

absl::StatusOr<int64_t> ReadByteSize(const YamlNode& n) {
  if (n.IsNull()) return int64_t{0};
  if (!n.IsScalar()) return n.TypeError("units.Base2Bytes");
  auto b = ParseByteSize(n.Scalar());
  if (!b.ok()) return n.Error(SV(b.status().message()));
  return *b;
}

absl::StatusOr<std::vector<std::string>> ReadStringList(const YamlNode& n) {
  std::vector<std::string> out;
  if (n.IsScalar()) return n.TypeError("[]string");
  auto items = n.Items();
  if (!items.ok()) return items.status();
  out.reserve(items->size());
  for (const YamlNode& item : *items) {
    if (!item.IsScalar() && !item.IsNull()) return item.TypeError("string");
    out.push_back(item.Scalar());
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ReadStringMap(const YamlNode& n) {
  std::vector<std::pair<std::string, std::string>> out;
  if (n.IsScalar() || n.IsSequence()) return n.TypeError("map[string]string");
  auto entries = n.Entries();
  if (!entries.ok()) return entries.status();
  out.reserve(entries->size());
  for (const YamlEntry& e : *entries) {
    if (!e.value.IsScalar() && !e.value.IsNull()) return e.value.TypeError("string");
    out.emplace_back(e.name(), e.value.Scalar());
  }
  return out;
}

absl::StatusOr<int64_t> ParseByteSize(std::string_view orig) {
  auto invalid = [&] { return absl::InvalidArgumentError(absl::StrCat("units: invalid ", AV(orig))); };
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return invalid();
  // Both spellings are powers of 1024 (units.Base2Bytes accepts either).
  static constexpr std::string_view kPrefixes = "KMGTPE";
  double total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) return invalid();
    size_t i = 0;
    double g = 0;
    bool pre = false, post = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      g = g * 10 + (s[i] - '0');
      if (g > 9.3e18) return invalid();
      ++i;
      pre = true;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        g += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        post = true;
      }
    }
    if (!pre && !post) return invalid();
    size_t u = i;
    while (u < s.size() && s[u] != '.' && !(s[u] >= '0' && s[u] <= '9')) ++u;
    std::string_view unit = s.substr(i, u - i);
    double mult = 0;
    if (unit == "B") {
      mult = 1;
    } else if ((unit.size() == 2 && unit[1] == 'B') || (unit.size() == 3 && unit.substr(1) == "iB")) {
      size_t p = kPrefixes.find(unit[0]);
      if (p != std::string_view::npos) mult = std::pow(1024.0, static_cast<double>(p + 1));
    }
    if (mult == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("units: unknown unit ", AV(unit), " in ", AV(orig)));
    }
    total += g * mult;
    s.remove_prefix(u);
  }
  if (neg) total = -total;
  if (total < -9.2233720368547758e18 || total >= 9.2233720368547758e18) {
    return absl::InvalidArgumentError("units: overflow parsing unit");
  }
  return static_cast<int64_t>(total);
}

std::string FormatByteSize(int64_t n) {
  static constexpr std::string_view kPrefixes[] = {"", "K", "M", "G", "T", "P", "E"};
  if (n == 0) return "0B";
  std::string parts[7];
  bool neg = n < 0;
  uint64_t v = neg ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  for (size_t i = 0; i < 7 && v != 0; ++i) {
    uint64_t rem = v % 1024;
    if (rem != 0) parts[i] = absl::StrCat(rem, AV(kPrefixes[i]), i == 0 ? "B" : "iB");
    v /= 1024;
  }
  std::string out = neg ? "-" : "";
  for (int i = 6; i >= 0; --i) out += parts[i];
  return out;
}

}  // namespace pharos::config
