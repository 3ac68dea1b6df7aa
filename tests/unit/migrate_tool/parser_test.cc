// The lighttpd config language as lighttpd-semantics.md §1 records it (verified cases).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include <fstream>

#include "migrate_tool/lighttpd_config.h"

namespace cutover::migrate {
namespace {

ParseOptions opts() {
  ParseOptions o;
  o.cwd = "/srv";
  o.getenv = [](const std::string& n) -> std::optional<std::string> {
    if (n == "HOME") return std::string("/root");
    return std::nullopt;
  };
  return o;
}

LighttpdConfig parse(const std::string& text) { return parse_lighttpd_text(text, "/etc/lighttpd/lighttpd.conf", opts()); }

std::string error_of(const std::string& text) {
  try {
    parse(text);
    return "";
  } catch (const ParseError& e) {
    return e.what();
  }
}

TEST(LighttpdParser, StringsEscapesNumbersListsAndKeyValues) {
  auto c = parse("server.document-root = \"/var/www\"\nserver.port = 8080\n"
                 "url.rewrite-once = ( \"^/a\\.php$\" => \"/b\", \"x\\\"y\" => \"$1\", )\n"
                 "index-file.names = ( \"index.php\", \"index.html\" )\nempty = ()\n");
  const Block& g = c.blocks[0];
  EXPECT_EQ(g.find("server.document-root")->value.str, "/var/www");
  EXPECT_EQ(g.find("server.port")->value.num, 8080);
  const Value& rw = g.find("url.rewrite-once")->value;
  ASSERT_EQ(rw.items.size(), 2u);
  EXPECT_EQ(*rw.items[0].first, "^/a\\.php$") << "every backslash but \\\" is kept";
  EXPECT_EQ(*rw.items[1].first, "x\"y");
  EXPECT_EQ(g.find("index-file.names")->value.items[1].second.str, "index.html");
  EXPECT_EQ(g.find("var.empty")->value.items.size(), 0u) << "a key without a dot is var.*";
  EXPECT_EQ(g.find("server.port")->pos.text(), "/etc/lighttpd/lighttpd.conf:2:1");
}

TEST(LighttpdParser, VariablesConcatenationAndEnv) {
  auto c = parse("var.base = \"/srv\"\nroot = var.base + \"/www\"\nserver.document-root = root\n"
                 "n = 80 + 8000\ns = \"port \" + 8080\nhome = env.HOME\nserver.tag = \"a\" server.name = \"b\"\n");
  const Block& g = c.blocks[0];
  EXPECT_EQ(g.find("server.document-root")->value.str, "/srv/www");
  EXPECT_EQ(g.find("var.n")->value.num, 8080);
  EXPECT_EQ(g.find("var.s")->value.str, "port 8080");
  EXPECT_EQ(g.find("var.home")->value.str, "/root");
  EXPECT_EQ(g.find("server.name")->value.str, "b") << "two statements on one line";
  EXPECT_EQ(g.find("var.CWD")->value.str, "/srv");
}

TEST(LighttpdParser, AppendCopiesFromTheEnclosingBlock) {
  auto c = parse("index-file.names = (\"index.html\")\n"
                 "$HTTP[\"host\"] == \"a\" {\n  index-file.names += (\"index.php\")\n}\n");
  ASSERT_EQ(c.blocks.size(), 2u);
  EXPECT_EQ(c.blocks[0].find("index-file.names")->value.items.size(), 1u) << "the global list is unchanged";
  EXPECT_EQ(c.blocks[1].find("index-file.names")->value.describe(), "(\"index.html\", \"index.php\")");
  EXPECT_EQ(c.blocks[1].cond->text(), "$HTTP[\"host\"] == \"a\"");
}

TEST(LighttpdParser, ConditionsNestElseChainsAndMergeIdenticalBlocks) {
  auto c = parse("$HTTP[\"host\"] =~ \"^(www\\.)?example\\.org$\" {\n"
                 "  $HTTP[\"url\"] =^ \"/api\" { proxy.balance = \"fair\" }\n"
                 "} else $HTTP[\"host\"] == \"b\" { x = 1 } else { y = 2 }\n"
                 "$HTTP[\"host\"] =~ \"^(www\\.)?example\\.org$\" { z = 3 }\n"
                 "$SERVER[\"socket\"] == \":8443\" { }\n$REQUEST_HEADER[\"X-Test\"] != \"\" { }\n");
  ASSERT_EQ(c.blocks.size(), 7u);
  EXPECT_EQ(c.blocks[2].parent, 1);
  EXPECT_EQ(c.blocks[2].cond->op, "=^");
  EXPECT_EQ(c.blocks[3].else_of, 1);
  EXPECT_EQ(c.blocks[4].else_of, 3);
  EXPECT_TRUE(c.blocks[4].is_else);
  EXPECT_TRUE(c.blocks[1].find("var.z")) << "an identical condition is the same block";
  EXPECT_EQ(c.blocks[5].cond->object, "SERVER");
  EXPECT_EQ(c.blocks[6].cond->field, "X-Test");
}

TEST(LighttpdParser, ElseIfIsElseIfWithAWarning) {
  auto c = parse("$HTTP[\"host\"] == \"a\" { x = 1 }\nelse if $HTTP[\"host\"] == \"b\" { x = 2 }\n");
  ASSERT_EQ(c.blocks.size(), 3u);
  EXPECT_EQ(c.blocks[2].cond->value, "b");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].text.find("before 1.4.74"), std::string::npos);
  EXPECT_EQ(c.warnings[0].pos.text(), "/etc/lighttpd/lighttpd.conf:2:1");
}

