#include "migrate_tool/translate.h"

#include <algorithm>
#include <sstream>

#include "migrate_tool/translate/translator.h"

namespace cutover::migrate {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::exact: return "exact";
    case Verdict::caveat: return "caveat";
    case Verdict::untranslated: return "not translated";
  }
  return "?";
}

bool Translation::exact() const {
  return std::all_of(report.begin(), report.end(), [](const ReportLine& l) { return l.verdict == Verdict::exact; });
}

bool Translation::complete() const {
  return std::none_of(report.begin(), report.end(), [](const ReportLine& l) { return l.verdict == Verdict::untranslated; });
}

int Translation::exit_code(bool strict, bool allow_partial) const {
  if (strict) return exact() ? 0 : 1;
  return complete() || allow_partial ? 0 : 3;  // 3: partial (2 is a usage error)
}

std::string Translation::report_text() const {
  std::ostringstream o;
  size_t n[3] = {};
  for (auto& l : report) {
    ++n[int(l.verdict)];
    o << l.pos.file << ":" << l.pos.line << ": " << verdict_name(l.verdict) << ": " << l.directive << ": " << l.text << "\n";
  }
  o << n[0] << " exact, " << n[1] << " with a caveat, " << n[2] << " not translated\n";
  return o.str();
}

Translation translate(const LighttpdConfig& cfg, const TranslateOptions& opts) { return tr::Translator(cfg).run(opts); }

}  // namespace cutover::migrate
