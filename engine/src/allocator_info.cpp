#include "crmsync/core/allocator_info.hpp"

#include <dlfcn.h>

#include <cstddef>

namespace crmsync {

std::string AllocatorInUse() {
  // Looked up at run time rather than compiled in: what answers is what the
  // dynamic linker bound malloc to, whatever the build meant to link.
  using Mallctl = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
  const auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
  if (mallctl != nullptr) {
    const char* version = nullptr;
    std::size_t size = sizeof(version);
    if (mallctl("version", &version, &size, nullptr, 0) == 0 && version != nullptr) {
      return std::string("jemalloc ") + version;
    }
    return "jemalloc (version unknown)";
  }
  return "system (glibc malloc)";
}

}  // namespace crmsync
