// `crmsync config example`: a commented configuration that sets every option
// to its default. Tests load it with the real loader and check that every key
// the loader knows appears in it, so it cannot drift from the code.
#pragma once

#include <string_view>

namespace crmsync::engine {

std::string_view ConfigExample();

}  // namespace crmsync::engine
