#include <glob.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "migrate_tool/lexer.h"
#include "migrate_tool/lighttpd_config.h"

namespace cutover::migrate {

std::string Value::describe() const {
  switch (kind) {
    case Kind::string: return "\"" + str + "\"";
    case Kind::integer: return std::to_string(num);
    case Kind::array: {
      std::string s = "(";
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) s += ", ";
        if (items[i].first) s += "\"" + *items[i].first + "\" => ";
        s += items[i].second.describe();
      }
      return s + ")";
    }
  }
  return "";
}

const Value* Value::get(const std::string& key) const {
  for (auto& [k, v] : items)
    if (k && *k == key) return &v;
  return nullptr;
}

std::string Condition::text() const { return "$" + object + "[\"" + field + "\"] " + op + " \"" + value + "\""; }

const Setting* Block::find(const std::string& key) const {
  for (auto& s : settings)
    if (s.key == key) return &s;
  return nullptr;
}

bool parse_bool(const Value& v, bool& out) {
  if (v.kind == Value::Kind::integer) {
    out = v.num != 0;
    return true;
  }
  if (v.kind != Value::Kind::string) return false;
  std::string s = v.str;
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (s == "enable" || s == "enabled" || s == "true" || s == "1") return out = true, true;
  if (s == "disable" || s == "disabled" || s == "false" || s == "0") return out = false, true;
  return false;
}

namespace {

class Parser {
 public:
  Parser(const ParseOptions& o, std::string main_dir) : opts_(o), main_dir_(std::move(main_dir)) {
    cfg_.blocks.push_back(Block{});
    Value cwd;
    cwd.str = o.cwd;
    cfg_.blocks[0].settings.push_back({"var.CWD", cwd, Pos{"<predefined>", 0, 0}});
    Value pid;
    pid.kind = Value::Kind::integer;
    pid.num = 0;  // lighttpd's own pid at parse time; meaningless for a translation
    cfg_.blocks[0].settings.push_back({"var.PID", pid, Pos{"<predefined>", 0, 0}});
  }

  void parse_file(const std::string& path, const std::string& text) {
    cfg_.files.push_back(path);
    if (++include_depth_ > 32) throw ParseError(path + ":1:1: includes nested more than 32 deep (a loop?)");
    std::vector<Token> toks = lex(text, path);
    size_t i = 0;
    statements(toks, i, /*in_block=*/false);
    if (toks[i].kind != Tok::end) fail(toks[i], "unexpected " + std::string(token_name(toks[i].kind)));
    --include_depth_;
  }

  LighttpdConfig take() { return std::move(cfg_); }

 private:
  [[noreturn]] void fail(const Token& t, const std::string& what) { throw ParseError(t.pos.text() + ": " + what); }
  [[noreturn]] void fail(const Pos& p, const std::string& what) { throw ParseError(p.text() + ": " + what); }

  void expect(const std::vector<Token>& t, size_t& i, Tok k, const std::string& context) {
    if (t[i].kind != k)
      fail(t[i], "expected " + std::string(token_name(k)) + " " + context + ", found " + token_name(t[i].kind) +
                     (t[i].text.empty() ? "" : " \"" + t[i].text + "\""));
    ++i;
  }

  // Statements until '}' (in_block) or the end.
  void statements(const std::vector<Token>& t, size_t& i, bool in_block) {
    while (true) {
      while (t[i].kind == Tok::eol) ++i;
      if (t[i].kind == Tok::end) {
        if (in_block) fail(t[i], "missing '}'");
        return;
      }
      if (t[i].kind == Tok::rbrace) {
        if (!in_block) fail(t[i], "'}' without a matching '{'");
        return;
      }
      statement(t, i);
    }
  }

