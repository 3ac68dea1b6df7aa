#include "stage/state_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

namespace cutover::stage {
namespace {

std::string temp_path() {
  char tmpl[] = "/tmp/cutover-state.XXXXXX";
  return std::string(mkdtemp(tmpl)) + "/state.json";
}

TEST(StateFile, RoundTripAndMissingFile) {
  std::string path = temp_path();
  StageMap m;
  EXPECT_EQ(load_state(path, m), "") << "no file yet: nothing stored";
  EXPECT_TRUE(m.empty());
  m["api"] = {Stage::canary, 1050};
  m["home"] = {Stage::new_, kBuckets};
  m["old"] = {Stage::shadow, 0};
  ASSERT_EQ(save_state(path, m), "");
  StageMap back;
  ASSERT_EQ(load_state(path, back), "");
  EXPECT_EQ(back, m);
}

TEST(StateFile, CorruptFileIsReportedNotTrusted) {
  std::string path = temp_path();
  for (const char* text : {"{\"routes\": {\"api\": {\"stage\": \"canary\"", "[]",
                           "{\"routes\": {\"api\": {\"stage\": \"halfway\"}}}",
                           "{\"routes\": {\"api\": {\"stage\": \"canary\", \"percent\": 150}}}"}) {
    std::ofstream(path) << text;
    StageMap m;
    EXPECT_NE(load_state(path, m), "") << text;
  }
}

}  // namespace
}  // namespace cutover::stage
