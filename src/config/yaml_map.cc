#include "config/yaml_map.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace pharos::config {

absl::Status UnknownField(const YamlEntry& entry, std::string_view type_name) {
  return entry.key.Error(absl::StrCat("field ", entry.name(), " not found in type ", AV(type_name)));
}

absl::Status ReadMap(const YamlNode& node, std::string_view type_name,
                     std::initializer_list<YamlField> fields, const YamlUnknownFn& unknown) {
  if (!node.IsNull() && !node.IsMap()) return node.TypeError(type_name);
  auto entries = node.Entries();
  if (!entries.ok()) return entries.status();
  for (const YamlEntry& e : *entries) {
    const YamlField* field = nullptr;
    for (const YamlField& f : fields) {
      if (f.key == e.name()) {
        field = &f;
        break;
      }
    }
    if (field == nullptr) {
      if (unknown) {
        absl::Status s = unknown(e);
        if (!absl::IsNotFound(s)) {
          if (!s.ok()) return s;
          continue;
        }
      }
      return UnknownField(e, type_name);
    }
    if (absl::Status s = field->read(e.value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

YamlReadFn Into(std::string* out) { return IntoParsed(out, ReadString); }
YamlReadFn Into(bool* out) { return IntoParsed(out, ReadBool); }
YamlReadFn Into(uint64_t* out) { return IntoParsed(out, ReadUint); }
YamlReadFn Into(int64_t* out) { return IntoParsed(out, ReadInt); }
YamlReadFn Into(double* out) { return IntoParsed(out, ReadFloat); }
YamlReadFn Into(std::vector<std::string>* out) { return IntoParsed(out, ReadStringList); }
YamlReadFn Into(std::vector<std::pair<std::string, std::string>>* out) {
  return IntoParsed(out, ReadStringMap);
}
YamlReadFn IntoDuration(int64_t* out_ms) { return IntoParsed(out_ms, ReadDurationMs); }
YamlReadFn IntoByteSize(int64_t* out_bytes) { return IntoParsed(out_bytes, ReadByteSize); }

}  // namespace pharos::config
