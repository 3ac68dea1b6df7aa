#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

// mod_status: status.status-url / config-url / statistics-url, each the value of its last
// matching block: a route that answers that exact path with cutover's page, ahead of the
// others (lighttpd answers them before any handler).
void Translator::compile_status_pages() {
  for (const char* key : {"status.status-url", "status.config-url", "status.statistics-url", "status.enable-sort"}) {
    std::vector<Ctx> ctxs = contexts(key);
    std::vector<Choice> cs = choices(ctxs);
    for (const Choice& c : cs) {
      if (!c.ctx) continue;
      const Setting& st = *c.ctx->s;
      if (std::string(key) == "status.enable-sort") {
        add(st.pos, Verdict::exact, key, "the status page's tables are not sortable: presentation only");
        continue;
      }
      if (!loaded("mod_status")) {
        add(st.pos, Verdict::exact, key, "mod_status is not loaded: no effect, as in lighttpd");
        continue;
      }
      if (std::string(key) == "status.statistics-url") {
        add(st.pos, Verdict::untranslated, key, "lighttpd's module counters have no cutover equivalent");
        continue;
      }
      if (st.value.str.empty()) continue;
      std::optional<std::string> m = choices_match({&c}, "regex = " + tq("^" + regex_escape(st.value.str) + "$"));
      if (!m) {
        add(st.pos, Verdict::untranslated, key, "a condition of its block cannot be said in cutover's match");
        continue;
      }
      if (*m == "never") continue;
      std::string page = std::string(key) == "status.config-url" ? "config" : "status";
      std::string r = "[[routes]]  # " + where(st.pos) + " " + key + "\nname = \"status_" + std::to_string(++route_seq_) +
                      "\"\nmatch = { " + *m + " }\nstatus_page = \"" + page + "\"\n";
      d_.routes.push_back({r, where(st.pos), -1000, "", key, int(c.ctx->block)});
      add(st.pos, Verdict::caveat, key,
          "a route answering cutover's " + page + " page on that path" +
              (page == "status" ? " (HTML; ?auto and ?json with lighttpd's names: Total Accesses, Uptime, BusyServers, IdleServers; no Total kBytes)"
                                : " (the configuration in effect, as `cutover check` prints it)") +
              ": the same URL and the same use, not lighttpd's page");
    }
  }
}

}  // namespace cutover::migrate::tr