TEST(LighttpdParser, GlobalInsideAConditionSetsGlobal) {
  auto c = parse("$HTTP[\"host\"] == \"a\" {\n global {\n  server.tag = \"t\"\n }\n}\n");
  EXPECT_TRUE(c.blocks[0].find("server.tag"));
  EXPECT_FALSE(c.blocks[1].find("server.tag"));
}

TEST(LighttpdParser, ErrorsArePositionedAndNothingIsDroppedSilently) {
  struct Case {
    std::string text, expect;
  } cases[] = {
      {"server.tag \"x\"\nserver.name = \"n\"\n", "lighttpd.conf:1:12: expected '=', '+=' or ':='"},
      {"a = \"unterminated\n", "lighttpd.conf:1:5: missing closing quote"},
      {"a = \"x\\\\\"\n", "missing closing quote"},
      {"a = -1\n", "lighttpd.conf:1:5: undefined config variable var.-1"},
      {"a = enable\n", "undefined config variable var.enable (a boolean is a string"},
      {"a = 1\na = 2\n", "lighttpd.conf:2:1: duplicate config variable var.a in the global block: lighttpd refuses to start (\"Duplicate config variable\"; first set at"},
      {"a = (\"k\" => 1, \"k\" => 2)\n", "duplicate array-key \"k\""},
      {"a = \"k\" => 1\n", "lighttpd.conf:1:9: unexpected '=>'"},
      {"a = \"x\" \"y\"\n", "two strings in a row"},
      {"a = 1 + (\"x\")\n", "data type mismatch"},
      {"env.X = 1\n", "cannot assign to env.X"},
      {"a = env.NOPE\n", "undefined environment variable env.NOPE"},
      {"$HTTP[\"hots\"] == \"a\" { }\n", "lighttpd.conf:1:1: unknown field $HTTP[\"hots\"]"},
      {"$HTTP[\"host\"] = \"a\" { }\n", "lighttpd.conf:1:15: expected ==, !=, =~, !~, =^ or =$"},
      {"$HTTP[\"host\"] == \"a\" {\n a = 1\n", "missing '}'"},
      {"}\n", "'}' without a matching '{'"},
      {"global { $HTTP[\"host\"] == \"a\" { } }\n", "conditions are not allowed inside global"},
      {"include \"nope.conf\"\n", "include file not found: /etc/lighttpd/nope.conf"},
      {"a = 1 ; b = 2\n", "lighttpd.conf:1:7: unexpected character ';'"},
  };
  for (auto& c : cases) {
    std::string err = error_of(c.text);
    EXPECT_NE(err.find(c.expect), std::string::npos) << "input: " << c.text << "\ngot: " << err << "\nwanted: " << c.expect;
  }
}

