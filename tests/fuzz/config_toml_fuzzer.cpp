// libFuzzer target: the TOML configuration file (engine::ParseConfig, the
// same code LoadConfig runs on a file's text). Any text gives a Config or a
// status naming the file, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crmsync/engine/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto config = crmsync::engine::ParseConfig(input, "fuzz.toml");
  if (config.ok()) return 0;
  const std::string message = config.status().ToString();
  if (message.find("fuzz.toml") == std::string::npos) std::abort();
  return 0;
}
