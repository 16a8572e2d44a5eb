#include "template/html_escape.h"

#include <cctype>

#include "common/json_writer.h"

namespace pharos::tmpl {
namespace {

bool IsSpaceChar(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnumChar(char c) { return IsAlpha(c) || (c >= '0' && c <= '9'); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// html/template's htmlReplacementTable, or with nospace its
// htmlNospaceReplacementTable for unquoted attribute values (norm: leave
// '&' alone, for content that is already HTML).
void EscapeHtml(std::string_view s, bool norm, std::string* out, bool nospace = false) {
  for (char c : s) {
    const char* rep = nullptr;
    switch (c) {
      case '\0': rep = nospace ? "&#xfffd;" : "\uFFFD"; break;
      case '"': rep = "&#34;"; break;
      case '&': rep = norm ? nullptr : "&amp;"; break;
      case '\'': rep = "&#39;"; break;
      case '+': rep = "&#43;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '\t': rep = nospace ? "&#9;" : nullptr; break;
      case '\n': rep = nospace ? "&#10;" : nullptr; break;
      case '\v': rep = nospace ? "&#11;" : nullptr; break;
      case '\f': rep = nospace ? "&#12;" : nullptr; break;
      case '\r': rep = nospace ? "&#13;" : nullptr; break;
      case ' ': rep = nospace ? "&#32;" : nullptr; break;
      case '=': rep = nospace ? "&#61;" : nullptr; break;
      case '`': rep = nospace ? "&#96;" : nullptr; break;
      default: break;
    }
    if (rep != nullptr) {
      *out += rep;
    } else {
      out->push_back(c);
    }
  }
}

std::string StripTags(std::string_view s) {
  std::string out;
  bool in_tag = false;
  for (char c : s) {
    if (in_tag) {
      if (c == '>') in_tag = false;
    } else if (c == '<') {
      in_tag = true;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// html/template's urlProcessor: percent-encode what may not appear in a URL
// (norm: keep reserved characters and existing %XX escapes).
std::string UrlProcess(std::string_view s, bool norm) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool keep = false;
    switch (c) {
      case '!': case '#': case '$': case '&': case '*': case '+': case ',': case '/': case ':': case ';':
      case '=': case '?': case '@': case '[': case ']':
        keep = norm;
        break;
      case '-': case '.': case '_': case '~':
        keep = true;
        break;
      case '%':
        keep = norm && i + 2 < s.size() && IsHex(s[i + 1]) && IsHex(s[i + 2]);
        break;
      default:
        keep = IsAlnumChar(c);
    }
    if (keep) {
      out.push_back(c);
    } else {
      unsigned char u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

// A URL with a scheme other than http, https or mailto is replaced.
bool SafeUrl(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return true;
  if (s.substr(0, colon).find('/') != std::string_view::npos) return true;
  std::string scheme = Lower(s.substr(0, colon));
  return scheme == "http" || scheme == "https" || scheme == "mailto";
}

std::string JsValue(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNil:
      return " null ";
    case Value::Kind::kBool:
    case Value::Kind::kInt:
    case Value::Kind::kFloat:
      return " " + PrintValue(v) + " ";
    default:
      break;
  }
  // Strings as encoding/json writes them (html/template marshals values).
  std::string out;
  JsonWriter::AppendString(out, v.kind() == Value::Kind::kString ? v.AsString() : PrintValue(v));
  return out;
}

std::string CssValue(std::string_view s) {
  for (char c : s) {
    if (!(IsAlnumChar(c) || c == ' ' || c == '#' || c == '%' || c == '+' || c == '-' || c == '.' || c == ',' ||
          c == '!' || c == '_' || static_cast<unsigned char>(c) >= 0x80)) {
      return "ZgotmplZ";
    }
  }
  std::string l = Lower(s);
  if (l.find("expression") != std::string::npos || l.find("mozbinding") != std::string::npos) return "ZgotmplZ";
  return std::string(s);
}

}  // namespace

void HtmlContext::StartTagName(std::string_view name, bool end_tag) {
  element_ = end_tag ? "" : Lower(name);
  state_ = State::kTag;
}

void HtmlContext::StartAttr(std::string_view raw) {
  std::string name = Lower(raw);
  attr_name_ = name;
  if (name.starts_with("data-")) name = name.substr(5);
  size_t colon = name.find(':');
  if (colon != std::string::npos) {
    if (name.substr(0, colon) == "xmlns") {
      attr_ = AttrType::kURL;
      return;
    }
    name = name.substr(colon + 1);
  }
  static const char* kUrlAttrs[] = {"action", "archive", "background", "cite", "classid", "codebase", "data",
                                    "formaction", "href", "icon", "longdesc", "manifest", "poster", "profile",
                                    "src", "usemap", "xmlns"};
  attr_ = AttrType::kPlain;
  for (const char* a : kUrlAttrs) {
    if (name == a) attr_ = AttrType::kURL;
  }
  if (name == "style") {
    attr_ = AttrType::kCSS;
  } else if (name.starts_with("on")) {
    attr_ = AttrType::kJS;
  } else if (attr_ == AttrType::kPlain && (name.find("src") != std::string::npos ||
                                          name.find("uri") != std::string::npos ||
                                          name.find("url") != std::string::npos)) {
    attr_ = AttrType::kURL;
  }
}

void HtmlContext::WriteText(std::string_view text, std::string* out) {
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    switch (state_) {
      case State::kText: {
        if (c == '<') {
          std::string_view rest = text.substr(i);
          if (rest.starts_with("<!--")) {
            state_ = State::kComment;
            i += 4;
            continue;
          }
          bool end = rest.size() > 2 && rest[1] == '/' && IsAlpha(rest[2]);
          if (end || (rest.size() > 1 && IsAlpha(rest[1]))) {
            size_t j = end ? 2 : 1;
            while (j < rest.size() && (IsAlnumChar(rest[j]) || rest[j] == '-' || rest[j] == ':')) ++j;
            out->append(rest.substr(0, j));
            StartTagName(rest.substr(end ? 2 : 1, j - (end ? 2 : 1)), end);
            i += j;
            continue;
          }
        }
        out->push_back(c);
        ++i;
        continue;
      }
      case State::kComment: {
        size_t e = text.find("-->", i);
        if (e == std::string_view::npos) return;
        state_ = State::kText;
        i = e + 3;
        continue;
      }
      case State::kRCDATA:
      case State::kRawText: {
        if (c == '<' && StartsWithNoCase(text.substr(i), end_tag_)) {
          out->append(text.substr(i, end_tag_.size()));
          i += end_tag_.size();
          StartTagName("", true);
          continue;
        }
        out->push_back(c);
        ++i;
        continue;
      }
      case State::kTag:
      case State::kAfterName: {
        if (c == '>') {
          out->push_back(c);
          ++i;
          if (element_ == "script" || element_ == "style") {
            state_ = State::kRawText;
            end_tag_ = "</" + element_;
          } else if (element_ == "title" || element_ == "textarea") {
            state_ = State::kRCDATA;
            end_tag_ = "</" + element_;
          } else {
            state_ = State::kText;
          }
          continue;
        }
        if (IsSpaceChar(c) || c == '/') {
          out->push_back(c);
          ++i;
          continue;
        }
        if (c == '=' && state_ == State::kAfterName) {
          out->push_back(c);
          ++i;
          state_ = State::kBeforeValue;
          continue;
        }
        size_t j = i;
        while (j < text.size() && !IsSpaceChar(text[j]) && text[j] != '=' && text[j] != '>' && text[j] != '/') ++j;
        if (j == i) ++j;
        out->append(text.substr(i, j - i));
        StartAttr(text.substr(i, j - i));
        state_ = State::kAfterName;
        i = j;
        continue;
      }
      case State::kAttrName:
        state_ = State::kAfterName;
        continue;
      case State::kBeforeValue: {
        if (IsSpaceChar(c)) {
          out->push_back(c);
          ++i;
          continue;
        }
        if (c == '>') {
          state_ = State::kTag;
          continue;
        }
        url_part_ = UrlPart::kNone;
        if (c == '"' || c == '\'') {
          delim_ = c;
          out->push_back(c);
          ++i;
        } else {
          delim_ = ' ';
        }
        state_ = State::kAttr;
        continue;
      }
      case State::kAttr: {
        if (delim_ != ' ' && c == delim_) {
          out->push_back(c);
          ++i;
          state_ = State::kTag;
          continue;
        }
        if (delim_ == ' ' && (IsSpaceChar(c) || c == '>')) {
          state_ = State::kTag;
          continue;
        }
        if (attr_ == AttrType::kURL) {
          if (c == '?' || c == '#') {
            url_part_ = UrlPart::kQueryOrFrag;
          } else if (!IsSpaceChar(c) && url_part_ == UrlPart::kNone) {
            url_part_ = UrlPart::kPreQuery;
          }
        }
        out->push_back(c);
        ++i;
        continue;
      }
    }
  }
}

void HtmlContext::WriteValue(const Value& v, std::string* out) {
  bool html = v.kind() == Value::Kind::kString && v.string_kind() == StringKind::kHTML;
  std::string s = v.is_nil() ? "" : (v.kind() == Value::Kind::kString ? v.AsString() : PrintValue(v));
  switch (state_) {
    case State::kText:
      if (html) {
        out->append(s);
      } else {
        EscapeHtml(s, false, out);
      }
      return;
    case State::kRCDATA:
      EscapeHtml(s, html, out);
      return;
    case State::kComment:
      return;
    case State::kRawText:
      if (element_ == "style" || end_tag_ == "</style") {
        out->append(CssValue(s));
      } else {
        out->append(JsValue(v));
      }
      return;
    case State::kTag:
    case State::kAttrName:
    case State::kAfterName: {
      bool ok = !s.empty();
      for (char c : s) {
        if (!IsAlnumChar(c)) ok = false;
      }
      std::string l = Lower(s);
      if (l.starts_with("on") || l == "style" || l.find("src") != std::string::npos ||
          l.find("url") != std::string::npos || l.find("uri") != std::string::npos || l == "href") {
        ok = false;
      }
      out->append(ok ? s : "ZgotmplZ");
      return;
    }
    case State::kBeforeValue:
      state_ = State::kAttr;
      delim_ = ' ';
      url_part_ = UrlPart::kNone;
      break;
    case State::kAttr:
      break;
  }
  // Attribute values.
  std::string inner;
  bool already_html = false;
  switch (attr_) {
    case AttrType::kURL:
      if (url_part_ == UrlPart::kQueryOrFrag) {
        inner = UrlProcess(s, false);
      } else {
        inner = url_part_ == UrlPart::kNone && !SafeUrl(s) ? "#ZgotmplZ" : UrlProcess(s, true);
      }
      break;
    case AttrType::kJS:
      inner = JsValue(v);
      break;
    case AttrType::kCSS:
      inner = CssValue(s);
      break;
    case AttrType::kPlain:
      if (html) {
        inner = StripTags(s);
        already_html = true;
      } else {
        inner = s;
      }
      break;
  }
  if (delim_ == ' ') {
    EscapeHtml(inner, already_html, out, true);
  } else {
    EscapeHtml(inner, already_html, out);
  }
}

}  // namespace pharos::tmpl
