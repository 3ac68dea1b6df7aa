#include "migrate_cli.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <vector>
#include <fstream>
#include <iostream>

#include "config/config.h"
#include "config/nearest.h"
#include "migrate_tool/lighttpd_config.h"
#include "migrate_tool/translate.h"

namespace cutover {
namespace {

// A load error of the translation, "(translation):L:C: what", said where it came from: the
// lighttpd file:line that the table or key at line L names in its "# file:line" comment.
std::string lighttpd_origin(const std::string& toml, const std::string& error) {
  const std::string tag = "(translation):";
  if (error.rfind(tag, 0) != 0) return error;
  size_t colon = error.find(':', tag.size());
  int line = std::atoi(error.c_str() + tag.size());
  size_t msg = error.find(": ", colon == std::string::npos ? tag.size() : colon);
  std::string what = msg == std::string::npos ? error : error.substr(msg + 2);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = toml.find('\n', start)) != std::string::npos; start = nl + 1) lines.push_back(toml.substr(start, nl - start));
  for (int i = std::min<int>(line, int(lines.size())) - 1; i >= 0; --i) {
    size_t hash = lines[size_t(i)].find("  # ");
    if (hash == std::string::npos) continue;
    std::string origin = lines[size_t(i)].substr(hash + 4);
    origin = origin.substr(0, origin.find(' '));
    size_t c = origin.rfind(':');
    if (c != std::string::npos && c + 1 < origin.size() && std::isdigit(static_cast<unsigned char>(origin[c + 1])))
      return origin + ": " + what;
  }
  return error;
}

}  // namespace

int run_migrate(const MigrateOptions& o) {
  migrate::ParseOptions po;
  po.allow_shell = o.allow_shell;
  char cwd[4096];
  po.cwd = ::getcwd(cwd, sizeof cwd) ? cwd : ".";
  po.getenv = [](const std::string& n) -> std::optional<std::string> {
    const char* v = std::getenv(n.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
  migrate::LighttpdConfig parsed;
  try {
    parsed = migrate::parse_lighttpd_file(o.input, po);
  } catch (const migrate::ParseError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  migrate::TranslateOptions to;
  to.source_name = o.input;
  to.suggest = nearest_name;
  to.general_only = o.general;
  migrate::Translation t = migrate::translate(parsed, to);
  if (!t.refusal.empty()) {
    if (!o.quiet) std::cerr << t.report_text();
    std::cerr << "cutover migrate: refused, nothing written: " << t.refusal << "\n";
    return 1;
  }
  // The translation must load exactly as `cutover check` loads it.
  try {
    load_config_text(t.toml, "(translation)");  // its errors are then said at the lighttpd line
  } catch (const ConfigError& e) {
    if (!o.quiet) std::cerr << t.report_text();
    std::cerr << "cutover migrate: refused, nothing written: " << lighttpd_origin(t.toml, e.what())
              << " (lighttpd would not start with it either, or cutover cannot say it)\n";
    return 1;
  }
  if (o.output.empty()) {
    std::cout << t.toml;
  } else {
    std::ofstream f(o.output, std::ios::binary | std::ios::trunc);
    if (!(f << t.toml)) {
      std::cerr << "cutover migrate: cannot write " << o.output << "\n";
      return 1;
    }
  }
  if (!o.quiet) std::cerr << t.report_text();
  if (o.explain) {
    std::cerr << "\nwhere each piece came from:\n";
    for (auto& l : t.explain) std::cerr << "  " << l << "\n";
  }
  int code = t.exit_code(o.strict, o.allow_partial);
  if (code == 1) std::cerr << "cutover migrate: --strict: the translation is not exact\n";
  if (code == 3)
    std::cerr << "cutover migrate: partial: the directives above marked \"not translated\" are not in effect, and the paths they "
                 "governed are denied (403); exit 3 (--allow-partial: 0)\n";
  return code;
}

}  // namespace cutover
