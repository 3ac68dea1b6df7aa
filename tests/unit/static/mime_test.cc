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

}  // namespace
}  // namespace cutover::statics
