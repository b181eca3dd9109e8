// Key encoding of the state column families (private to state/).
//
// A key is a sequence of components, each written as a LEB128 varint length
// followed by the raw bytes. Length prefixes make the encoding injective:
// ("a/b", "c") and ("a", "b/c") are different keys, and so are the tenants
// "t1" and "t10" as prefixes: EncodeKey({"t1"}) is not a prefix of any key of
// tenant "t10". The tenant is always the first component, so all keys of a
// tenant form one contiguous range starting at TenantPrefix(tenant).
//
// The runs family is the exception: its key is the raw run id, so that byte
// order is time order (run ids are fixed-width timestamps first).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync::state::internal {

std::string EncodeKey(std::initializer_list<std::string_view> components);

// The common prefix of every key whose first component is `tenant`.
std::string TenantPrefix(std::string_view tenant);

// Splits a key made by EncodeKey back into components; nullopt when the bytes
// are not a well-formed encoding (truncated length or payload).
std::optional<std::vector<std::string>> DecodeKey(std::string_view key);

// A printable rendering of a key for error messages: components joined by '/'
// (escaped), or the escaped raw bytes when the key does not decode.
std::string DescribeKey(std::string_view key);

}  // namespace crmsync::state::internal
