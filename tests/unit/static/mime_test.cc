#include "static/mime.h"

#include <gtest/gtest.h>

namespace cutover::statics {
namespace {

TEST(Mime, BuiltInAndSystemTable) {
  MimeTable t;
  EXPECT_EQ(t.type_of("index.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(t.type_of("x.png"), "image/png");
  EXPECT_EQ(t.type_of("noext"), "application/octet-stream");
  EXPECT_EQ(t.type_of("x.unknownext"), "application/octet-stream");
  if (t.load("/etc/mime.types")) {
    EXPECT_GT(t.size(), 500u);
    EXPECT_EQ(t.type_of("a.pdf"), "application/pdf");
  }
}

TEST(Mime, ParsesMimeTypesTextAndOverrides) {
  MimeTable t;
  t.add_mime_types("# comment\napplication/x-foo foo fooz # trailing\n\ntext/x-bar bar\n");
  EXPECT_EQ(t.type_of("a.fooz"), "application/x-foo");
  EXPECT_EQ(t.type_of("a.bar"), "text/x-bar; charset=utf-8");
  t.set(".foo", "application/special");
  EXPECT_EQ(t.type_of("a.FOO"), "application/special");
}


// lighttpd 1.4.69's stat_cache_mimetype_by_ext: under 16 entries the first suffix in order.
TEST(Mime, LighttpdTableUnderSixteenIsFirstSuffixInOrder) {
  MimeTable t;
  t.assign_lighttpd({{".gz", "application/gzip"}, {".tar.gz", "application/x-tgz"}, {".txt", "text/plain"},
                     {"README", "text/x-readme"}});
  EXPECT_EQ(t.type_of("a.tar.gz"), "application/gzip");  // .gz comes first
  EXPECT_EQ(t.type_of("dir/A.TXT"), "text/plain");       // verbatim: no charset added
  EXPECT_EQ(t.type_of("XREADME"), "text/x-readme");      // any suffix, not only extensions
  EXPECT_EQ(t.type_of("a.html"), "application/octet-stream");  // the system table is gone
}

// From 16 entries: the basename, then the longest ".ext2.ext1", then ".ext1", then "".
TEST(Mime, LighttpdTableFromSixteenSearchesByDots) {
  std::vector<std::pair<std::string, std::string>> table{{".gz", "application/gzip"}, {".tar.gz", "application/x-tgz"},
                                                         {"README", "text/x-readme"}, {"css", "text/css"}};
  for (int i = 0; i < 12; ++i) table.push_back({".x" + std::to_string(i), "x/" + std::to_string(i)});
  MimeTable t;
  t.assign_lighttpd(table);
  EXPECT_EQ(t.type_of("a.tar.gz"), "application/x-tgz");
  EXPECT_EQ(t.type_of("docs/README"), "text/x-readme");
  EXPECT_EQ(t.type_of("XREADME"), "application/octet-stream");  // only the whole basename
  EXPECT_EQ(t.type_of("s.css"), "text/css");                    // a key without its dot
  table.push_back({"", "application/x-default"});
  MimeTable d;
  d.assign_lighttpd(table);
  EXPECT_EQ(d.type_of("a.unknown"), "application/x-default");
}

}  // namespace
}  // namespace cutover::statics
