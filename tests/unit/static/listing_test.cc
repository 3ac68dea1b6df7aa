#include "static/listing.h"

#include <gtest/gtest.h>

namespace cutover::statics {
namespace {

std::vector<DirEntry> sample() {
  return {{"b.txt", false, 300, 30}, {"sub", true, 0, 10}, {"a<b>&\".txt", false, 100, 20}, {"c d.txt", false, 200, 5}};
}

std::vector<std::string> names(const std::vector<DirEntry>& e) {
  std::vector<std::string> n;
  for (auto& x : e) n.push_back(x.name);
  return n;
}

TEST(Listing, SortsDirectoriesFirstThenByKey) {
  auto e = sample();
  sort_entries(e, listing_order(""));
  EXPECT_EQ(names(e), (std::vector<std::string>{"sub", "a<b>&\".txt", "b.txt", "c d.txt"}));
  sort_entries(e, listing_order("sort=size&order=desc"));
  EXPECT_EQ(names(e), (std::vector<std::string>{"sub", "b.txt", "c d.txt", "a<b>&\".txt"}));
  sort_entries(e, listing_order("sort=time"));
  EXPECT_EQ(names(e), (std::vector<std::string>{"sub", "c d.txt", "a<b>&\".txt", "b.txt"}));
}

TEST(Listing, HtmlEscapesNamesAndEncodesLinks) {
  auto e = sample();
  sort_entries(e, {});
  std::string h = render_listing_html("/x/<dir>/", e, {}, true);
  EXPECT_EQ(h.find("<b>"), std::string::npos);
  EXPECT_NE(h.find("a&lt;b&gt;&amp;&quot;.txt"), std::string::npos);
  EXPECT_NE(h.find("href=\"a%3Cb%3E%26%22.txt\""), std::string::npos);
  EXPECT_NE(h.find("href=\"c%20d.txt\""), std::string::npos);
  EXPECT_NE(h.find("Index of /x/&lt;dir&gt;/"), std::string::npos);
  EXPECT_NE(h.find("href=\"../\""), std::string::npos);
  EXPECT_NE(h.find("href=\"sub/\""), std::string::npos);
  EXPECT_EQ(render_listing_html("/", e, {}, false).find("href=\"../\""), std::string::npos);
}

TEST(Listing, Json) {
  std::vector<DirEntry> e{{"q\"\n", false, 1, 2}};
  EXPECT_EQ(render_listing_json("/", e), "{\"path\":\"/\",\"entries\":[{\"name\":\"q\\\"\\n\",\"type\":\"file\",\"size\":1,\"mtime\":2}]}\n");
}

}  // namespace
}  // namespace cutover::statics
