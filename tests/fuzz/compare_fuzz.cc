// libFuzzer target: the body comparison (JSON, token-wise text, bytes) over any two bodies.
// Never a crash; an answer equals itself; difference is symmetric in whether there is one;
// a difference always has a field, and is noise against itself unless marked never-noise.
#include <cstddef>
#include <cstdint>
#include <string>

#include "stage/compare.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cutover::stage;
  if (size < 1) return 0;
  std::string in(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t cut = in.find('\xff');  // the two bodies, parted by a 0xff byte (else halved)
  if (cut == std::string::npos) cut = in.size() / 2;
  static const char* kTypes[] = {"", "application/json", "text/html", "text/plain", "image/png"};
  static const BodyMode kModes[] = {BodyMode::auto_, BodyMode::exact, BodyMode::json, BodyMode::text};
  Captured a, b;
  a.status = b.status = 200;
  if (*kTypes[data[0] % 5]) a.headers.push_back({"Content-Type", kTypes[data[0] % 5]});
  b.headers = a.headers;
  a.body = in.substr(0, cut);
  b.body = cut < in.size() ? in.substr(cut + 1) : "";
  CompareSpec spec;
  spec.mode = kModes[(data[0] / 5) % 4];
  spec.collapse_whitespace = (data[0] / 20) % 2 == 0;
  if (!compare_answers(a, a, spec).empty()) __builtin_trap();
  auto ab = compare_answers(a, b, spec), ba = compare_answers(b, a, spec);
  if (ab.empty() != ba.empty()) __builtin_trap();
  for (auto& d : ab) {
    if (d.field.empty()) __builtin_trap();
    for (auto& k : d.keys)
      if (k.empty()) __builtin_trap();
  }
  for (auto& d : without_noise(ab, ab))
    if (d.keys.empty() || d.keys[0][0] != '!') {
      bool marked = false;
      for (auto& k : d.keys) marked = marked || k[0] == '!';
      if (!marked) __builtin_trap();
    }
  return 0;
}
