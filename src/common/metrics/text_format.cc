#include "common/metrics/text_format.h"

#include <charconv>
#include <cmath>

namespace pharos::metrics {
namespace {

void AppendEscaped(std::string* out, std::string_view s, bool quote) {
  for (char c : s) {
    switch (c) {
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '"':
        if (quote) {
          *out += "\\\"";
        } else {
          out->push_back(c);
        }
        break;
      default: out->push_back(c);
    }
  }
}

std::string_view TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kUntyped: return "untyped";
  }
  return "untyped";
}

// name{labels[,extra_name="extra"]} value\n
void AppendSample(std::string* out, std::string_view name, std::string_view suffix, const MetricSnapshot& m,
                  std::string_view extra_name, double extra_value, double value) {
  out->append(name);
  out->append(suffix);
  if (!m.labels.empty() || !extra_name.empty()) {
    out->push_back('{');
    bool first = true;
    for (const auto& [k, v] : m.labels) {
      if (!first) out->push_back(',');
      first = false;
      out->append(k);
      *out += "=\"";
      AppendEscaped(out, v, true);
      out->push_back('"');
    }
    if (!extra_name.empty()) {
      if (!first) out->push_back(',');
      out->append(extra_name);
      *out += "=\"";
      AppendExpositionFloat(out, extra_value);
      out->push_back('"');
    }
    out->push_back('}');
  }
  out->push_back(' ');
  AppendExpositionFloat(out, value);
  out->push_back('\n');
}

}  // namespace

void AppendExpositionFloat(std::string* out, double v) {
  if (v == 0) {
    // Go's client writes "0" for both zeros... except strconv keeps "-0";
    // the client special-cases f == 0, which is true for -0 too.
    out->push_back('0');
    return;
  }
  if (std::isnan(v)) {
    *out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    *out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, r.ptr - buf);  // "-1.2345e+06"
  size_t epos = sci.find('e');
  int exp = 0;
  const char* e = buf + epos + 1;
  if (*e == '+') ++e;
  std::from_chars(e, r.ptr, exp);
  if (exp < -4 || exp >= 6) {
    out->append(sci.substr(0, epos));
    out->push_back('e');
    out->push_back(exp < 0 ? '-' : '+');
    int a = exp < 0 ? -exp : exp;
    if (a < 10) out->push_back('0');
    out->append(std::to_string(a));
    return;
  }
  auto f = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  out->append(buf, f.ptr);
}

void AppendTextFormat(const std::vector<FamilySnapshot>& families, std::string* out) {
  for (const auto& f : families) {
    if (f.metrics.empty()) continue;  // Go's client omits empty families
    if (!f.help.empty()) {
      *out += "# HELP ";
      out->append(f.name);
      out->push_back(' ');
      AppendEscaped(out, f.help, false);
      out->push_back('\n');
    }
    *out += "# TYPE ";
    out->append(f.name);
    out->push_back(' ');
    out->append(TypeName(f.type));
    out->push_back('\n');
    for (const auto& m : f.metrics) {
      if (f.type != MetricType::kHistogram) {
        AppendSample(out, f.name, "", m, "", 0, m.value);
        continue;
      }
      for (const auto& [le, n] : m.buckets) {
        AppendSample(out, f.name, "_bucket", m, "le", le, static_cast<double>(n));
      }
      AppendSample(out, f.name, "_sum", m, "", 0, m.sum);
      AppendSample(out, f.name, "_count", m, "", 0, static_cast<double>(m.count));
    }
  }
}

}  // namespace pharos::metrics
