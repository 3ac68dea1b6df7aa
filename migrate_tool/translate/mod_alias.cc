#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

// alias.url: static routes with alias, in list order. In a block (`b`, its `match`): the
// block's routes go ahead of the outer ones, which step aside where it matches (the caller
// registers that), with the block's static options.
void Translator::aliases(const Setting& s, const Block* b, const std::string& match) {
  for (auto& it : s.value.items) {
    if (!it.first) continue;
    std::string r = "[[routes]]  # " + where(s.pos) + " alias.url\nname = \"alias_" + slug(*it.first) +
                    (b ? "_" + std::to_string(++route_seq_) : "") + "\"\nmatch = { prefix = " + tq(*it.first) +
                    (match.empty() ? "" : ", " + match) + " }\nstatic = { alias = " + tq(it.second.str) +
                    (b ? static_options(b) : "STATIC_OPTIONS") + " }\n";
    if (b) d_.routes.push_back({r, where(s.pos), 30 - 1 - extra_depth_, "", s.key, cur_block_});
    else d_.routes.push_back({r, where(s.pos), 30, s.key, s.key, -1});
  }
  add(s.pos, Verdict::exact, s.key,
      std::string("static routes with alias, first match in list order (prefix without segment boundary, as lighttpd)") +
          (b ? "; for the requests its block matches, ahead of the outer ones, which step aside there" : ""));
}

}  // namespace cutover::migrate::tr
