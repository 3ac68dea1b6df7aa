#include "control/rollout_control.h"

#include <gtest/gtest.h>

namespace cutover {
namespace {

std::shared_ptr<const Config> rollout_config(const std::string& guards) {
  return load_config_text(R"([server]
listen = ["127.0.0.1:1"]
control = "off"
[pools.old]
backends = ["127.0.0.1:2"]
[pools.new]
backends = ["127.0.0.1:3"]
[[routes]]
name = "app"
match = { prefix = "/" }
forward = "old"
[routes.rollout]
to = "new"
stage = "canary"
percent = 1
)" + guards,
                          "r.toml");
}

// The failures-in-a-row verdict is asked of every control-loop pass, not once a second: it
// holds as soon as the candidate has failed max_consecutive_errors times, for a route not
// tripped yet and not at legacy.
TEST(RolloutControl, FailuresInARowAreSeenAtOnce) {
  Runtime rt(rollout_config("guards = { max_consecutive_errors = 3 }\n"));
  RolloutControl rc(rt);
  RolloutRuntime& rr = rt.current()->routes[0]->rollout;
  EXPECT_FALSE(rc.failing_in_a_row());
  rr.new_side_answered(true);
  rr.new_side_answered(true);
  EXPECT_FALSE(rc.failing_in_a_row());
  rr.new_side_answered(true);
  EXPECT_TRUE(rc.failing_in_a_row());
  rr.tripped.store(true);  // later trips go at the tick's pace
  EXPECT_FALSE(rc.failing_in_a_row());
  rr.tripped.store(false);
  rr.store_point({stage::Stage::legacy, 0});
  EXPECT_FALSE(rc.failing_in_a_row());
  rr.store_point({stage::Stage::canary, 100});
  rr.new_side_answered(false);  // a good answer starts the count again
  EXPECT_FALSE(rc.failing_in_a_row());
}

TEST(RolloutControl, NoGuardsNoVerdict) {
  Runtime rt(rollout_config(""));
  RolloutControl rc(rt);
  RolloutRuntime& rr = rt.current()->routes[0]->rollout;
  for (int i = 0; i < 10; ++i) rr.new_side_answered(true);
  EXPECT_FALSE(rc.failing_in_a_row());
}

}  // namespace
}  // namespace cutover
