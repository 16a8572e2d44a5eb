// Percent-encoding and query strings as Go's net/url reads and writes them,
// so that parameters decode the way Prometheus' handlers see them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pharos::http {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). Returns
// false on a malformed escape ("%", "%4", "%zz"); `out` is then unspecified.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);

// Splits "a=1&b=2&a=3" into pairs in order, decoding keys and values as
// url.ParseQuery does. Pairs with a bad escape or a ';' are skipped (Go
// reports them as an error and ignores them). A key without '=' gets "".
void ParseQueryString(std::string_view query, std::vector<std::pair<std::string, std::string>>* out);

// url.QueryEscape: escapes everything except [A-Za-z0-9-_.~], ' ' as '+'.
std::string QueryEscape(std::string_view s);
// url.PathEscape: like QueryEscape, but ' ' as "%20" (for path segments).
std::string PathEscape(std::string_view s);

// Encodes pairs as "k=v&k2=v2" with QueryEscape.
std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace pharos::http
