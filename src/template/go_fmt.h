// Go's fmt.Sprint, fmt.Sprintln and fmt.Sprintf over template Values, as the
// print, println and printf template functions use them.
//
// Sprintf supports the verbs %v %s %d %f %F %e %E %g %G %t %q %x %X %o %b %c
// %U %% with flags (+ - # space 0), width and precision (also `*`), and
// Go's in-band error notes: %!d(string=x), %!v(MISSING), %!(EXTRA int=1).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "template/value.h"

namespace pharos::tmpl {

std::string GoSprint(std::span<const Value> args);
std::string GoSprintln(std::span<const Value> args);
std::string GoSprintf(std::string_view format, std::span<const Value> args);

// Appends the UTF-8 encoding of a code point (U+FFFD for invalid ones).
void AppendUtf8(std::string& out, int64_t rune);

}  // namespace pharos::tmpl