  // After a statement: the line must end (or a '}' closes the block). lighttpd 1.4 would
  // silently drop whatever else is here; that has changed meanings before (§1.1).
  void end_of_statement(const std::vector<Token>& t, size_t& i, const std::string& what) {
    if (t[i].kind == Tok::eol) {
      ++i;
      return;
    }
    if (t[i].kind == Tok::rbrace || t[i].kind == Tok::end) return;
    // `a = 1 b = 2` is legal: another assignment may follow on the same line.
    if (t[i].kind == Tok::key && (t[i + 1].kind == Tok::assign || t[i + 1].kind == Tok::append || t[i + 1].kind == Tok::force))
      return;
    fail(t[i], "unexpected " + std::string(token_name(t[i].kind)) + (t[i].text.empty() ? "" : " \"" + t[i].text + "\"") +
                   " after " + what + " (lighttpd 1.4 would silently drop it)");
  }

  void statement(const std::vector<Token>& t, size_t& i) {
    const Token& tok = t[i];
    if (tok.kind == Tok::cond_object) {
      conditional(t, i, -1);
      return;
    }
    if (tok.kind != Tok::key) fail(tok, "expected a setting, include or condition, found " + std::string(token_name(tok.kind)));
    if (tok.text == "include" || tok.text == "include_shell") {
      ++i;
      Value v = expr(t, i);
      if (v.kind != Value::Kind::string) fail(tok, tok.text + ": expected a string");
      end_of_statement(t, i, tok.text);
      if (tok.text == "include") include(tok, v.str);
      else include_shell(tok, v.str);
      return;
    }
    if (tok.text == "global") {
      ++i;
      expect(t, i, Tok::lbrace, "after global");
      int saved = current_;
      current_ = 0;
      in_global_ = true;
      statements(t, i, true);
      in_global_ = false;
      current_ = saved;
      expect(t, i, Tok::rbrace, "closing global");
      return;
    }
    if (tok.text == "else" || tok.text == "elif" || tok.text == "elsif" || tok.text == "elseif" || tok.text == "if")
      fail(tok, "'" + tok.text + "' without a condition block before it");
    // key op expr
    std::string key = tok.text;
    if (key.find('.') == std::string::npos) key = "var." + key;
    ++i;
    Tok op = t[i].kind;
    if (op != Tok::assign && op != Tok::append && op != Tok::force)
      fail(t[i], "expected '=', '+=' or ':=' after \"" + tok.text + "\", found " + token_name(op) +
                     " (lighttpd 1.4 would silently drop tokens here and may assign the next line's value)");
    ++i;
    Value v = expr(t, i);
    end_of_statement(t, i, "the value of " + key);
    assign(tok, key, op, std::move(v));
  }

  void assign(const Token& at, const std::string& key, Tok op, Value v) {
    if (key.rfind("env.", 0) == 0) fail(at, "cannot assign to " + key + " (env.* only reads the environment)");
    Block& b = cfg_.blocks[size_t(current_)];
    for (auto& s : b.settings) {
      if (s.key != key) continue;
      if (op == Tok::assign)
        fail(at, "duplicate config variable " + key + " in " + (current_ == 0 ? std::string("the global block") : "conditional " + context_[size_t(current_)]) +
                     ": lighttpd refuses to start (\"Duplicate config variable\"; first set at " + s.pos.text() +
                     (current_ == 0 ? "" : "; blocks with one condition under one parent are one context in lighttpd 1.4.69, an else link's included") +
                     "; use := to replace)");
      if (op == Tok::force) s.value = std::move(v), s.pos = at.pos;
      else s.value = merge(at, s.value, v), s.pos = at.pos;
      return;
    }
    // Another block of the same lighttpd context set it: one context, one value.
    auto& vars = context_vars_[context_[size_t(current_)]];
    if (auto it = vars.find(key); it != vars.end() && op == Tok::assign && current_ > 0)
      fail(at, "duplicate config variable " + key + " in conditional " + context_[size_t(current_)] +
                   ": lighttpd refuses to start (\"Duplicate config variable in conditional\"): blocks with one condition under "
                   "one parent share a context in lighttpd 1.4.69, an else link's included; first set at " + it->second.text());
    vars.emplace(key, at.pos);
    if (op == Tok::append) {
      // += copies the value from an enclosing block, then appends (§1.3).
      if (const Setting* outer = lookup_outer(key)) v = merge(at, outer->value, v);
    }
    v.pos = at.pos;
    b.settings.push_back({key, std::move(v), at.pos});
  }

