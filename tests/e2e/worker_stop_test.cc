// Scenario: cutover's own shutdown leaves a supervised worker the time it is given to stop.
// A worker that needs 2 s to exit on TERM, up longer than its start_timeout, exits by itself
// within stop_timeout when cutover gets SIGTERM: not SIGKILLed a moment after the TERM.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness.h"

using namespace e2e;

namespace {

TEST(WorkerStop, ASlowWorkerExitsByItselfWithinStopTimeout) {
  std::string dir = temp_dir();
  int port = free_port();
  // Listens on its port (the readiness probe), and on TERM takes 2 s, then says so and exits 0.
  write_file(dir + "/slow.py", R"py(
import signal, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
def term(*_):
    time.sleep(2)
    open(sys.argv[2], "w").write("exited after TERM\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, term)
while True:
    c, _ = s.accept(); c.close()
)py");
  std::string marker = dir + "/exited";
  Gateway gw(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nadmin = \"127.0.0.1:0\"\n"
                  "[pools.slow.workers]\ncommand = [\"python3\", \"" + dir + "/slow.py\", \"{port}\", \"" + marker + "\"]\n"
                  "ports = [" + std::to_string(port) + "]\nstart_timeout = \"1s\"\nstop_timeout = \"6s\"\n"
                  "[[routes]]\nname = \"all\"\nforward = \"slow\"\n");
  int admin = gw.admin_port();
  // Up for longer than start_timeout: the deadline it started with is long past.
  ASSERT_TRUE(wait_until([&] {
    auto r = fetch(admin, "GET", "/api/workers");
    if (!r || r->status != 200) return false;
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (j.is_discarded()) return false;
    for (auto& p : j["workers"])
      for (auto& in : p["instances"])
        if (in.value("uptime_ms", 0) > 1500) return true;
    return false;
  }, 15000)) << gw.proc->log();
  gw.proc->kill(SIGTERM);
  EXPECT_EQ(gw.proc->wait_exit(std::chrono::seconds(15)), 0) << gw.proc->log();
  EXPECT_EQ(read_file(marker), "exited after TERM\n") << gw.proc->log();
  EXPECT_EQ(gw.proc->log().find("SIGKILL"), std::string::npos) << gw.proc->log();
}

}  // namespace
