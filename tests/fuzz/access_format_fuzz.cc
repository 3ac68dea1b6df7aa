// libFuzzer target: access log templates. A template either compiles or names an offset
// inside the text; a compiled one formats a record into exactly one line.
#include <cstddef>
#include <cstdint>
#include <string>

#include "access_format/access_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover;
  std::string in(reinterpret_cast<const char*>(data), size);
  std::string error;
  size_t offset = 0;
  std::optional<AccessFormat> f = AccessFormat::parse(in, error, offset);
  if (!f) {
    if (error.empty() || offset >= in.size()) __builtin_trap();
    return 0;
  }
  std::vector<http1::Field> fields{{"X-Id", "a\"b\n"}, {"Host", "h"}};
  AccessRecord r;
  r.client_ip = "127.0.0.1";
  r.method = "GET";
  r.target = "/x\n\"y";  // client text must never break the line
  r.user_agent = "\r\n";
  r.fields = &fields;
  r.total_ms = 1234;
  std::string line;
  f->format(r, line);
  if (line.empty() || line.back() != '\n') __builtin_trap();
  // Newlines come only from the template's own text.
  size_t template_newlines = 0;
  for (char c : in) template_newlines += c == '\n';
  size_t line_newlines = 0;
  for (char c : line) line_newlines += c == '\n';
  if (in != "combined" && in != "json" && line_newlines > template_newlines + 1) __builtin_trap();
  return 0;
}
