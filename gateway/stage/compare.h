// Comparing two answers to the same request (the legacy pool's and the candidate's). Pure:
// no I/O; the shadow path and `cutover compare` both use it.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "rewrite/regex.h"

namespace cutover::stage {

// One captured answer. `truncated`: the body passed the capture limit (compared as far as
// it was captured is not enough, so such a pair is skipped, not compared).
struct Captured {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  std::string body;
  bool truncated = false;
  bool failed = false;      // no answer at all (connect refused, timeout...)
  std::string error;        // why, when failed
};

// auto: JSON by Content-Type or by sniffing (structural, per JSON pointer), other text
// (text/*, XML, JavaScript, or a body that reads as UTF-8 text) token by token, the rest
// byte for byte. The default everywhere: a change is found in the field it is in, and noise
// learned in one field never hides a change in another.
enum class BodyMode { auto_, exact, json, text };

struct Normalizer {
  Regex pattern;
  std::string replacement;  // literal
};

struct CompareSpec {
  BodyMode mode = BodyMode::auto_;
  bool compare_headers = true;
  std::vector<std::string> ignore_headers;  // lowercase; added to the defaults below
  std::vector<std::string> ignore_paths;    // JSON pointers ("/meta/time"); a prefix covers its subtree
  std::vector<Normalizer> normalizers;      // text (and string values in JSON): applied to both sides
  bool collapse_whitespace = true;          // text mode
};

// Never compared: they differ between any two servers or any two calls.
const std::vector<std::string>& default_ignored_headers();

struct Difference {
  std::string field;  // "status", "header:content-type", "body", "json:/user/name", "text:12"
  std::string a, b;   // the two sides, shortened for display
  // What noise is learned on: for a text hunk each token of the reference it touches
  // ("text:12", "text:13"; "text:12^" for what was inserted before token 12). Empty: field.
  std::vector<std::string> keys = {};
};

std::vector<Difference> compare_answers(const Captured& a, const Captured& b, const CompareSpec& spec);

// Diffy's noise filter: drop from `candidate_diffs` every difference all of whose keys also
// differ between the primary and a second call of the primary (`noise`). A field stable on
// the reference side is never noise.
std::vector<Difference> without_noise(std::vector<Difference> candidate_diffs, const std::vector<Difference>& noise);

// What auto compares a body as, from its Content-Type (either side's) and its bytes.
BodyMode detect_body_mode(const Captured& a, const Captured& b);

// Built-in normalizers by name: "uuid", "iso-time", "epoch", "hex-id".
bool builtin_normalizer(const std::string& name, Normalizer& out);

std::string replace_all(const Regex& re, std::string_view subject, std::string_view with);

}  // namespace cutover::stage
