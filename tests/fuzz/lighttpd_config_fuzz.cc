// libFuzzer target: the lighttpd config parser (and the translator after it) either parses or throws ParseError with a
// position; it never crashes, hangs or reads outside its input. Includes are disabled by
// pointing the main directory at a path that does not exist.
#include <cstddef>
#include <cstdint>
#include <string>

#include "migrate_tool/lighttpd_config.h"
#include "migrate_tool/translate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover::migrate;
  if (size > 1 << 16) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  ParseOptions o;
  o.cwd = "/nonexistent-cutover-fuzz";
  try {
    LighttpdConfig c = parse_lighttpd_text(text, "/nonexistent-cutover-fuzz/lighttpd.conf", o);
    for (auto& b : c.blocks)
      for (auto& s : b.settings) (void)s.value.describe();
    // The translator takes whatever the parser accepts; every directive gets a report line.
    Translation t = translate(c);
    if (t.toml.find("[server]") == std::string::npos) __builtin_trap();
    (void)t.report_text();
  } catch (const ParseError& e) {
    std::string what = e.what();
    if (what.find(':') == std::string::npos) __builtin_trap();  // every error names a position
  }
  return 0;
}