  const Setting* lookup_outer(const std::string& key) const {
    for (int b = cfg_.blocks[size_t(current_)].parent; b >= 0; b = cfg_.blocks[size_t(b)].parent)
      if (const Setting* s = cfg_.blocks[size_t(b)].find(key)) return s;
    return nullptr;
  }

  const Setting* lookup(const std::string& key) const {
    for (int b = current_; b >= 0; b = cfg_.blocks[size_t(b)].parent)
      if (const Setting* s = cfg_.blocks[size_t(b)].find(key)) return s;
    return nullptr;
  }

  Value merge(const Token& at, const Value& a, const Value& b) {
    using K = Value::Kind;
    Value r = a;
    if (a.kind == K::string && b.kind == K::string) r.str = a.str + b.str;
    else if (a.kind == K::integer && b.kind == K::integer) r.num = a.num + b.num;
    else if (a.kind == K::string && b.kind == K::integer) r.str = a.str + std::to_string(b.num);
    else if (a.kind == K::integer && b.kind == K::string) r.kind = K::string, r.str = std::to_string(a.num) + b.str;
    else if (a.kind == K::array && b.kind == K::array) {
      for (auto& item : b.items) {
        if (item.first) {
          if (const Value* old = r.get(*item.first)) {
            if (old->describe() == item.second.describe()) continue;  // lighttpd: ignored
            fail(at, "duplicate array-key \"" + *item.first + "\" with a different value");
          }
        }
        r.items.push_back(item);
      }
    } else {
      fail(at, "data type mismatch: cannot combine " + a.describe() + " and " + b.describe());
    }
    return r;
  }

  Value expr(const std::vector<Token>& t, size_t& i) {
    Value v = term(t, i);
    while (t[i].kind == Tok::plus) {
      const Token& at = t[i++];
      v = merge(at, v, term(t, i));
    }
    return v;
  }

  Value term(const std::vector<Token>& t, size_t& i) {
    const Token& tok = t[i];
    Value v;
    v.pos = tok.pos;
    switch (tok.kind) {
      case Tok::string:
        v.str = tok.text;
        ++i;
        if (t[i].kind == Tok::string)
          fail(t[i], "two strings in a row (lighttpd 1.4.69 drops the second; combine them with '+')");
        return v;
      case Tok::integer:
        v.kind = Value::Kind::integer;
        v.num = std::stoll(tok.text.substr(0, 18));
        ++i;
        return v;
      case Tok::key: {
        std::string name = tok.text;
        ++i;
        if (name.rfind("env.", 0) == 0) {
          auto e = opts_.getenv ? opts_.getenv(name.substr(4)) : std::nullopt;
          if (!e) fail(tok, "undefined environment variable " + name);
          v.str = *e;
          return v;
        }
        if (name.find('.') == std::string::npos) name = "var." + name;
        if (name == "var.enable" || name == "var.disable")
          fail(tok, "undefined config variable " + name + " (a boolean is a string: \"" + name.substr(4) + "\")");
        const Setting* s = lookup(name);
        if (!s) fail(tok, "undefined config variable " + name);
        v = s->value;
        v.pos = tok.pos;
        return v;
      }
      case Tok::lparen: {
        ++i;
        v.kind = Value::Kind::array;
        while (t[i].kind != Tok::rparen) {
          Value first = expr(t, i);
          if (t[i].kind == Tok::arrow) {
            const Token& arrow = t[i++];
            if (first.kind != Value::Kind::string && first.kind != Value::Kind::integer)
              fail(arrow, "the key before '=>' must be a string");
            std::string key = first.kind == Value::Kind::string ? first.str : std::to_string(first.num);
            if (v.get(key)) fail(first.pos, "duplicate array-key \"" + key + "\"");
            v.items.emplace_back(key, expr(t, i));
          } else {
            v.items.emplace_back(std::nullopt, std::move(first));
          }
          if (t[i].kind == Tok::comma) {
            ++i;
            continue;
          }
          if (t[i].kind != Tok::rparen)
            fail(t[i], "expected ',' or ')' in a list, found " + std::string(token_name(t[i].kind)));
        }
        ++i;
        return v;
      }
      case Tok::arrow: fail(tok, "'=>' outside parentheses");
      default: fail(tok, "expected a value, found " + std::string(token_name(tok.kind)));
    }
  }

