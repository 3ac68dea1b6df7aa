#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

// expire.url / expire.mimetypes as [["prefix", "spec"], ...] (reported here); "" when not a
// list of pairs.
std::string Translator::expire_list(const Setting& s, const std::string& where_to) {
  std::string out;
  bool modification = false;
  for (auto& it : s.value.items) {
    if (!it.first) {
      add(s.pos, Verdict::untranslated, s.key, "expected \"prefix\" => \"access plus 1 hours\" pairs");
      return "";
    }
    modification = modification || it.second.str.rfind("modification", 0) == 0;
    out += std::string(out.empty() ? "" : ", ") + "[" + tq(*it.first) + ", " + tq(it.second.str) + "]";
  }
  std::string what = std::string(s.key == "expire.url" ? "server.expire_urls" : "server.expire_mimetypes") + where_to +
                     ": 200/204/206 answers to GET and HEAD without a Cache-Control get max-age (HTTP/1.1) or Expires (HTTP/1.0), as mod_expire";
  if (modification)
    add(s.pos, Verdict::caveat, s.key, what + "; a modification-based entry counts from a static file's mtime: a backend's answer gets "
                                             "nothing (lighttpd looks for a file at the path under the docroot)");
  else
    add(s.pos, Verdict::exact, s.key, what);
  return "[" + out + "]";
}

// The static options in effect in block `b` (its own keys over the global ones).
std::string Translator::static_options(const Block* b) {
  const Block& g = c_.blocks[0];
  auto find = [&](const char* k) -> const Setting* {
    if (b)
      if (const Setting* s = b->find(k)) return s;
    return g.find(k);
  };
  std::string opts;
  if (const Setting* i = find("index-file.names"); i && loaded("mod_indexfile")) opts += ", index = " + tlist(strings_of(i->value));
  std::vector<std::string> ex;
  if (const Setting* e = find("static-file.exclude-extensions")) ex = strings_of(e->value);
  if (const Setting* d = find("url.access-deny"); d && loaded("mod_access"))
    for (auto& x : strings_of(d->value)) ex.push_back(x);
  if (!ex.empty()) opts += ", exclude_extensions = " + tlist(ex);
  bool on = false;
  const Setting* dl = find("dir-listing.activate");
  if (!dl) dl = find("server.dir-listing");
  if (dl && parse_bool(dl->value, on) && on) opts += ", listing = true";
  bool follow = true;
  if (const Setting* f = find("server.follow-symlink")) parse_bool(f->value, follow);
  if (follow) opts += ", follow_symlinks = true";
  bool no_pathinfo = false;
  if (const Setting* f = find("static-file.disable-pathinfo")) parse_bool(f->value, no_pathinfo);
  if (!no_pathinfo) opts += ", pathinfo = true";
  bool ranges = true;
  if (const Setting* rr = find("server.range-requests")) parse_bool(rr->value, ranges);
  if (!ranges) opts += ", ranges = false";
  opts += ", lighttpd_methods = true";  // POST serves the file, OPTIONS 200, others 501
  if (const Setting* m = find("mimetype.assign")) {
    std::string t = mime_table(m->value);
    if (!t.empty()) opts += ", mime_assign = " + t;
  }
  return opts;
}

// mimetype.assign as static.mime_assign's ordered [suffix, type] pairs ("": not a table).
std::string Translator::mime_table(const Value& v) {
  if (v.kind != Value::Kind::array || v.items.empty()) return "";
  std::string t = "[";
  for (auto& it : v.items) {
    if (!it.first || it.second.kind != Value::Kind::string) return "";
    t += (t.size() > 1 ? ", [" : "[") + tq(*it.first) + ", " + tq(it.second.str) + "]";
  }
  return t + "]";
}

bool Translator::static_key(const std::string& k) {
  return k == "server.document-root" || k == "server.follow-symlink" || k == "dir-listing.activate" || k == "server.dir-listing" ||
         k == "index-file.names" || k == "static-file.exclude-extensions" || k == "static-file.disable-pathinfo" ||
         k == "mimetype.assign" || k == "server.range-requests";
}

// Only this block (besides the global one) sets static options: its static route holds its
// options over the global ones exactly (two such blocks would merge per key in lighttpd).
bool Translator::sole_static_block(size_t bi) const {
  for (size_t o = 1; o < c_.blocks.size(); ++o)
    if (o != bi)
      for (auto& st : c_.blocks[o].settings)
        if (static_key(st.key)) return false;
  return c_.blocks[0].find("server.document-root") != nullptr;
}

void Translator::block_static(const Block& b, const std::string& match, const std::string& cond) {
  const Setting* root = c_.blocks[0].find("server.document-root");
  std::string r = "[[routes]]  # " + where(block_pos(b)) + " " + cond + " static files\nname = \"docroot_" + std::to_string(++route_seq_) +
                  "\"\nmatch = { prefix = \"/\", " + match + " }\nstatic = { root = " + tq(root->value.str) + static_options(&b) + " }\n";
  d_.routes.push_back({r, where(root->pos), 39 - extra_depth_});
}

// A host block's own static files: a static route for its Host with its document root and
// options (lighttpd's vhost by conditional), ahead of the global docroot route.
void Translator::host_static(const Block& b, const std::string& hc, const std::string& cond) {
  bool any = false;
  for (auto& st : b.settings) any = any || static_key(st.key);
  if (!any) return;
  const Setting* root = b.find("server.document-root");
  if (!root) root = c_.blocks[0].find("server.document-root");
  for (auto& st : b.settings)
    if (root && st.key == "mimetype.assign")
      add(st.pos, Verdict::caveat, st.key,
          "the static route of " + cond + " uses this table; lighttpd's stat cache keeps a file's type from the first request "
          "that asked for it, so lighttpd itself sends this block's type only while the file is not cached from another block");
    else if (static_key(st.key))
      add(st.pos, root ? Verdict::exact : Verdict::untranslated, st.key,
          root ? "the static route of " + cond + " (its Host's files, with this block's options over the global ones)"
               : "inside " + cond + ": no document root to serve from");
  if (!root) return;
  std::string r = "[[routes]]  # " + where(root->pos) + " " + cond + " static files\nname = \"docroot_" + std::to_string(++route_seq_) +
                  "\"\nmatch = { prefix = \"/\", " + hc + " }\nstatic = { root = " + tq(root->value.str) + static_options(&b) + " }\n";
  d_.routes.push_back({r, where(root->pos), 39});
}

void Translator::finish_static(const Block& g) {
  std::string opts = static_options(nullptr);
  for (auto& r : d_.routes) {
    size_t p = r.text.find("STATIC_OPTIONS");
    if (p != std::string::npos) r.text.replace(p, 14, opts);
  }
  if (const Setting* root = g.find("server.document-root")) {
    std::string r = "[[routes]]  # " + where(root->pos) + " server.document-root\nname = \"docroot\"\nmatch = { prefix = \"/\" }\nstatic = { root = " +
                    tq(root->value.str) + opts + " }\n";
    d_.routes.push_back({r, where(root->pos), 40});
    add(root->pos, Verdict::caveat, "static files",
        std::string("served from the docroot; dotfiles are hidden (lighttpd serves them: set static.dotfiles = true)") +
            (g.find("mimetype.assign") ? ""
                                       : "; no mimetype.assign: lighttpd sends every file as application/octet-stream, cutover "
                                         "names types from server.mime_types (/etc/mime.types)"));
  }
}

}  // namespace cutover::migrate::tr