// lighttpd keys a block's context by its parent's key and its condition (configparser.y):
// blocks of one key share a context, whether plain blocks or else links, and the children of
// every bare else under one parent share theirs; a simple regex is keyed as ==, =^ or =$.
// Each refusal below is what `lighttpd -tt` 1.4.69 says of the same text.
TEST(LighttpdParser, SharedContextsRefusedAsLighttpdRefusesThem) {
  struct Case {
    std::string text, expect;  // expect "": lighttpd accepts it
  } cases[] = {
      {"$HTTP[\"url\"] =^ \"/a\" { a = 1 }\n$HTTP[\"host\"] == \"h\" { a = 2 } else $HTTP[\"url\"] =^ \"/a\" { a = 3 }\n",
       "lighttpd.conf:2:37: unreachable else condition"},
      {"$HTTP[\"host\"] == \"h\" { a = 2 } else $HTTP[\"url\"] =^ \"/a\" { b = 3 }\n$HTTP[\"url\"] =^ \"/a\" { a = 1 }\n", ""},
      {"$HTTP[\"host\"] == \"h\" { a = 2 } else $HTTP[\"url\"] =^ \"/a\" { b = 3 }\n$HTTP[\"url\"] =^ \"/a\" { b = 1 }\n",
       "lighttpd.conf:2:24: duplicate config variable var.b in conditional global / $HTTP[\"url\"] =^ \"/a\": lighttpd refuses to start"},
      {"$HTTP[\"host\"] == \"h\" { } else { $HTTP[\"url\"] =^ \"/a\" { a = 1 } }\n"
       "$HTTP[\"host\"] == \"g\" { } else { $HTTP[\"url\"] =^ \"/a\" { a = 2 } }\n",
       "duplicate config variable var.a in conditional global / else_tmp_token / $HTTP[\"url\"] =^ \"/a\""},
      {"$HTTP[\"url\"] =~ \"\\.txt$\" { a = 1 }\n$HTTP[\"url\"] =$ \".txt\" { a = 2 }\n",
       "in conditional global / $HTTP[\"url\"] =$ \".txt\""},
      {"$HTTP[\"url\"] =~ \"^/x$\" { a = 1 }\n$HTTP[\"url\"] == \"/x\" { a = 2 }\n", "in conditional global / $HTTP[\"url\"] == \"/x\""},
      {"$HTTP[\"url\"] =~ \"^/x.y\" { a = 1 }\n$HTTP[\"url\"] =^ \"/x.y\" { a = 2 }\n", ""},  // '.' is a regex: not simplified
      {"$HTTP[\"host\"] == \"h\" { a = 1 } else { a = 2 }\n$HTTP[\"host\"] != \"h\" { a = 3 }\n",
       "in conditional global / $HTTP[\"host\"] != \"h\""},
      {"$HTTP[\"host\"] != \"h\" { }\n$HTTP[\"host\"] == \"h\" { } else { a = 2 }\n", "lighttpd.conf:2:31: unreachable else condition"},
      {"$HTTP[\"host\"] == \"h\" { } else { }\n$HTTP[\"host\"] != \"h\" { } else $HTTP[\"url\"] =^ \"/a\" { }\n",
       "lighttpd.conf:2:26: unreachable condition following else catch-all"},
      {"$HTTP[\"url\"] =^ \"/a\" { a = 1 }\n$HTTP[\"url\"] =^ \"/a\" { a += 2 }\n", ""},
  };
  for (auto& c : cases) {
    std::string err = error_of(c.text);
    if (c.expect.empty()) EXPECT_EQ(err, "") << c.text;
    else EXPECT_NE(err.find(c.expect), std::string::npos) << "input: " << c.text << "\ngot: " << err << "\nwanted: " << c.expect;
  }
}

