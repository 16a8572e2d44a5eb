#include <gtest/gtest.h>

#include "template/template.h"

namespace pharos::tmpl {
namespace {

std::string Exec(std::string_view text, const Value& dot = Value(), TemplateOptions opts = {}) {
  TemplateSet set(opts);
  auto st = set.Parse("t", text);
  if (!st.ok()) return "PARSE: " + std::string(st.message());
  auto r = set.ExecuteToString("t", dot);
  if (!r.ok()) return "EXEC: " + std::string(r.status().message());
  return *r;
}

TEST(Template, Basics) {
  EXPECT_EQ(Exec("hello"), "hello");
  EXPECT_EQ(Exec("{{ 1 }} {{ 1.5 }} {{ \"s\" }} {{ true }}"), "1 1.5 s true");
  EXPECT_EQ(Exec("{{ . }}", Value::Float(1234567)), "1.234567e+06");
}

}  // namespace
}  // namespace pharos::tmpl
