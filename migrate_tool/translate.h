// lighttpd config (parsed, lighttpd_config.h) -> cutover config text + a report with one
// line per directive: translated exactly, with a caveat, or not translated, each with its
// file:line and a reason. Pure: text in, text out.
#pragma once
#include <string>
#include <vector>

#include "migrate_tool/lighttpd_config.h"

namespace cutover::migrate {

enum class Verdict { exact, caveat, untranslated };
const char* verdict_name(Verdict v);

struct ReportLine {
  Pos pos;
  Verdict verdict = Verdict::exact;
  std::string directive;  // "fastcgi.server", "$HTTP[\"host\"] == \"x\""
  std::string text;       // what happened, in plain words
};

struct Translation {
  std::string toml;                  // the cutover config, with "# from file:line" comments
  std::vector<ReportLine> report;    // in source order
  std::vector<std::string> explain;  // for --explain: each route/rewrite/pool and its lines
  bool exact() const;
  bool complete() const;  // nothing "not translated" (caveats allowed)
  // 0: complete (exact, or with caveats to read); 3: partial — something was not
  // translated and its paths are denied — unless `allow_partial`; 1 with `strict` unless
  // every directive is exact.
  int exit_code(bool strict, bool allow_partial = false) const;
  std::string report_text() const;
};

struct TranslateOptions {
  std::string source_name;  // for the header comment
};

Translation translate(const LighttpdConfig& cfg, const TranslateOptions& opts = {});

}  // namespace cutover::migrate