TEST(LighttpdParser, IncludesFollowLighttpdsPathRulesAndGlobs) {
  char tmpl[] = "/tmp/cutover-lconf.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  ::mkdir((dir + "/conf-enabled").c_str(), 0755);
  std::ofstream(dir + "/conf-enabled/10-a.conf") << "server.modules += (\"mod_a\")\ninclude \"conf-enabled/inner.inc\"\n";
  std::ofstream(dir + "/conf-enabled/20-b.conf") << "server.modules += (\"mod_b\")\n";
  std::ofstream(dir + "/conf-enabled/inner.inc") << "inner = \"from the main dir\"\n";
  std::ofstream(dir + "/lighttpd.conf") << "server.modules = (\"mod_core\")\ninclude \"conf-enabled/*.conf\"\n"
                                           "include \"conf-available/*.conf\"\n"
                                           "$HTTP[\"host\"] == \"x\" { include \"conf-enabled/20-b.conf\" }\n"
                                           "include_shell \"/usr/share/lighttpd/create-mime.conf.pl\"\n";
  auto c = parse_lighttpd_file(dir + "/lighttpd.conf", opts());
  EXPECT_EQ(c.blocks[0].find("server.modules")->value.describe(), "(\"mod_core\", \"mod_a\", \"mod_b\")");
  EXPECT_EQ(c.blocks[0].find("var.inner")->value.str, "from the main dir") << "nested includes resolve from the main dir";
  EXPECT_EQ(c.blocks[0].find("var.inner")->pos.text(), dir + "/conf-enabled/inner.inc:1:1");
  EXPECT_EQ(c.blocks[1].find("server.modules")->value.items.size(), 4u) << "an include inside a block lands in it";
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].text.find("was not run"), std::string::npos);
  EXPECT_EQ(c.files.size(), 5u);
}

TEST(LighttpdParser, Booleans) {
  bool b;
  Value v;
  for (const char* t : {"enable", "Enabled", "true", "1"}) {
    v.str = t;
    EXPECT_TRUE(parse_bool(v, b) && b) << t;
  }
  for (const char* f : {"disable", "false", "0"}) {
    v.str = f;
    EXPECT_TRUE(parse_bool(v, b) && !b) << f;
  }
  v.str = "yes";
  EXPECT_FALSE(parse_bool(v, b));
}

}  // namespace
}  // namespace cutover::migrate

namespace cutover::migrate {
namespace {

// Debian's shipped configuration, read from the installed package (not copied).
TEST(LighttpdParser, DebiansShippedConfigParses) {
  if (::access("/etc/lighttpd/lighttpd.conf", R_OK) != 0) GTEST_FAIL() << "lighttpd is not installed: the README's setup installs it";
  ParseOptions o = opts();
  auto c = parse_lighttpd_file("/etc/lighttpd/lighttpd.conf", o);
  EXPECT_EQ(c.blocks[0].find("server.document-root")->value.str, "/var/www/html");
  EXPECT_NE(c.blocks[0].find("server.modules"), nullptr);
  bool shell_reported = false;
  for (auto& w : c.warnings) shell_reported = shell_reported || w.text.find("include_shell") != std::string::npos;
  EXPECT_TRUE(shell_reported) << "Debian's config uses include_shell (use-ipv6.pl, create-mime.conf.pl)";
}

}  // namespace
}  // namespace cutover::migrate
