#include "template/go_fmt.h"

#include <cmath>
#include <cstdio>

#include "common/float_format.h"
#include "common/go_quote.h"
#include "common/utf8.h"

namespace pharos::tmpl {
namespace {

struct Spec {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  int width = -1;
  int prec = -1;
  char verb = 'v';
};

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Pads `s` to the spec's width with spaces (or zeros) on the left, or with
// spaces on the right for '-'.
void Pad(std::string& out, std::string_view s, const Spec& sp, bool zero_ok = true) {
  size_t n = RuneCount(s);
  if (sp.width < 0 || n >= static_cast<size_t>(sp.width)) {
    out.append(s);
    return;
  }
  size_t fill = static_cast<size_t>(sp.width) - n;
  if (sp.minus) {
    out.append(s);
    out.append(fill, ' ');
  } else if (sp.zero && zero_ok) {
    // Zeros go after a sign.
    if (!s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) {
      out.push_back(s[0]);
      out.append(fill, '0');
      out.append(s.substr(1));
    } else {
      out.append(fill, '0');
      out.append(s);
    }
  } else {
    out.append(fill, ' ');
    out.append(s);
  }
}

}  // namespace

void AppendUtf8(std::string& out, int64_t r) {
  if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  uint32_t c = static_cast<uint32_t>(r);
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

namespace {

void BadVerb(std::string& out, const Spec& sp, const Value& v) {
  out += "%!";
  out.push_back(sp.verb);
  out += '(';
  if (v.is_nil()) {
    out += "<nil>";
  } else {
    out += v.TypeName();
    out += '=';
    AppendPrintValue(out, v);
  }
  out += ')';
}

void FormatInt(std::string& out, int64_t v, const Spec& sp) {
  int base = 10;
  bool upper = false;
  switch (sp.verb) {
    case 'd': case 'v': base = 10; break;
    case 'x': base = 16; break;
    case 'X': base = 16; upper = true; break;
    case 'o': case 'O': base = 8; break;
    case 'b': base = 2; break;
    default: break;
  }
  bool neg = v < 0;
  uint64_t u = neg ? (~static_cast<uint64_t>(v) + 1) : static_cast<uint64_t>(v);
  std::string digits;
  const char* tab = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  if (u == 0) digits = "0";
  while (u > 0) {
    digits.insert(digits.begin(), tab[u % base]);
    u /= base;
  }
  if (sp.prec >= 0) {
    if (sp.prec == 0 && v == 0) digits.clear();
    while (digits.size() < static_cast<size_t>(sp.prec)) digits.insert(digits.begin(), '0');
  }
  std::string prefix;
  if (sp.sharp || sp.verb == 'O') {
    if (base == 16) prefix = upper ? "0X" : "0x";
    if (base == 8 && sp.verb == 'O') prefix = "0o";
    if (base == 8 && sp.verb == 'o' && (digits.empty() || digits[0] != '0')) prefix = "0";
    if (base == 2) prefix = "0b";
  }
  std::string s;
  if (neg) {
    s += '-';
  } else if (sp.plus) {
    s += '+';
  } else if (sp.space) {
    s += ' ';
  }
  s += prefix;
  s += digits;
  Pad(out, s, sp, sp.prec < 0);
}

void FormatFloat(std::string& out, double v, const Spec& sp) {
  std::string s;
  if (std::isnan(v) || std::isinf(v)) {
    if (std::isnan(v)) {
      s = sp.plus ? "+NaN" : sp.space ? " NaN" : "NaN";
    } else if (v > 0) {
      s = sp.plus ? "+Inf" : sp.space ? " Inf" : "+Inf";
    } else {
      s = "-Inf";
    }
    Pad(out, s, sp, false);
    return;
  }
  char verb = sp.verb == 'v' ? 'g' : sp.verb;
  if (verb == 'F') verb = 'f';
  if ((verb == 'g' || verb == 'G') && sp.prec < 0) {
    s = FormatFloatGoV(v);
    if (verb == 'G') {
      for (char& c : s) {
        if (c == 'e') c = 'E';
      }
    }
  } else {
    int prec = sp.prec < 0 ? 6 : sp.prec;
    char fmt[16];
    std::snprintf(fmt, sizeof(fmt), "%%%s.%d%c", sp.sharp ? "#" : "", prec, verb);
    char buf[512];
    int n = std::snprintf(buf, sizeof(buf), fmt, v);
    if (n < 0 || n >= static_cast<int>(sizeof(buf))) {
      std::vector<char> big(static_cast<size_t>(n > 0 ? n : 0) + 1);
      std::snprintf(big.data(), big.size(), fmt, v);
      s.assign(big.data());
    } else {
      s.assign(buf, static_cast<size_t>(n));
    }
  }
  if (s[0] != '-') {
    if (sp.plus) {
      s.insert(s.begin(), '+');
    } else if (sp.space) {
      s.insert(s.begin(), ' ');
    }
  }
  Pad(out, s, sp);
}

void FormatString(std::string& out, const std::string& str, const Spec& sp) {
  std::string_view s = str;
  std::string tmp;
  if (sp.prec >= 0 && (sp.verb == 's' || sp.verb == 'v' || sp.verb == 'q')) {
    // Precision truncates to that many runes.
    size_t runes = 0, i = 0;
    for (; i < s.size(); ++i) {
      if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
        if (runes == static_cast<size_t>(sp.prec)) break;
        ++runes;
      }
    }
    s = s.substr(0, i);
  }
  switch (sp.verb) {
    case 's': case 'v':
      Pad(out, s, sp);
      return;
    case 'q':
      if (sp.sharp && s.find('`') == std::string_view::npos) {
        tmp = "`" + std::string(s) + "`";
      } else {
        tmp = GoQuote(s);
      }
      Pad(out, tmp, sp);
      return;
    case 'x': case 'X': {
      const char* tab = sp.verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
      size_t limit = sp.prec >= 0 ? std::min(s.size(), static_cast<size_t>(sp.prec)) : s.size();
      for (size_t i = 0; i < limit; ++i) {
        if (sp.space && i > 0) tmp += ' ';
        if (sp.sharp && (sp.space || i == 0)) tmp += sp.verb == 'X' ? "0X" : "0x";
        unsigned char c = static_cast<unsigned char>(s[i]);
        tmp.push_back(tab[c >> 4]);
        tmp.push_back(tab[c & 15]);
      }
      Pad(out, tmp, sp);
      return;
    }
    default:
      BadVerb(out, sp, Value::String(str));
  }
}

void FormatValue(std::string& out, const Value& v, const Spec& sp);

void FormatCollection(std::string& out, const Value& c, const Spec& sp) {
  if (c.kind() == Value::Kind::kList) {
    out += '[';
    bool first = true;
    for (const auto& e : c.AsList()) {
      if (!first) out += ' ';
      first = false;
      FormatValue(out, e, sp);
    }
    out += ']';
    return;
  }
  out += "map[";
  bool first = true;
  for (const auto& [k, e] : c.AsMap()) {
    if (!first) out += ' ';
    first = false;
    FormatValue(out, Value::String(k), sp);
    out += ':';
    FormatValue(out, e, sp);
  }
  out += ']';
}

void FormatValue(std::string& out, const Value& v, const Spec& sp) {
  switch (v.kind()) {
    case Value::Kind::kNil:
      if (sp.verb == 'v') {
        Pad(out, "<nil>", sp, false);
      } else {
        BadVerb(out, sp, v);
      }
      return;
    case Value::Kind::kBool:
      if (sp.verb == 'v' || sp.verb == 't') {
        Pad(out, v.AsBool() ? "true" : "false", sp, false);
      } else {
        BadVerb(out, sp, v);
      }
      return;
    case Value::Kind::kInt:
      switch (sp.verb) {
        case 'v': case 'd': case 'x': case 'X': case 'o': case 'O': case 'b':
          FormatInt(out, v.AsInt(), sp);
          return;
        case 'c': {
          std::string s;
          AppendUtf8(s, v.AsInt());
          Pad(out, s, sp);
          return;
        }
        case 'q': {
          std::string s;
          AppendUtf8(s, v.AsInt());
          std::string q = GoQuote(s);
          q.front() = '\'';
          q.back() = '\'';
          Pad(out, q, sp);
          return;
        }
        case 'U': {
          char buf[32];
          std::snprintf(buf, sizeof(buf), "U+%04llX", static_cast<unsigned long long>(v.AsInt()));
          Pad(out, buf, sp);
          return;
        }
        default:
          BadVerb(out, sp, v);
          return;
      }
    case Value::Kind::kFloat:
      switch (sp.verb) {
        case 'v': case 'g': case 'G': case 'e': case 'E': case 'f': case 'F':
          FormatFloat(out, v.AsFloat(), sp);
          return;
        default:
          BadVerb(out, sp, v);
          return;
      }
    case Value::Kind::kString:
      FormatString(out, v.AsString(), sp);
      return;
    case Value::Kind::kList:
    case Value::Kind::kMap:
      FormatCollection(out, v, sp);
      return;
    case Value::Kind::kObject:
      if (sp.verb == 'v' || sp.verb == 's') {
        Pad(out, v.AsObject()->Print(), sp, false);
      } else if (sp.verb == 'q') {
        Pad(out, GoQuote(v.AsObject()->Print()), sp, false);
      } else if (const Value* c = v.Collection()) {
        FormatCollection(out, *c, sp);
      } else {
        BadVerb(out, sp, v);
      }
      return;
  }
}

}  // namespace

std::string GoSprint(std::span<const Value> args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    // Go adds a space between operands when neither is a string.
    if (i > 0 && args[i].kind() != Value::Kind::kString &&
        args[i - 1].kind() != Value::Kind::kString) {
      out += ' ';
    }
    AppendPrintValue(out, args[i]);
  }
  return out;
}

