// Fuzzes the PromQL parser: any input must parse or fail with a status,
// never crash, hang or recurse without bound. An expression that parses
// must print (Format) to text that parses back, to the same printout unless
// it holds "+Inf" (Prometheus prints the literal Inf as "+Inf", which reads
// back as a unary plus: "2 ^ inf ^ x" prints as "2 ^ +Inf ^ x", a
// different tree), and must evaluate (or fail cleanly) against a small store.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "promql/engine.h"
#include "promql/parser.h"
#include "storage/memory_storage.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto e = pharos::promql::ParseExpr(text);
  if (!e.ok()) return 0;
  std::string printed = pharos::promql::Format(**e);
  auto again = pharos::promql::ParseExpr(printed);
  if (!again.ok()) __builtin_trap();
  if (printed.find("+Inf") == std::string::npos && pharos::promql::Format(**again) != printed) __builtin_trap();
  (void)pharos::promql::Prettify(**e);
  static pharos::storage::MemoryStorage* store = [] {
    auto* s = new pharos::storage::MemoryStorage();
    (void)s->Add(pharos::Labels{{"__name__", "foo"}, {"a", "1"}}, 0, 1);
    (void)s->Add(pharos::Labels{{"__name__", "foo"}, {"a", "1"}}, 60000, 2);
    (void)s->Add(pharos::Labels{{"__name__", "bar"}, {"le", "1"}}, 0, 3);
    return s;
  }();
  pharos::promql::EngineOptions opts;
  opts.max_samples = 100000;
  pharos::promql::Engine engine(opts);
  (void)engine.InstantQuery(*store, **e, 60000);
  if (pharos::promql::TypeOf(**e) == pharos::promql::ValueType::kVector) {
    (void)engine.RangeQuery(*store, **e, 0, 120000, 30000);
  }
  return 0;
}
