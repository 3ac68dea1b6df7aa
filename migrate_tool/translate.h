// lighttpd config (parsed, lighttpd_config.h) -> cutover config text + a report with one
// line per directive: translated exactly, with a caveat, or not translated, each with its
// file:line and a reason. Pure: text in, text out.
#pragma once
#include <functional>
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
  // Why no config may be written at all (a TLS main listener: written as plain HTTP it
  // would answer in clear on 443), with lighttpd's file:line; "" when there is none.
  std::string refusal;
  bool complete() const;  // nothing "not translated" (caveats allowed)
  // 0: complete (exact, or with caveats to read); 3: partial — something was not
  // translated and its paths are denied — unless `allow_partial`; 1 with `strict` unless
  // every directive is exact.
  int exit_code(bool strict, bool allow_partial = false) const;
  std::string report_text() const;
};

struct TranslateOptions {
  std::string source_name;  // for the header comment
  // The near key meant by a mistyped one ("" none): given by the caller, so the
  // translator stays free of everything but the standard library.
  std::function<std::string(const std::string&, const std::vector<std::string>&)> suggest;
  // Every conditional block through the general compiler of the condition tree, none through
  // the shapes that give common configs a shorter output: the tests prove both alike.
  bool general_only = false;
};

Translation translate(const LighttpdConfig& cfg, const TranslateOptions& opts = {});

}  // namespace cutover::migrate
