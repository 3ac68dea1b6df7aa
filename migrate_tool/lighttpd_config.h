// The lighttpd 1.4 configuration language (lighttpd-semantics.md §1): a lexer and a parser
// that evaluates as lighttpd does while it parses — variables, `+=` copying from enclosing
// blocks, `+` merging, includes with lighttpd's path rules — into global settings plus the
// ordered conditional blocks. Every value keeps its file:line. Pure apart from reading the
// included files; no Asio, no network. Where lighttpd 1.4 silently drops tokens, this
// reports an error instead.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cutover::migrate {

struct Pos {
  std::string file;
  int line = 0, col = 0;
  std::string text() const { return file + ":" + std::to_string(line) + ":" + std::to_string(col); }
};

struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;  // "file:line:col: what"
};

struct ValueItem;

struct Value {
  enum class Kind { string, integer, array } kind = Kind::string;
  std::string str;
  int64_t num = 0;
  // Arrays keep insertion order; items may be keyed ("k" => v) or not.
  std::vector<ValueItem> items;
  Pos pos;
  std::string describe() const;  // lighttpd-like text, for reports
  const Value* get(const std::string& key) const;
};

// One item of an array: keyed ("k" => v) or not. Named like a pair's members.
struct ValueItem {
  ValueItem(std::optional<std::string> k, Value v) : first(std::move(k)), second(std::move(v)) {}
  std::optional<std::string> first;
  Value second;
};

struct Setting {
  std::string key;
  Value value;
  Pos pos;
};

struct Condition {
  std::string object;  // "HTTP", "SERVER", "REQUEST_HEADER", "PHYSICAL"
  std::string field;   // "url", "host", "socket", a header name...
  std::string op;      // "==", "!=", "=~", "!~", "=^", "=$"
  std::string value;
  Pos pos;
  std::string text() const;  // $HTTP["host"] == "example.org"
};

struct Block {
  int parent = -1;            // -1: the global block (index 0 has none)
  std::optional<Condition> cond;
  int else_of = -1;           // this block runs only when that sibling's condition was false
  bool is_else = false;       // a bare else (no condition of its own)
  std::vector<Setting> settings;  // in the order written (a later = of the same key is an error)
  const Setting* find(const std::string& key) const;
};

struct Warning {
  Pos pos;
  std::string text;
};

struct LighttpdConfig {
  std::vector<Block> blocks;  // [0] is global; then in the order first seen, parents first
  std::vector<Warning> warnings;
  std::vector<std::string> files;  // every file read, main first
};

struct ParseOptions {
  bool allow_shell = false;  // run include_shell (never by default)
  std::string cwd;           // the process working directory (./ and ../ includes, var.CWD)
  std::function<std::optional<std::string>(const std::string&)> getenv;  // env.NAME
};

LighttpdConfig parse_lighttpd_file(const std::string& path, const ParseOptions& opts);
LighttpdConfig parse_lighttpd_text(const std::string& text, const std::string& name, const ParseOptions& opts);

bool parse_bool(const Value& v, bool& out);  // "enable"/"disable"... or an integer

}  // namespace cutover::migrate
