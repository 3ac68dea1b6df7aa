// Moving routes between stages at runtime (admin API, CLI, guards), keeping the stages in
// the state file, and running the guards once a second on the control thread.
#pragma once
#include <map>
#include <mutex>
#include <string>

#include "core/runtime.h"
#include "stage/guard.h"

namespace cutover {

class RolloutControl {
 public:
  explicit RolloutControl(Runtime& rt) : rt_(rt) {}
  // Applies the state file's stages over the config's (a corrupt file is reported and the
  // config's stages are used).
  void load_state();
  // action: "promote", "demote", "rollback" (to legacy), "set" with value "shadow",
  // "canary 10", "new"... Returns "" or why not. `who` goes into the event and the log.
  std::string move(const std::string& route, const std::string& action, const std::string& value, const std::string& who);
  // Samples every rolled-out route and acts on the guards' verdicts. Call about once a second.
  void tick(int64_t now_ms);
  // Whether a guarded route's candidate has failed max_consecutive_errors times in a row
  // (compare copies included): cheap, asked every pass of the control loop so that this
  // verdict needs no second to wait for the next tick.
  bool failing_in_a_row() const;

 private:
  std::string save_locked();
  Runtime& rt_;
  std::mutex mu_;
  std::map<std::string, stage::GuardWindow> windows_;
  std::map<std::string, uint32_t> seen_point_;  // the stage a window was sampled under
};

}  // namespace cutover
