#include "migrate_tool/lexer.h"

namespace cutover::migrate {

const char* token_name(Tok t) {
  switch (t) {
    case Tok::string: return "a string";
    case Tok::integer: return "an integer";
    case Tok::key: return "a name";
    case Tok::cond_object: return "a condition ($HTTP[...])";
    case Tok::lparen: return "'('";
    case Tok::rparen: return "')'";
    case Tok::lbrace: return "'{'";
    case Tok::rbrace: return "'}'";
    case Tok::lbracket: return "'['";
    case Tok::rbracket: return "']'";
    case Tok::comma: return "','";
    case Tok::arrow: return "'=>'";
    case Tok::assign: return "'='";
    case Tok::append: return "'+='";
    case Tok::force: return "':='";
    case Tok::plus: return "'+'";
    case Tok::eq: return "'=='";
    case Tok::ne: return "'!='";
    case Tok::match: return "'=~'";
    case Tok::nmatch: return "'!~'";
    case Tok::prefix: return "'=^'";
    case Tok::suffix: return "'=$'";
    case Tok::eol: return "the end of the line";
    case Tok::end: return "the end of the file";
  }
  return "?";
}

std::vector<Token> lex(const std::string& s, const std::string& file) {
  std::vector<Token> out;
  int line = 1;
  size_t line_start = 0, i = 0;
  int depth = 0;  // parentheses: newlines inside are not EOL
  auto pos = [&](size_t at) { return Pos{file, line, int(at - line_start) + 1}; };
  auto fail = [&](size_t at, const std::string& what) -> void { throw ParseError(pos(at).text() + ": " + what); };
  auto push = [&](Tok k, std::string text, size_t at) { out.push_back({k, std::move(text), pos(at)}); };
  auto is_key = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'; };
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '\xc2' && i + 1 < s.size() && s[i + 1] == '\xa0') {  // NBSP counts as whitespace
      i += 2;
      continue;
    }
    if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == '\n') {
      if (depth == 0 && (out.empty() || out.back().kind != Tok::eol)) push(Tok::eol, "", i);
      ++i;
      ++line;
      line_start = i;
      continue;
    }
    size_t start = i;
    if (c == '"') {
      std::string v;
      ++i;
      while (true) {
        if (i >= s.size() || s[i] == '\n') fail(start, "missing closing quote");
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '"') {  // the only escape
          v += '"';
          i += 2;
          continue;
        }
        if (s[i] == '"') break;
        v += s[i++];
      }
      ++i;
      push(Tok::string, std::move(v), start);
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      if (i < s.size() && is_key(s[i])) {  // "1a" or "1.5": a name, as lighttpd reads it
        while (i < s.size() && is_key(s[i])) ++i;
        push(Tok::key, s.substr(start, i - start), start);
      } else {
        push(Tok::integer, s.substr(start, i - start), start);
      }
      continue;
    }
    if (c == '$') {
      ++i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
      if (i == start + 1) fail(start, "expected a condition such as $HTTP[\"host\"]");
      push(Tok::cond_object, s.substr(start + 1, i - start - 1), start);
      continue;
    }
    if (is_key(c)) {
      while (i < s.size() && is_key(s[i])) ++i;
      push(Tok::key, s.substr(start, i - start), start);
      continue;
    }
    auto two = [&](const char* t) { return s.compare(i, 2, t) == 0; };
    Tok k;
    size_t n = 2;
    if (two("=>")) k = Tok::arrow;
    else if (two("==")) k = Tok::eq;
    else if (two("!=")) k = Tok::ne;
    else if (two("=~")) k = Tok::match;
    else if (two("!~")) k = Tok::nmatch;
    else if (two("=^")) k = Tok::prefix;
    else if (two("=$")) k = Tok::suffix;
    else if (two("+=")) k = Tok::append;
    else if (two(":=")) k = Tok::force;
    else {
      n = 1;
      switch (c) {
        case '=': k = Tok::assign; break;
        case '+': k = Tok::plus; break;
        case '(': k = Tok::lparen, ++depth; break;
        case ')': k = Tok::rparen, depth = depth > 0 ? depth - 1 : 0; break;
        case '{': k = Tok::lbrace; break;
        case '}': k = Tok::rbrace; break;
        case '[': k = Tok::lbracket; break;
        case ']': k = Tok::rbracket; break;
        case ',': k = Tok::comma; break;
        default:
          fail(start, std::string("unexpected character '") + c + "'");
          k = Tok::end;
      }
    }
    i += n;
    push(k, s.substr(start, n), start);
  }
  if (out.empty() || out.back().kind != Tok::eol) push(Tok::eol, "", i);
  push(Tok::end, "", i);
  return out;
}

}  // namespace cutover::migrate
