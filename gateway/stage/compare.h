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

enum class BodyMode { exact, json, text };

struct Normalizer {
  Regex pattern;
  std::string replacement;  // literal
};

struct CompareSpec {
  BodyMode mode = BodyMode::exact;
  bool compare_headers = true;
  std::vector<std::string> ignore_headers;  // lowercase; added to the defaults below
  std::vector<std::string> ignore_paths;    // JSON pointers ("/meta/time"); a prefix covers its subtree
  std::vector<Normalizer> normalizers;      // text (and string values in JSON): applied to both sides
  bool collapse_whitespace = true;          // text mode
};

// Never compared: they differ between any two servers or any two calls.
const std::vector<std::string>& default_ignored_headers();

struct Difference {
  std::string field;  // "status", "header:content-type", "body", "json:/user/name"
  std::string a, b;   // the two sides, shortened for display
};

std::vector<Difference> compare_answers(const Captured& a, const Captured& b, const CompareSpec& spec);

// Diffy's noise filter: drop from `candidate_diffs` every field that also differs between
// the primary and a second call of the primary (`noise`).
std::vector<Difference> without_noise(std::vector<Difference> candidate_diffs, const std::vector<Difference>& noise);

// Built-in normalizers by name: "uuid", "iso-time", "epoch", "hex-id".
bool builtin_normalizer(const std::string& name, Normalizer& out);

std::string replace_all(const Regex& re, std::string_view subject, std::string_view with);

}  // namespace cutover::stage