  Condition condition(const std::vector<Token>& t, size_t& i) {
    Condition c;
    const Token& obj = t[i];
    c.pos = obj.pos;
    c.object = obj.text;
    static const char* kObjects[] = {"HTTP", "SERVER", "REQUEST_HEADER", "PHYSICAL"};
    bool known = false;
    for (auto* o : kObjects) known = known || c.object == o;
    if (!known) fail(obj, "unknown condition $" + c.object + " (expected $HTTP, $SERVER, $REQUEST_HEADER or $PHYSICAL)");
    ++i;
    expect(t, i, Tok::lbracket, "after $" + c.object);
    if (t[i].kind != Tok::string) fail(t[i], "expected a field name in quotes, e.g. $HTTP[\"host\"]");
    c.field = t[i++].text;
    expect(t, i, Tok::rbracket, "after the field name");
    static const std::pair<Tok, const char*> kOps[] = {{Tok::eq, "=="},    {Tok::ne, "!="},     {Tok::match, "=~"},
                                                        {Tok::nmatch, "!~"}, {Tok::prefix, "=^"}, {Tok::suffix, "=$"}};
    for (auto& [k, s] : kOps)
      if (t[i].kind == k) c.op = s;
    if (c.op.empty()) fail(t[i], "expected ==, !=, =~, !~, =^ or =$ after " + c.object + "[\"" + c.field + "\"]");
    ++i;
    Value v = expr(t, i);
    if (v.kind != Value::Kind::string) fail(c.pos, "a condition compares with a string");
    c.value = v.str;
    if (c.object == "HTTP") {
      static const char* kFields[] = {"url", "host", "querystring", "query-string", "remoteip", "remote-ip", "scheme",
                                      "request-method", "useragent", "user-agent", "referer", "cookie", "language"};
      bool ok = false;
      for (auto* f : kFields) ok = ok || c.field == f;
      if (!ok) fail(c.pos, "unknown field $HTTP[\"" + c.field + "\"]");
    }
    return c;
  }

  // cond { ... } [else cond { ... }]... [else { ... }]
  void conditional(const std::vector<Token>& t, size_t& i, int else_of) {
    if (in_global_) fail(t[i], "conditions are not allowed inside global { }");
    Condition c = condition(t, i);
    int idx = open_block(c, else_of, false);
    body(t, i, idx);
    else_chain(t, i, idx);
  }

  void else_chain(const std::vector<Token>& t, size_t& i, int prev) {
    // `else` on the line after '}' is allowed too.
    size_t j = i;
    while (t[j].kind == Tok::eol) ++j;
    if (t[j].kind != Tok::key) return;
    const Token& kw = t[j];
    bool elif = kw.text == "elif" || kw.text == "elsif" || kw.text == "elseif";
    if (kw.text != "else" && !elif) return;
    // The block before is a bare else's context (itself, or a block of the condition such an
    // else was re-keyed to): lighttpd allows nothing after a catch-all.
    if (else_contexts_.count(context_[size_t(prev)]))
      fail(kw, "unreachable condition following else catch-all: lighttpd refuses to start (the block before this else has the "
               "context of an earlier bare else: " + context_[size_t(prev)] + ")");
    i = j + 1;
    if (elif || (t[i].kind == Tok::key && t[i].text == "if")) {
      if (!elif) ++i;
      cfg_.warnings.push_back({kw.pos, "'" + std::string(elif ? kw.text : "else if") +
                                           "' is read as else-if; lighttpd before 1.4.74 read it differently (as a bare else, "
                                           "or as garbage) — check which version served this config"});
    }
    if (t[i].kind == Tok::cond_object) {
      conditional(t, i, prev);
      return;
    }
    int idx = open_block(std::nullopt, prev, true);
    const Token& at = t[i];
    body(t, i, idx);
    close_else(idx, at);
  }

