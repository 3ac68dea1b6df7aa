// [[routes]]: match, when, limits, static files, rollout and compare.
#include "config/load_parts.h"

namespace cutover::config_load {

size_t pool_index_of(Reader& r, const toml::node& n, const std::string& key, const std::string& name, const Config& c) {
  for (size_t i = 0; i < c.pools.size(); ++i)
    if (c.pools[i].name == name) return i;
  std::string names;
  for (auto& p : c.pools) names += (names.empty() ? "" : ", ") + p.name;
  r.fail(n, key + ": unknown pool \"" + name + "\" (defined pools: " + (names.empty() ? "none" : names) + ")");
}

void parse_rollout(Reader& pr, const toml::table& t, RouteSpec& rt, const Config& c) {
  Reader r(pr.file(), t, "routes." + rt.name + ".rollout");
  RolloutSpec ro;
  if (rt.action != RouteSpec::Action::forward) r.fail_here("rollout: only for a route that forwards to a pool");
  auto to = r.str("to");
  if (!to) r.fail_here("rollout.to is required: the pool the route moves to");
  ro.to = *to;
  ro.to_index = pool_index_of(r, *r.get("to"), "rollout.to", *to, c);
  if (ro.to_index == rt.pool_index) r.fail(*r.get("to"), "rollout.to: the route already forwards to \"" + *to + "\"");
  if (const toml::node* steps = r.get("steps")) {
    ro.steps.clear();
    if (!steps->is_array()) r.fail(*steps, "rollout.steps: expected a list of percentages, e.g. [1, 10, 50]");
    double last = 0;
    for (const toml::node& e : *steps->as_array()) {
      double v = e.is_integer() ? double(e.as_integer()->get()) : e.is_floating_point() ? e.as_floating_point()->get() : -1;
      if (v <= last || v >= 100) r.fail(e, "rollout.steps: expected ascending percentages above 0 and below 100");
      ro.steps.push_back(v);
      last = v;
    }
  }
  if (auto v = r.str("stage")) {
    auto st = stage::parse_stage(*v);
    if (!st) r.fail(*r.get("stage"), "rollout.stage: expected \"legacy\", \"shadow\", \"canary\" or \"new\"");
    ro.initial.stage = *st;
    if (*st == stage::Stage::new_) ro.initial.share_bp = stage::kBuckets;
  }
  if (const toml::node* pct = r.get("percent")) {
    double v = pct->is_integer() ? double(pct->as_integer()->get()) : pct->is_floating_point() ? pct->as_floating_point()->get() : -1;
    if (v <= 0 || v >= 100) r.fail(*pct, "rollout.percent: expected a percentage above 0 and below 100");
    if (ro.initial.stage != stage::Stage::canary) r.fail(*pct, "rollout.percent: only with stage = \"canary\"");
    ro.initial.share_bp = stage::percent_to_bp(v);
  } else if (ro.initial.stage == stage::Stage::canary) {
    ro.initial.share_bp = stage::percent_to_bp(ro.steps.empty() ? 10 : ro.steps.front());
  }
  if (const toml::table* split = r.table("split")) {
    // split = { legacy = 90, warp = 10 }: the same as stage = "canary", percent = 10.
    if (r.get("stage") || r.get("percent")) r.fail(*r.get("split"), "rollout.split: give either split or stage/percent");
    int64_t old_w = -1, new_w = -1;
    for (auto&& [k, v] : *split) {
      if (!v.is_integer() || v.as_integer()->get() < 0) r.fail(v, "rollout.split: expected weights such as { " + rt.pool + " = 90, " + ro.to + " = 10 }");
      std::string pool(k.str());
      if (pool == rt.pool) old_w = v.as_integer()->get();
      else if (pool == ro.to) new_w = v.as_integer()->get();
      else r.fail(v, "rollout.split: \"" + pool + "\" is neither the route's pool (\"" + rt.pool + "\") nor rollout.to (\"" + ro.to + "\")");
    }
    if (old_w < 0 || new_w < 0 || old_w + new_w == 0)
      r.fail(*r.get("split"), "rollout.split: expected a weight for both \"" + rt.pool + "\" and \"" + ro.to + "\"");
    uint32_t bp = uint32_t((new_w * int64_t(stage::kBuckets) + (old_w + new_w) / 2) / (old_w + new_w));
    if (bp == 0) ro.initial = {stage::Stage::legacy, 0};
    else if (bp >= stage::kBuckets) ro.initial = {stage::Stage::new_, stage::kBuckets};
    else ro.initial = {stage::Stage::canary, bp};
  }
  if (auto v = r.str("sticky")) {
    if (*v == "cookie") ro.sticky = RolloutSpec::Sticky::cookie;
    else if (*v == "ip") ro.sticky = RolloutSpec::Sticky::ip;
    else if (v->rfind("header:", 0) == 0 && v->size() > 7) ro.sticky = RolloutSpec::Sticky::header, ro.sticky_header = v->substr(7);
    else r.fail(*r.get("sticky"), "rollout.sticky: expected \"cookie\", \"ip\" or \"header:NAME\"");
  }
  ro.cookie_name = "cutover_" + rt.name;
  if (auto v = r.str("cookie")) ro.cookie_name = *v;
  if (auto v = r.str("secret")) {
    if (v->size() < 16) r.fail(*r.get("secret"), "rollout.secret: use at least 16 characters");
    stage::key_from_secret(*v, ro.cookie_key);
    ro.secret_set = true;
  } else {
    // Stable across reloads and instances, but guessable: set `secret` so users cannot
    // forge a cookie that picks their side.
    stage::key_from_secret("cutover-default-key:" + rt.name, ro.cookie_key);
  }
  if (auto v = r.str("path")) {
    if (*v == "rewritten") ro.path = RolloutSpec::PathShape::rewritten;
    else if (*v == "stripped") ro.path = RolloutSpec::PathShape::stripped;
    else if (*v == "original") ro.path = RolloutSpec::PathShape::original;
    else r.fail(*r.get("path"), "rollout.path: expected \"rewritten\", \"stripped\" or \"original\"");
  }
  ro.strip_prefix = rt.fastcgi.key.empty() || rt.fastcgi.key.front() != '/' ? rt.prefix : rt.fastcgi.key;
  if (auto v = r.str("strip_prefix")) ro.strip_prefix = *v;
  while (!ro.strip_prefix.empty() && ro.strip_prefix.back() == '/') ro.strip_prefix.pop_back();
  auto flag = [&](Reader& rr, const char* k, bool& out) {
    if (const toml::node* n = rr.get(k)) {
      if (!n->is_boolean()) rr.fail(*n, std::string(k) + ": expected true or false");
      out = n->as_boolean()->get();
    }
  };
  if (const toml::table* cmp = r.table("compare")) {
    Reader cr(r.file(), *cmp, "routes." + rt.name + ".rollout.compare");
    flag(cr, "enabled", ro.compare);
    flag(cr, "always", ro.compare_always);
    if (auto v = cr.str("body")) {
      if (*v == "auto") ro.compare_spec.mode = stage::BodyMode::auto_;
      else if (*v == "exact") ro.compare_spec.mode = stage::BodyMode::exact;
      else if (*v == "json") ro.compare_spec.mode = stage::BodyMode::json;
      else if (*v == "text") ro.compare_spec.mode = stage::BodyMode::text;
      else cr.fail(*cr.get("body"), "compare.body: expected \"auto\", \"exact\", \"json\" or \"text\"");
    }
    flag(cr, "headers", ro.compare_spec.compare_headers);
    for (auto& [h, n] : cr.str_list("ignore_headers")) {
      std::string l = h;
      std::transform(l.begin(), l.end(), l.begin(), ::tolower);
      ro.compare_spec.ignore_headers.push_back(l);
    }
    for (auto& [p, n] : cr.str_list("ignore_paths")) {
      if (!p.empty() && p.front() != '/') cr.fail(*n, "compare.ignore_paths: expected JSON pointers such as \"/meta/time\"");
      ro.compare_spec.ignore_paths.push_back(p);
    }
    if (const toml::node* norm = cr.get("normalize")) {
      if (!norm->is_array()) cr.fail(*norm, "compare.normalize: expected a list of names (\"uuid\", \"iso-time\", \"epoch\", \"hex-id\") or [regex, replacement] pairs");
      for (const toml::node& e : *norm->as_array()) {
        stage::Normalizer nz;
        if (e.is_string()) {
          if (!stage::builtin_normalizer(e.as_string()->get(), nz))
            cr.fail(e, "compare.normalize: unknown normalizer \"" + e.as_string()->get() + "\" (built in: uuid, iso-time, epoch, hex-id)");
        } else if (e.is_array() && e.as_array()->size() == 2 && (*e.as_array())[0].is_string() && (*e.as_array())[1].is_string()) {
          nz.pattern = compile_regex(cr, (*e.as_array())[0].as_string()->get(), (*e.as_array())[0]);
          nz.replacement = (*e.as_array())[1].as_string()->get();
        } else {
          cr.fail(e, "compare.normalize: expected a name or [\"regex\", \"replacement\"]");
        }
        ro.compare_spec.normalizers.push_back(std::move(nz));
      }
    }
    flag(cr, "collapse_whitespace", ro.compare_spec.collapse_whitespace);
    if (auto v = cr.integer("concurrency", 1, 10000)) ro.compare_concurrency = uint32_t(*v);
    if (auto v = cr.integer("max_rate", 0, 10000000)) ro.compare_max_rate = uint32_t(*v);
    if (auto v = cr.integer("queue", 0, 100000)) ro.compare_queue = uint32_t(*v);
    cr.size("max_body", ro.compare_max_body);
    if (cr.get("methods")) {
      ro.compare_methods.clear();
      for (auto& [m, n] : cr.str_list("methods")) ro.compare_methods.push_back(m);
    }
    if (auto v = cr.str("secondary")) {
      ro.secondary = *v;
      ro.secondary_index = pool_index_of(cr, *cr.get("secondary"), "compare.secondary", *v, c);
    }
    if (auto v = cr.integer("samples", 0, 10000)) ro.samples = size_t(*v);
    cr.finish();
  }
  if (const toml::table* g = r.table("guards")) {
    Reader gr(r.file(), *g, "routes." + rt.name + ".rollout.guards");
    ro.guarded = true;
    if (auto v = gr.str("on_trip")) {
      if (*v != "safe" && *v != "step") gr.fail(*gr.get("on_trip"), "guards.on_trip: expected \"safe\" (the default) or \"step\"");
      ro.trip_steps = *v == "step";
    }
    if (auto v = gr.integer("max_consecutive_errors", 0, 1000000)) ro.max_consecutive_errors = uint32_t(*v);
    auto rate = [&](const char* k, double& out, double hi) {
      if (const toml::node* n = gr.get(k)) {
        double v = n->is_floating_point() ? n->as_floating_point()->get() : n->is_integer() ? double(n->as_integer()->get()) : -1;
        if (v < 0 || v > hi) gr.fail(*n, std::string("guards.") + k + ": expected a number from 0 to " + std::to_string(int(hi)));
        out = v;
      }
    };
    rate("max_error_rate", ro.max_error_rate, 1);
    rate("max_p99_ratio", ro.max_p99_ratio, 1000);
    rate("max_diff_rate", ro.max_diff_rate, 1);
    gr.duration("window", ro.window);
    if (auto v = gr.integer("min_requests", 1, 1000000)) ro.min_requests = uint64_t(*v);
    flag(gr, "auto_promote", ro.auto_promote);
    gr.finish();
  }
  r.finish();
  rt.rollout = std::move(ro);
}

void parse_static(Reader& sr, RouteSpec& rt, const Config& c) {
  StaticSpec& s = rt.static_files;
  auto root = sr.str("root");
  auto alias = sr.str("alias");
  if (root && alias) sr.fail(*sr.get("alias"), "static: give either root (file = root + path) or alias (file = alias + path after the prefix), not both");
  if (!root && !alias) sr.fail_here("static: root or alias is required");
  s.root = root ? *root : *alias;
  s.alias = bool(alias);
  s.root_at = where(sr.file(), sr.get(root ? "root" : "alias")->source());
  while (s.root.size() > 1 && s.root.back() == '/') s.root.pop_back();
  if (s.alias) {
    if (rt.prefix.empty()) sr.fail(*sr.get("alias"), "static.alias needs the route to match a prefix (it is what the alias replaces)");
    s.alias_prefix = rt.prefix;
  }
  for (auto& [f, node] : sr.str_list("index")) {
    if (f.empty() || f.find('/') != std::string::npos) sr.fail(*node, "static.index: expected file names such as \"index.html\"");
    s.index_files.push_back(f);
  }
  if (const toml::node* n = sr.get("listing")) {
    if (n->is_boolean()) s.listing = n->as_boolean()->get();
    else if (n->is_string() && n->as_string()->get() == "json") s.listing = s.listing_json = true;
    else sr.fail(*n, "static.listing: expected true, false or \"json\" (HTML, and JSON on ?format=json)");
  }
  if (auto v = sr.boolean("follow_symlinks")) s.follow_symlinks = *v;
  if (auto v = sr.boolean("dotfiles")) s.dotfiles = *v;
  if (auto v = sr.boolean("pathinfo")) s.pathinfo = *v;
  if (auto v = sr.boolean("precompressed")) s.precompressed = *v;
  if (auto v = sr.boolean("etag")) s.etag = *v;
  if (auto v = sr.boolean("ranges")) s.ranges = *v;
  if (auto v = sr.boolean("lighttpd_methods")) s.lighttpd_methods = *v;
  for (auto& [e, node] : sr.str_list("exclude_extensions")) {
    std::string ext = e;  // a suffix, as lighttpd's (".php", "~", ".inc")
    if (ext.empty()) sr.fail(*node, "static.exclude_extensions: empty suffix");
    for (char& ch : ext) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    s.exclude_extensions.push_back(ext);
  }
  if (auto v = sr.str("cache_control")) s.cache_control = *v;
  if (sr.get("expires")) {
    Duration d{0};
    sr.duration("expires", d);
    s.expires = d;
  }
  auto mime = std::make_shared<statics::MimeTable>();
  if (!c.server.mime_types.empty() && !mime->load(c.server.mime_types) && c.server.mime_types != "/etc/mime.types")
    sr.fail_here("server.mime_types: cannot read " + c.server.mime_types);
  if (const toml::table* m = sr.table("mime")) {
    for (auto&& [k, v] : *m) {
      if (!v.is_string()) sr.fail(v, "static.mime." + std::string(k.str()) + ": expected a content type string");
      mime->set(k.str(), v.as_string()->get());
    }
  }
  if (const toml::node* n = sr.get("mime_assign")) {
    // lighttpd's mimetype.assign: ordered pairs, since the order decides which suffix wins
    const char* shape = "static.mime_assign: expected a list of [suffix, type] pairs, e.g. [[\".html\", \"text/html\"]]";
    if (!n->is_array()) sr.fail(*n, shape);
    std::vector<std::pair<std::string, std::string>> table;
    for (const toml::node& e : *n->as_array()) {
      const toml::array* p = e.as_array();
      if (!p || p->size() != 2 || !(*p)[0].is_string() || !(*p)[1].is_string()) sr.fail(e, shape);
      table.emplace_back((*p)[0].as_string()->get(), (*p)[1].as_string()->get());
    }
    if (sr.get("mime")) sr.fail(*sr.get("mime"), "static.mime and static.mime_assign: give one (mime_assign is the whole table)");
    mime->assign_lighttpd(std::move(table));
  }
  s.mime = std::move(mime);
  sr.finish();
}

void parse_match(Reader& r, const toml::table& m, const std::string& ctx, RouteSpec& rt);


void parse_route_limits(Reader& r, RouteSpec& rt, const ServerSpec& s) {
  RouteSpec::Limits& l = rt.limits;
  if (const toml::node* n = r.get("max_header_bytes")) {
    uint64_t v = 0;
    r.size("max_header_bytes", v);
    if (v < 1024 || v > s.max_header_bytes)
      r.fail(*n, "max_header_bytes: expected 1KiB up to the server's max_header_bytes (" + std::to_string(s.max_header_bytes) +
                     "): the head is read before the route is known");
    l.max_header_bytes = size_t(v);
  }
  if (auto v = r.integer("max_header_count", 1, int64_t(s.max_header_count))) l.max_header_count = size_t(*v);
  auto duration = [&](const char* key, std::optional<Duration>& out) {
    if (!r.get(key)) return;
    Duration d{0};
    r.duration(key, d);
    out = d;
  };
  if (r.get("max_body_bytes")) {
    uint64_t v = 0;
    r.size("max_body_bytes", v);
    l.max_body_bytes = v;
  }
  duration("body_timeout", l.body_timeout);
  duration("send_timeout", l.send_timeout);
  duration("keepalive_timeout", l.keepalive_timeout);
  for (const char* key : {"connect_timeout", "first_byte_timeout", "read_timeout", "write_timeout"}) {
    const toml::node* n = r.get(key);
    if (n && rt.action != RouteSpec::Action::forward)
      r.fail(*n, std::string(key) + ": only for a route that forwards to a pool (it overrides the pool's)");
  }
  duration("connect_timeout", l.connect_timeout);
  duration("first_byte_timeout", l.first_byte_timeout);
  duration("read_timeout", l.read_timeout);
  duration("write_timeout", l.write_timeout);
}

// "10.0.0.0/8", "::1", "2001:db8::/32": lighttpd's remoteip == / != operand.
FieldCondition::Cidr parse_cidr(Reader& r, const std::string& text, const toml::node& at) {
  FieldCondition::Cidr c;
  size_t slash = text.find('/');
  std::string ip = text.substr(0, slash);
  in_addr v4;
  bool is4 = inet_pton(AF_INET, ip.c_str(), &v4) == 1;
  if (is4) {
    c.addr[10] = c.addr[11] = 0xff;
    std::memcpy(c.addr + 12, &v4, 4);
  } else if (inet_pton(AF_INET6, ip.c_str(), c.addr) != 1) {
    r.fail(at, "client_ip: \"" + text + "\" is not an address or a CIDR block (\"10.0.0.0/8\", \"::1\")");
  }
  int max = is4 ? 32 : 128;
  int bits = max;
  if (slash != std::string::npos) {
    std::string b = text.substr(slash + 1);
    if (b.empty() || b.size() > 3 || b.find_first_not_of("0123456789") != std::string::npos || std::stoi(b) > max)
      r.fail(at, "client_ip: \"" + text + "\": the prefix length must be 0 to " + std::to_string(max));
    bits = std::stoi(b);
  }
  c.bits = is4 ? 96 + bits : bits;
  return c;
}

// match.when / unless.when: [{ header = "User-Agent", regex = "bot" }, { query = "re" },
// { method = "re" }, { client_ip = ["10.0.0.0/8"] }, { client_ip_regex = "re" },
// { host_regex = "re" } (the Host lowercased, port included)], each with an optional
// negate = true.
std::vector<FieldCondition> parse_when(Reader& r, const toml::node& n, const std::string& ctx) {
  std::vector<FieldCondition> out;
  const char* shape = ": expected a list of { header = \"Name\", regex = \"re\" }, { query = \"re\" }, { method = \"re\" }, "
                      "{ client_ip = [\"CIDR\"] }, { client_ip_regex = \"re\" } or { host_regex = \"re\" } (each may add negate = true)";
  if (!n.is_array()) r.fail(n, ctx + shape);
  for (const toml::node& e : *n.as_array()) {
    if (!e.is_table()) r.fail(e, ctx + shape);
    Reader cr(r.file(), *e.as_table(), ctx);
    FieldCondition c;
    int kinds = 0;
    if (auto h = cr.str("header")) {
      ++kinds;
      c.source = FieldCondition::Source::header;
      c.header = *h;
      auto re = cr.str("regex");
      if (!re) cr.fail_here(ctx + ": a header condition needs regex");
      c.regex = compile_regex(cr, *re, *cr.get("regex"));
    }
    for (auto [key, src] : {std::pair{"query", FieldCondition::Source::query}, std::pair{"method", FieldCondition::Source::method},
                            std::pair{"client_ip_regex", FieldCondition::Source::client_ip},
                            std::pair{"host_regex", FieldCondition::Source::host}})
      if (auto v = cr.str(key)) {
        ++kinds;
        c.source = src;
        c.regex = compile_regex(cr, *v, *cr.get(key));
      }
    if (cr.get("client_ip")) {
      ++kinds;
      c.source = FieldCondition::Source::client_ip;
      for (auto& [text, node] : cr.str_list("client_ip")) c.cidrs.push_back(parse_cidr(cr, text, *node));
      if (c.cidrs.empty()) cr.fail(*cr.get("client_ip"), ctx + ": client_ip: give at least one address or block");
    }
    if (kinds != 1) cr.fail_here(ctx + shape);
    if (auto neg = cr.boolean("negate")) c.negate = *neg;
    cr.finish();
    out.push_back(std::move(c));
  }
  return out;
}

// A route's conditions (match.*), also used by [[headers]] rules.
void parse_match(Reader& r, const toml::table& m, const std::string& ctx, RouteSpec& rt) {
    Reader mr(r.file(), m, ctx);
    if (auto v = mr.str("prefix")) {
      if (v->empty() || v->front() != '/') mr.fail(*mr.get("prefix"), "match.prefix: expected a path starting with '/'");
      rt.prefix = *v;
    }
    if (auto v = mr.str("regex")) rt.regex = compile_regex(mr, *v, *mr.get("regex"));
    if (auto v = mr.str("target")) rt.target_regex = compile_regex(mr, *v, *mr.get("target"));
    for (auto& [h, node] : mr.str_list("host")) {
      std::string lower = h;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      rt.hosts.push_back(lower);
    }
    for (auto& [m2, node] : mr.str_list("methods")) rt.methods.push_back(m2);
    if (auto v = mr.str("host_regex")) rt.host_regex = compile_regex(mr, *v, *mr.get("host_regex"));
    for (auto& [h, node] : mr.str_list("unless_host")) rt.unless_hosts.push_back(compile_regex(mr, h, *node));
    for (auto& [h, node] : mr.str_list("unless_regex")) rt.unless_regexes.push_back(compile_regex(mr, h, *node));
    if (const toml::node* w = mr.get("when")) rt.when = parse_when(mr, *w, ctx + ".when");
    if (const toml::node* u = mr.get("unless")) {
      if (!u->is_array()) mr.fail(*u, "match.unless: expected a list of { host = \"regex\", regex = \"regex\" }");
      for (const toml::node& e : *u->as_array()) {
        if (!e.is_table()) mr.fail(e, "match.unless: expected { host = \"regex\", regex = \"regex\" }");
        Reader er(r.file(), *e.as_table(), ctx + ".unless");
        RouteSpec::Exclusion x;
        if (auto h = er.str("host")) x.host = compile_regex(er, *h, *er.get("host"));
        if (auto p = er.str("regex")) x.path = compile_regex(er, *p, *er.get("regex"));
        if (const toml::node* w = er.get("when")) x.when = parse_when(er, *w, ctx + ".unless.when");
        if (!x.host && !x.path && x.when.empty()) er.fail_here("match.unless: give host, regex, when or several");
        er.finish();
        rt.unless.push_back(std::move(x));
      }
    }
    mr.finish();
}

void parse_route(Reader& r, RouteSpec& rt, const Config& c) {
  auto name = r.str("name");
  if (!name || name->empty()) r.fail_here("routes: every route needs a \"name\"");
  rt.name = *name;
  if (const toml::table* m = r.table("match")) parse_match(r, *m, "routes." + rt.name + ".match", rt);
  // ["regex", "replacement"] pairs, for the target and for header fields.
  auto pair_of = [](Reader& rr, const toml::node& n, const std::string& what, Regex& re, Replacement& to) {
    const toml::array* a = n.as_array();
    if (!a || a->size() != 2 || !(*a)[0].is_string() || !(*a)[1].is_string())
      rr.fail(n, what + ": expected [\"regex\", \"replacement\"]");
    re = compile_regex(rr, (*a)[0].as_string()->get(), (*a)[0]);
    to = parse_replacement(rr, (*a)[1].as_string()->get(), (*a)[1]);
  };
  auto field_rewrites = [&](Reader& rr, const std::string& what, std::vector<FieldRewrite>& out) {
    const toml::table* fields = rr.table("headers");
    if (!fields) return;
    for (auto&& [k, v] : *fields) {
      std::string name(k.str());
      if (name.empty() || name.find_first_of(" :\r\n") != std::string::npos)
        throw ConfigError(where(r.file(), k.source()) + ": " + what + ".headers: \"" + name + "\" is not a header field name");
      // One ["regex", "replacement"], or a list of them: the first that matches applies.
      const toml::array* a = v.as_array();
      bool list = a && !a->empty() && (*a)[0].is_array();
      if (!list) {
        FieldRewrite fr;
        fr.name = name;
        pair_of(rr, v, what + ".headers." + name, fr.match, fr.to);
        out.push_back(std::move(fr));
        continue;
      }
      for (const toml::node& e : *a) {
        FieldRewrite fr;
        fr.name = name;
        pair_of(rr, e, what + ".headers." + name, fr.match, fr.to);
        out.push_back(std::move(fr));
      }
    }
  };
  if (const toml::table* rw = r.table("rewrite_request")) {
    Reader rr(r.file(), *rw, "routes." + rt.name + ".rewrite_request");
    if (const toml::node* uri = rr.get("uri")) {
      Regex re;
      pair_of(rr, *uri, "rewrite_request.uri", re, rt.uri_to);
      rt.uri_match = std::move(re);
    }
    field_rewrites(rr, "rewrite_request", rt.request_field_rewrites);
    // ["VARIABLE", "regex", "replacement"] entries, applied in order (a TOML table has none).
    if (const toml::node* cgi = rr.get("cgi")) {
      const toml::array* list = cgi->as_array();
      if (!list) rr.fail(*cgi, "rewrite_request.cgi: expected a list of [\"VARIABLE\", \"regex\", \"replacement\"]");
      for (const toml::node& e : *list) {
        const toml::array* a = e.as_array();
        if (!a || a->size() != 3 || !(*a)[0].is_string() || !(*a)[1].is_string() || !(*a)[2].is_string())
          rr.fail(e, "rewrite_request.cgi: expected [\"VARIABLE\", \"regex\", \"replacement\"]");
        FastcgiMountSpec::CgiRewrite rw;
        rw.var = (*a)[0].as_string()->get();
        if (rw.var != "SCRIPT_NAME" && rw.var != "PATH_INFO" && rw.var != "DOCUMENT_ROOT")
          rr.fail((*a)[0], "rewrite_request.cgi: \"" + rw.var + "\": expected SCRIPT_NAME, PATH_INFO or DOCUMENT_ROOT");
        rw.match = compile_regex(rr, (*a)[1].as_string()->get(), (*a)[1]);
        rw.to = parse_replacement(rr, (*a)[2].as_string()->get(), (*a)[2]);
        rt.fastcgi.rewrites.push_back(std::move(rw));
      }
    }
    rr.finish();
  }
  if (const toml::table* mp = r.table("map")) {
    Reader mr(r.file(), *mp, "routes." + rt.name + ".map");
    auto pairs = [&](const char* key, std::vector<std::pair<std::string, std::string>>& out) {
      const toml::node* n = mr.get(key);
      if (!n) return;
      const toml::array* a = n->as_array();
      if (!a) mr.fail(*n, std::string("map.") + key + ": expected a list of [\"from\", \"to\"]");
      for (const toml::node& e : *a) {
        const toml::array* p = e.as_array();
        if (!p || p->size() != 2 || !(*p)[0].is_string() || !(*p)[1].is_string())
          mr.fail(e, std::string("map.") + key + ": expected [\"from\", \"to\"]");
        out.emplace_back((*p)[0].as_string()->get(), (*p)[1].as_string()->get());
      }
    };
    pairs("urlpath", rt.map.urlpath);
    pairs("host_request", rt.map.host_request);
    pairs("host_response", rt.map.host_response);
    mr.finish();
  }
  if (const toml::table* rw = r.table("rewrite_response")) {
    Reader rr(r.file(), *rw, "routes." + rt.name + ".rewrite_response");
    field_rewrites(rr, "rewrite_response", rt.response_field_rewrites);
    rr.finish();
  }
  if (auto v = r.boolean("retry_non_idempotent")) rt.retry_non_idempotent = *v;
  int actions = 0;
  if (auto v = r.str("forward")) {
    ++actions;
    rt.action = RouteSpec::Action::forward;
    rt.pool = *v;
    auto it = std::find_if(c.pools.begin(), c.pools.end(), [&](const PoolSpec& p) { return p.name == *v; });
    if (it == c.pools.end()) {
      std::string names;
      for (auto& p : c.pools) names += (names.empty() ? "" : ", ") + p.name;
      r.fail(*r.get("forward"), "forward: unknown pool \"" + *v + "\" (defined pools: " + (names.empty() ? "none" : names) + ")");
    }
    rt.pool_index = size_t(it - c.pools.begin());
  }
  if (const toml::table* st = r.table("static")) {
    ++actions;
    rt.action = RouteSpec::Action::static_files;
    Reader sr(r.file(), *st, "routes." + rt.name + ".static");
    parse_static(sr, rt, c);
  }
  if (const toml::table* rd = r.table("redirect")) {
    ++actions;
    rt.action = RouteSpec::Action::redirect;
    Reader dr(r.file(), *rd, "routes." + rt.name + ".redirect");
    auto to = dr.str("to");
    if (!to) dr.fail_here("redirect.to is required");
    rt.redirect_to = parse_replacement(dr, *to, *dr.get("to"));
    if (auto code = dr.integer("code", 300, 399)) rt.redirect_code = int(*code);
    dr.finish();
  }
  if (auto v = r.str("status_page")) {
    ++actions;
    rt.action = RouteSpec::Action::status_page;
    if (*v == "status") rt.status_page = RouteSpec::StatusPage::status;
    else if (*v == "config") rt.status_page = RouteSpec::StatusPage::config;
    else r.fail(*r.get("status_page"), "status_page: expected \"status\" (counters; ?auto and ?json as lighttpd's mod_status) or \"config\"");
  }
  // Whether the route forwards to a pool of that protocol (no action yet, or an unknown
  // pool, is reported below: found by the config fuzzer, which indexed an empty list).
  auto forwards_to = [&](std::string_view protocol) {
    return actions > 0 && rt.action == RouteSpec::Action::forward && rt.pool_index < c.pools.size() &&
           c.pools[rt.pool_index].protocol == protocol;
  };
  rt.fastcgi.key = rt.prefix;
  rt.fastcgi.docroot = c.server.document_root;
  if (const toml::table* fc = r.table("fastcgi")) {
    if (!forwards_to("fastcgi"))
      r.fail(*r.get("fastcgi"), "fastcgi: only for a route that forwards to a pool with protocol = \"fastcgi\"");
    Reader fr(r.file(), *fc, "routes." + rt.name + ".fastcgi");
    if (auto v = fr.str("key")) rt.fastcgi.key = *v;
    if (auto v = fr.str("docroot")) rt.fastcgi.docroot = *v;
    if (auto v = fr.str("check_root")) rt.fastcgi.check_root = *v;
    if (auto v = fr.str("strip_request_uri")) rt.fastcgi.strip_request_uri = *v;
    auto flag = [&](const char* k, bool& out) {
      if (const toml::node* n = fr.get(k)) {
        if (!n->is_boolean()) fr.fail(*n, std::string("fastcgi.") + k + ": expected true or false");
        out = n->as_boolean()->get();
      }
    };
    flag("check_local", rt.fastcgi.check_local);
    flag("fix_root_scriptname", rt.fastcgi.fix_root_scriptname);
    flag("broken_scriptfilename", rt.fastcgi.broken_scriptfilename);
    if (const toml::table* ps = fr.table("params"))
      for (auto&& [k, v] : *ps) {
        if (!v.is_string()) fr.fail(v, "fastcgi.params: expected string values");
        rt.fastcgi.params.emplace_back(std::string(k.str()), v.as_string()->get());
      }
    fr.finish();
  }
  if (actions != 1) r.fail_here("route \"" + rt.name + "\": expected exactly one action: forward, static or redirect");
  if (!rt.map.empty() && !forwards_to("http"))
    r.fail(*r.get("map"), "map: only for a route that forwards to an HTTP pool");
  if (!rt.fastcgi.rewrites.empty() && !forwards_to("fastcgi"))
    r.fail(*r.table("rewrite_request")->get("cgi"), "rewrite_request.cgi: only for a route that forwards to a pool with protocol = \"fastcgi\"");
  if (const toml::table* ro = r.table("rollout")) parse_rollout(r, *ro, rt, c);
  parse_route_limits(r, rt, c.server);
  rt.request_headers = c.server.request_headers;
  rt.response_headers = c.server.response_headers;
  parse_header_edits(r, "request_headers", true, rt.request_headers);
  parse_header_edits(r, "response_headers", false, rt.response_headers);
  r.finish();
}

}  // namespace cutover::config_load