std::string GoSprintln(std::span<const Value> args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ' ';
    AppendPrintValue(out, args[i]);
  }
  out += '\n';
  return out;
}

std::string GoSprintf(std::string_view f, std::span<const Value> args) {
  std::string out;
  size_t argi = 0;
  size_t i = 0;
  while (i < f.size()) {
    if (f[i] != '%') {
      size_t j = f.find('%', i);
      if (j == std::string_view::npos) j = f.size();
      out.append(f.substr(i, j - i));
      i = j;
      continue;
    }
    ++i;
    if (i >= f.size()) {
      out += "%!(NOVERB)";
      break;
    }
    Spec sp;
    for (; i < f.size(); ++i) {
      char c = f[i];
      if (c == '+') {
        sp.plus = true;
      } else if (c == '-') {
        sp.minus = true;
      } else if (c == '#') {
        sp.sharp = true;
      } else if (c == ' ') {
        sp.space = true;
      } else if (c == '0') {
        sp.zero = true;
      } else {
        break;
      }
    }
    auto read_num = [&](int& dst) {
      if (i < f.size() && f[i] == '*') {
        ++i;
        if (argi < args.size() && args[argi].kind() == Value::Kind::kInt) {
          int64_t n = args[argi++].AsInt();
          if (n < -1000000 || n > 1000000) {
            out += "%!(BADWIDTH)";
            return;
          }
          dst = static_cast<int>(n);
          if (dst < 0 && &dst == &sp.width) {
            sp.minus = true;
            dst = -dst;
          }
        } else {
          ++argi;
          out += &dst == &sp.width ? "%!(BADWIDTH)" : "%!(BADPREC)";
        }
        return;
      }
      int n = 0;
      bool any = false;
      while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
        if (n < 1000000) n = n * 10 + (f[i] - '0');
        ++i;
        any = true;
      }
      if (any) dst = n;
    };
    read_num(sp.width);
    if (i < f.size() && f[i] == '.') {
      ++i;
      sp.prec = 0;
      read_num(sp.prec);
      if (sp.prec < 0) sp.prec = -1;
    }
    if (i >= f.size()) {
      out += "%!(NOVERB)";
      break;
    }
    // The verb is one UTF-8 rune.
    size_t vlen = 1;
    if (static_cast<unsigned char>(f[i]) >= 0x80) {
      vlen = Utf8SequenceLength(f, i);
      if (vlen == 0) vlen = 1;
    }
    if (vlen > 1) {
      out += "%!";
      out.append(f.substr(i, vlen));
      i += vlen;
      if (argi < args.size()) {
        const Value& v = args[argi++];
        out += '(';
        out += v.TypeName();
        out += '=';
        AppendPrintValue(out, v);
        out += ')';
      } else {
        out += "(MISSING)";
      }
      continue;
    }
    sp.verb = f[i++];
    if (sp.verb == '%') {
      out += '%';
      continue;
    }
    if (sp.minus) sp.zero = false;
    if (argi >= args.size()) {
      out += "%!";
      out.push_back(sp.verb);
      out += "(MISSING)";
      continue;
    }
    FormatValue(out, args[argi++], sp);
  }
  if (argi < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = argi; k < args.size(); ++k) {
      if (k > argi) out += ", ";
      if (args[k].is_nil()) {
        out += "<nil>";
      } else {
        out += args[k].TypeName();
        out += '=';
        AppendPrintValue(out, args[k]);
      }
    }
    out += ')';
  }
  return out;
}

}  // namespace pharos::tmpl