  void body(const std::vector<Token>& t, size_t& i, int idx) {
    expect(t, i, Tok::lbrace, "to open the condition's block");
    int saved = current_;
    current_ = idx;
    statements(t, i, true);
    current_ = saved;
    expect(t, i, Tok::rbrace, "to close the condition's block");
  }

  int open_block(std::optional<Condition> c, int else_of, bool is_else) {
    // lighttpd's context of the block (configparser.y): its parent's key, " / ", the
    // condition as lighttpd rewrites it. Blocks with one key share one context.
    std::string key = key_of(current_) + " / " + (c ? lighttpd_text(*c) : std::string("else_tmp_token"));
    // An else link whose context exists already is older than the link before it: lighttpd
    // calls it unreachable and stops.
    if (c && else_of >= 0 && known_keys_.count(key))
      fail(c->pos, "unreachable else condition: lighttpd refuses to start (a block with this condition, " + lighttpd_text(*c) +
                       ", comes earlier under the same parent, and lighttpd keeps one context for both)");
    if (c) known_keys_.insert(key);
    // A block whose context exists already is that block, where it first came (§1.5): the
    // same condition under the same parent, an else link of that condition, a bare else
    // re-keyed to it, or a child of another bare else under the same parent. Its settings
    // join that block's, at that block's place in the order.
    if (c && else_of < 0)
      if (auto it = block_of_key_.find(key); it != block_of_key_.end()) return it->second;
    Block b;
    b.parent = current_;
    b.cond = std::move(c);
    b.else_of = else_of;
    b.is_else = is_else;
    cfg_.blocks.push_back(std::move(b));
    parse_key_.resize(cfg_.blocks.size());
    context_.resize(cfg_.blocks.size());
    parse_key_.back() = key;
    if (c) block_of_key_[key] = int(cfg_.blocks.size() - 1);
    // A bare else's own settings have a context of their own until its body ends (then it
    // takes its chain's last condition, negated: close_else); its children share the key.
    context_.back() = is_else ? "#else " + std::to_string(cfg_.blocks.size() - 1) : key;
    return int(cfg_.blocks.size() - 1);
  }

  // After a bare else's body: lighttpd re-keys its context as the condition before it,
  // negated; a context of that key already there makes the else unreachable (an error).
  void close_else(int idx, const Token& at) {
    const Block& prev = cfg_.blocks[size_t(cfg_.blocks[size_t(idx)].else_of)];
    if (!prev.cond) return;
    Condition flipped = *prev.cond;
    static const std::map<std::string, std::string> kOpposite = {{"==", "!="}, {"!=", "=="}, {"=~", "!~"},
                                                                 {"!~", "=~"}, {"=^", "!^"}, {"=$", "!$"}};
    std::string text = lighttpd_text(flipped);
    size_t op = text.find("] ") + 2;
    auto it = kOpposite.find(text.substr(op, 2));
    if (it != kOpposite.end()) text.replace(op, 2, it->second);
    std::string key = key_of(cfg_.blocks[size_t(idx)].parent) + " / " + text;
    if (known_keys_.count(key))
      fail(at, "unreachable else condition: lighttpd refuses to start (a block with the opposite of the condition before this "
               "else, " + text + ", comes earlier under the same parent)");
    context_vars_[key] = std::move(context_vars_[context_[size_t(idx)]]);
    context_vars_.erase(context_[size_t(idx)]);
    context_[size_t(idx)] = key;
    known_keys_.insert(key);
    else_contexts_.insert(key);
    block_of_key_[key] = idx;
  }

  std::string key_of(int block) const { return block <= 0 ? "global" : parse_key_[size_t(block)]; }

