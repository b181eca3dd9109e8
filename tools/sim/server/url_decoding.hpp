// Request-target decoding for the HTTP/2 server, matching what libmicrohttpd
// hands the HTTP/1.1 server's handler: the path with %XX sequences decoded,
// the query split into arguments with '+' as a space (form encoding: SOQL
// clients send q=SELECT+Id), and malformed escapes kept as sent.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace crmsync::sim {

// '0'-'9', 'a'-'f', 'A'-'F' -> 0-15; anything else -> -1.
int HexDigitValue(char c);

std::string PercentDecode(std::string_view text, bool plus_is_space);

// "a=1&b=x%20y&flag" -> {a: 1, b: "x y", flag: ""}; empty pieces are skipped.
std::multimap<std::string, std::string> ParseQuery(std::string_view raw_query);

}  // namespace crmsync::sim
