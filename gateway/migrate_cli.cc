#include "migrate_cli.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "config/config.h"
#include "migrate_tool/lighttpd_config.h"
#include "migrate_tool/translate.h"

namespace cutover {

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
  migrate::Translation t = migrate::translate(parsed, to);
  // The translation must load exactly as `cutover check` loads it.
  try {
    load_config_text(t.toml, o.output.empty() ? "(translation)" : o.output);
  } catch (const ConfigError& e) {
    std::cerr << "cutover migrate: the translation does not pass `cutover check`: " << e.what() << "\n";
    std::cerr << t.toml;
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
