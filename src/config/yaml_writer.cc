#include "config/yaml_writer.h"

#include <cstdio>
#include <cstring>

#include "config/quote.h"
#include "config/yaml_scalar.h"

namespace pharos::config {
namespace {

bool NeedsDoubleQuotes(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return !IsValidUtf8(s);
}

bool CanBePlain(std::string_view s, bool flow) {
  if (s.empty()) return false;
  if (ResolvePlainKind(s) != "!!str") return false;
  const char first = s[0];
  if (std::strchr("?:,[]{}#&*!|>'\"%@`", first) != nullptr) return false;
  if (first == '-' && (s.size() == 1 || s[1] == ' ')) return false;
  if (first == ' ' || s.back() == ' ' || s.back() == ':') return false;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) return false;
  if (flow && s.find_first_of(",[]{}") != std::string_view::npos) return false;
  return true;
}

}  // namespace

std::string FormatYamlString(std::string_view s, bool flow) {
  if (NeedsDoubleQuotes(s)) return GoQuote(s);
  if (CanBePlain(s, flow)) return std::string(s);
  if (ResolvePlainKind(s) != "!!str" || s.empty()) return GoQuote(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

YamlOut YamlOut::Str(std::string_view s) {
  YamlOut o(Kind::kScalar);
  o.text_ = FormatYamlString(s, false);
  o.raw_flow_ = FormatYamlString(s, true);
  return o;
}

YamlOut YamlOut::Raw(std::string_view s) {
  YamlOut o(Kind::kScalar);
  o.text_ = std::string(s);
  o.raw_flow_ = o.text_;
  return o;
}

YamlOut& YamlOut::Add(std::string_view key, YamlOut value) {
  children_.emplace_back(std::string(key), std::move(value));
  return *this;
}

YamlOut& YamlOut::Push(YamlOut item) {
  children_.emplace_back(std::string(), std::move(item));
  return *this;
}

void YamlOut::PrintValueAfterKey(std::string* out, int indent) const {
  switch (kind_) {
    case Kind::kScalar:
      *out += " " + text_ + "\n";
      return;
    case Kind::kFlowSeq: {
      *out += " [";
      for (size_t i = 0; i < children_.size(); ++i) {
        if (i > 0) *out += ", ";
        *out += children_[i].second.raw_flow_;
      }
      *out += "]\n";
      return;
    }
    case Kind::kMap:
      if (children_.empty()) {
        *out += " {}\n";
        return;
      }
      *out += "\n";
      PrintMap(out, indent + 2, false);
      return;
    case Kind::kSeq:
      if (children_.empty()) {
        *out += " []\n";
        return;
      }
      *out += "\n";
      PrintSeq(out, indent);
      return;
  }
}

void YamlOut::PrintMap(std::string* out, int indent, bool inline_first) const {
  for (size_t i = 0; i < children_.size(); ++i) {
    if (!(inline_first && i == 0)) out->append(static_cast<size_t>(indent), ' ');
    *out += FormatYamlString(children_[i].first, false) + ":";
    children_[i].second.PrintValueAfterKey(out, indent);
  }
}

void YamlOut::PrintSeq(std::string* out, int indent) const {
  for (const auto& [unused, item] : children_) {
    out->append(static_cast<size_t>(indent), ' ');
    *out += "-";
    if (item.kind_ == Kind::kMap && !item.children_.empty()) {
      *out += " ";
      item.PrintMap(out, indent + 2, true);
    } else if (item.kind_ == Kind::kSeq && !item.children_.empty()) {
      *out += "\n";
      item.PrintSeq(out, indent + 2);
    } else {
      item.PrintValueAfterKey(out, indent);
    }
  }
}

std::string YamlOut::Print() const {
  std::string out;
  if (kind_ == Kind::kMap) {
    if (children_.empty()) return "{}\n";
    PrintMap(&out, 0, false);
  } else if (kind_ == Kind::kSeq) {
    PrintSeq(&out, 0);
  } else {
    PrintValueAfterKey(&out, 0);
    out.erase(0, 1);
  }
  return out;
}

YamlOut StrList(const std::vector<std::string>& v) {
  YamlOut s = YamlOut::Seq();
  for (const auto& x : v) s.Push(YamlOut::Str(x));
  return s;
}

void AddIf(YamlOut& m, std::string_view key, const std::string& v) {
  if (!v.empty()) m.Add(key, YamlOut::Str(v));
}

void AddSecret(YamlOut& m, std::string_view key, const std::string& v) {
  if (!v.empty()) m.Add(key, YamlOut::Str("<secret>"));
}

}  // namespace pharos::config
