// Bridges std::string_view and Debian 12's Abseil, which is built with
// ABSL_OPTION_USE_STD_STRING_VIEW=0: absl::string_view is a distinct type and
// a std::string_view does not convert to it implicitly (absl::StrCat,
// absl::Status constructors, absl::StrSplit and friends reject it).
#pragma once

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace pharos {

inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view SV(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace pharos
