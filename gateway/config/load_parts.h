// The config loader's parts (config_load.cc and one file per section): the Reader that
// checks every key of a table, and each section's parser. Internal to the config module.
#pragma once
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "config/config.h"
#include "config/identity.h"
#include "config/nearest.h"
#include "config/worker_template.h"

namespace cutover::config_load {

inline std::string where(const std::string& file, const toml::source_region& r, size_t col_offset = 0) {
  std::ostringstream o;
  o << file << ':' << r.begin.line << ':' << (r.begin.column + col_offset);
  return o.str();
}

inline const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date/time";
  }
}

// Reads one TOML table, remembering which keys were consumed so that leftovers are errors.
class Reader {
 public:
  Reader(const std::string& file, const toml::table& t, std::string ctx)
      : file_(file), t_(t), ctx_(std::move(ctx)) {}

  const toml::node* get(std::string_view key) {
    allowed_.insert(std::string(key));
    return t_.get(key);
  }

  [[noreturn]] void fail(const toml::node& n, const std::string& msg, size_t off = 0) const {
    throw ConfigError(where(file_, n.source(), off) + ": " + msg);
  }
  [[noreturn]] void fail_here(const std::string& msg) const {
    throw ConfigError(where(file_, t_.source()) + ": " + msg);
  }

  std::optional<bool> boolean(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) fail(*n, ctx_ + "." + std::string(key) + ": expected true or false, found " + type_name(*n));
    return n->as_boolean()->get();
  }
  std::optional<std::string> str(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_string())
      fail(*n, std::string(ctx_) + "." + std::string(key) + ": expected a string, found " + type_name(*n));
    return n->as_string()->get();
  }
  std::optional<int64_t> integer(std::string_view key, int64_t lo, int64_t hi) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_integer())
      fail(*n, ctx_ + "." + std::string(key) + ": expected an integer, found " + type_name(*n));
    int64_t v = n->as_integer()->get();
    if (v < lo || v > hi)
      fail(*n, ctx_ + "." + std::string(key) + ": expected a value from " + std::to_string(lo) +
                   " to " + std::to_string(hi));
    return v;
  }
  void duration(std::string_view key, Duration& out) {
    const toml::node* n = get(key);
    if (!n) return;
    if (!n->is_string() || !parse_duration(n->as_string()->get(), out))
      fail(*n, ctx_ + "." + std::string(key) + ": expected a duration such as \"500ms\", \"2s\", \"1m\"");
  }
  void size(std::string_view key, uint64_t& out) {
    const toml::node* n = get(key);
    if (!n) return;
    if (n->is_integer() && n->as_integer()->get() >= 0) {
      out = uint64_t(n->as_integer()->get());
      return;
    }
    if (!n->is_string() || !parse_size(n->as_string()->get(), out))
      fail(*n, ctx_ + "." + std::string(key) + ": expected a size such as \"64KiB\", \"10MiB\"");
  }
  std::vector<std::pair<std::string, const toml::node*>> str_list(std::string_view key) {
    std::vector<std::pair<std::string, const toml::node*>> out;
    const toml::node* n = get(key);
    if (!n) return out;
    if (n->is_string()) {
      out.emplace_back(n->as_string()->get(), n);
      return out;
    }
    if (!n->is_array()) fail(*n, ctx_ + "." + std::string(key) + ": expected a list of strings");
    for (const toml::node& e : *n->as_array()) {
      if (!e.is_string()) fail(e, ctx_ + "." + std::string(key) + ": expected a list of strings, found " + type_name(e));
      out.emplace_back(e.as_string()->get(), &e);
    }
    return out;
  }
  const toml::table* table(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail(*n, ctx_ + "." + std::string(key) + ": expected a table, found " + type_name(*n));
    return n->as_table();
  }

  // Every key not asked for is unknown.
  void finish() const {
    for (auto&& [k, v] : t_) {
      if (allowed_.count(std::string(k.str()))) continue;
      std::string expected;
      for (auto& a : allowed_) expected += (expected.empty() ? "" : ", ") + a;
      std::string near = nearest_name(std::string(k.str()), {allowed_.begin(), allowed_.end()});
      throw ConfigError(where(file_, k.source()) + ": unknown key '" + std::string(k.str()) + "' in " + ctx_ +
                        (near.empty() ? "" : "; did you mean '" + near + "'?") + " (expected one of: " + expected + ")");
    }
  }

  const std::string& file() const { return file_; }
  const std::string& ctx() const { return ctx_; }

 private:
  const std::string& file_;
  const toml::table& t_;
  std::string ctx_;
  std::set<std::string> allowed_;
};

// A string value's first character is one column after where the value starts (its
// quote); positions inside a multi-line string are counted from there too.
inline constexpr size_t kAfterQuote = 1;


Regex compile_regex(Reader& r, const std::string& pattern, const toml::node& n);
Replacement parse_replacement(Reader& r, const std::string& text, const toml::node& n);
ListenSpec parse_listen(Reader& r, const std::string& text, const toml::node& n, const char* what = "listen");
BackendSpec parse_backend(Reader& r, const std::string& text, const toml::node& n);
void parse_header_edits(Reader& r, const char* key, bool request, HeaderEdits& out, bool* gave_add = nullptr, bool* gave_set = nullptr);
bool parse_expire_list(Reader& r, const char* key, std::vector<std::pair<std::string, statics::ExpireSpec>>& out);
void parse_server(Reader& r, ServerSpec& s);
int signal_number(std::string_view name);
void parse_workers(Reader& pr, const toml::table& t, PoolSpec& p);
void load_keep_conn(Reader& r, PoolSpec& p);
void parse_pool(Reader& r, PoolSpec& p);
size_t pool_index_of(Reader& r, const toml::node& n, const std::string& key, const std::string& name, const Config& c);
void parse_rollout(Reader& pr, const toml::table& t, RouteSpec& rt, const Config& c);
void parse_static(Reader& sr, RouteSpec& rt, const Config& c);
void parse_auth(Reader& r, AuthSpec& a);
void parse_route_limits(Reader& r, RouteSpec& rt, const ServerSpec& s);
FieldCondition::Cidr parse_cidr(Reader& r, const std::string& text, const toml::node& at);
std::vector<FieldCondition> parse_when(Reader& r, const toml::node& n, const std::string& ctx);
void parse_match(Reader& r, const toml::table& m, const std::string& ctx, RouteSpec& rt);
void parse_route(Reader& r, RouteSpec& rt, const Config& c);

}  // namespace cutover::config_load
