// Tokens of the lighttpd config language (§1.1), with their positions.
#pragma once
#include <string>
#include <vector>

#include "migrate_tool/lighttpd_config.h"

namespace cutover::migrate {

enum class Tok {
  string, integer, key, cond_object,  // $HTTP, $SERVER...
  lparen, rparen, lbrace, rbrace, lbracket, rbracket, comma, arrow,
  assign, append, force, plus, eq, ne, match, nmatch, prefix, suffix,
  eol, end
};

struct Token {
  Tok kind;
  std::string text;  // string contents (unescaped), digits, key or object name
  Pos pos;
};

// Throws ParseError with the position of the offending character.
std::vector<Token> lex(const std::string& text, const std::string& file);

const char* token_name(Tok t);

}  // namespace cutover::migrate
