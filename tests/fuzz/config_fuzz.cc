// libFuzzer target: cutover's own config (TOML, then every key validated). Any text either
// loads or is a ConfigError naming file:line:column; nothing else may escape.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  try {
    auto c = cutover::load_config_text(in, "f.toml");
    if (!c) __builtin_trap();
  } catch (const cutover::ConfigError& e) {
    if (std::string(e.what()).rfind("f.toml:", 0) != 0) __builtin_trap();
  }
  return 0;
}
