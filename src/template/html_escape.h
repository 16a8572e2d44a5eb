// html/template's contextual escaping (internal to the template domain).
//
// Go's html/template decides at parse time, from the HTML around each
// action, which escapers the action's output goes through. Pharos follows
// the same HTML context while the template's own text is written out, and
// escapes each action's output for the context it lands in:
//   - text and RCDATA (<title>, <textarea>): &, <, >, ", ', + and NUL escaped
//     (template.HTML values from safeHtml are written as they are in text);
//   - quoted attribute values: the same escaping (HTML values lose their tags);
//   - unquoted attribute values: also spaces, =, ` and control characters;
//   - URL attributes (href, src, action, ...): at the start of the URL a
//     scheme other than http, https or mailto becomes "#ZgotmplZ" and the
//     value is percent-normalized; after ? or # it is percent-escaped;
//   - <script> and on* attributes: a JavaScript value (quoted string);
//   - style attributes and <style>: values that are not plain CSS tokens
//     become "ZgotmplZ";
//   - HTML comments in the template text are removed; actions inside them
//     print nothing.
// nil prints as "" rather than "<no value>", as in html/template.
#pragma once

#include <string>
#include <string_view>

#include "template/value.h"

namespace pharos::tmpl {

class HtmlContext {
 public:
  // Writes template text, following the HTML context through it.
  void WriteText(std::string_view text, std::string* out);
  // Writes an action's value, escaped for the current context.
  void WriteValue(const Value& v, std::string* out);

 private:
  enum class State { kText, kTag, kAttrName, kAfterName, kBeforeValue, kAttr, kComment, kRCDATA, kRawText };
  enum class AttrType { kPlain, kURL, kJS, kCSS };
  enum class UrlPart { kNone, kPreQuery, kQueryOrFrag };

  void StartTagName(std::string_view name, bool end_tag);
  void StartAttr(std::string_view name);

  State state_ = State::kText;
  char delim_ = 0;  // attribute value quote, or ' ' for unquoted
  AttrType attr_ = AttrType::kPlain;
  UrlPart url_part_ = UrlPart::kNone;
  std::string element_;     // the open tag's name (lower case)
  std::string attr_name_;   // the attribute being read
  std::string end_tag_;     // the tag that ends RCDATA or raw text ("</title")
  std::string pending_;     // text held back while deciding on "<!--" or an end tag
};

}  // namespace pharos::tmpl