  // The condition as lighttpd keys it: a regex that is only a literal anchored by ^ and/or
  // $ (or "\.ext$") becomes ==, =^ or =$ (configparser_simplify_regex).
  static std::string lighttpd_text(const Condition& c) {
    Condition k = c;
    if (c.op == "=~" && !(c.object == "SERVER" && c.field == "socket")) {
      std::string v = c.value;
      std::string op = "=~";
      size_t off = 0, len = v.size();
      if (len && v[len - 1] == '$') {
        op = "=$";
        if (v.size() > 1 && v[0] == '\\' && v[1] == '.') off = 2;
        else if (v[0] == '^') off = 1, op = "==";
        --len;
      } else if (!v.empty() && v[0] == '^') {
        off = 1, op = "=^";
      }
      if (op != "=~" && v.substr(off, len - off).find_first_of("\\^$.|?*+()[]{}") == std::string::npos) {
        k.op = op;
        k.value = v.substr(off == 2 ? 1 : off, len - (off == 2 ? 1 : off));
      }
    }
    return k.text();
  }

  std::vector<std::string> parse_key_{"global"};   // per block: the key its children's keys start with
  std::vector<std::string> context_{"global"};     // per block: the context its settings go to
  std::map<std::string, std::map<std::string, Pos>> context_vars_;  // context -> variables set there
  std::set<std::string> known_keys_;  // every context made so far
  std::map<std::string, int> block_of_key_;  // context key -> the block that holds it
  std::set<std::string> else_contexts_;  // contexts of bare elses (re-keyed): a catch-all, nothing may follow

  void include(const Token& at, const std::string& arg) {
    std::string path = arg;
    if (arg.rfind("./", 0) == 0 || arg.rfind("../", 0) == 0) path = opts_.cwd + "/" + arg;  // the process CWD
    else if (arg.empty() || arg[0] != '/') path = main_dir_ + "/" + arg;                     // the main config's dir
    bool pattern = arg.find_first_of("*?[{") != std::string::npos;
    glob_t g{};
    int rc = ::glob(path.c_str(), GLOB_BRACE, nullptr, &g);
    std::vector<std::string> files;
    if (rc == 0)
      for (size_t k = 0; k < g.gl_pathc; ++k) files.push_back(g.gl_pathv[k]);
    ::globfree(&g);
    if (files.empty()) {
      if (pattern) return;  // a glob that matches nothing is fine
      fail(at, "include file not found: " + path);
    }
    for (auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      if (!in) fail(at, "cannot read include file " + f);
      std::stringstream ss;
      ss << in.rdbuf();
      parse_file(f, ss.str());
    }
  }

  void include_shell(const Token& at, const std::string& cmd) {
    if (!opts_.allow_shell) {
      cfg_.warnings.push_back({at.pos, "include_shell \"" + cmd + "\" was not run (its output is not translated; "
                                       "run with --allow-shell, or paste its output into the config)"});
      return;
    }
    std::string full = "cd '" + main_dir_ + "' && " + cmd;
    FILE* p = ::popen(full.c_str(), "r");
    if (!p) fail(at, "include_shell: cannot run " + cmd);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int st = ::pclose(p);
    if (st != 0) fail(at, "include_shell \"" + cmd + "\" failed (exit status " + std::to_string(WEXITSTATUS(st)) + ")");
    parse_file("include_shell \"" + cmd + "\"", out);
  }

  const ParseOptions& opts_;
  std::string main_dir_;
  LighttpdConfig cfg_;
  int current_ = 0;
  bool in_global_ = false;
  int include_depth_ = 0;
};

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

}  // namespace

LighttpdConfig parse_lighttpd_text(const std::string& text, const std::string& name, const ParseOptions& opts) {
  Parser p(opts, dir_of(name));
  p.parse_file(name, text);
  return p.take();
}

LighttpdConfig parse_lighttpd_file(const std::string& path, const ParseOptions& opts) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ParseError(path + ": cannot read file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_lighttpd_text(ss.str(), path, opts);
}

}  // namespace cutover::migrate
