// Staged cutover end to end: the sticky split between a legacy pool and a new one, the
// off-path compare, stages moved by the CLI and the admin API and kept in the state file,
// and a guard that steps a route back by itself.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "harness.h"

namespace e2e {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

std::string http_response(int status, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra +
         "\r\n" + body;
}

std::string path_of(const std::string& head) {
  size_t a = head.find(' ') + 1;
  return head.substr(a, head.find(' ', a) - a);
}

std::string config(const std::string& legacy, const std::string& fresh, const std::string& rollout,
                   const std::string& server_extra = "") {
  return "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nadmin = \"127.0.0.1:0\"\n" + server_extra +
         "[pools.legacy]\nbackends = [\"" + legacy + "\"]\n"
         "[pools.warp]\nbackends = [\"" + fresh + "\"]\n"
         "[[routes]]\nname = \"app\"\nforward = \"legacy\"\n"
         "[routes.rollout]\nto = \"warp\"\n" + rollout;
}

std::string admin_of(Gateway& gw) {
  auto line = gw.proc->wait_for("admin API on http://127.0.0.1:", 10s);
  return line ? "127.0.0.1:" + *line : "";
}

json routes(const std::string& admin) {
  size_t colon = admin.rfind(':');
  auto r = fetch(std::stoi(admin.substr(colon + 1)), "GET", "/api/routes");
  return r ? json::parse(r->body) : json();
}

json rollout_of(const std::string& admin) { return routes(admin)["routes"][0]["rollout"]; }


// Waits until the compare counters have settled at `n` compared answers (the copies run
// after the client got its answer).
json wait_compared(const std::string& admin, uint64_t n) {
  json o;
  wait_until([&] {
    o = rollout_of(admin);
    auto& c = o["compare"];
    return c["compared"].get<uint64_t>() + c["candidate_errors"].get<uint64_t>() + c["skipped"].get<uint64_t>() +
               c["dropped"].get<uint64_t>() + c["over_rate"].get<uint64_t>() >= n;
  }, 5000);
  return o;
}

TEST(Rollout, StickyCookieSplitMatchesTheShareAndMovesOnlyOldToNew) {
  std::string dir = temp_dir();
  Worker legacy(dir, "legacy"), fresh(dir, "new");
  const std::string rollout = "stage = \"canary\"\npercent = 30\nsecret = \"0123456789abcdef-test\"\n";
  Gateway gw(dir, config(legacy.address(), fresh.address(), rollout));
  std::string admin = admin_of(gw);
  ASSERT_FALSE(admin.empty());
  // 400 users: each gets a cookie on its first request and keeps its side.
  std::vector<std::string> cookies;
  std::vector<bool> on_new;
  for (int u = 0; u < 400; ++u) {
    auto r = fetch(gw.port, "GET", "/");
    ASSERT_TRUE(r);
    std::string sc = r->header("Set-Cookie");
    ASSERT_EQ(sc.rfind("cutover_app=", 0), 0u) << sc;
    cookies.push_back(sc.substr(0, sc.find(';')));
    bool is_new = r->body.find("hello from new") != std::string::npos;
    on_new.push_back(is_new);
    for (int again = 0; again < 2; ++again) {
      auto r2 = fetch(gw.port, "GET", "/", "", {"Cookie: " + cookies.back()});
      ASSERT_TRUE(r2);
      EXPECT_EQ(r2->body.find("hello from new") != std::string::npos, is_new) << "user " << u << " changed sides";
      EXPECT_EQ(r2->header("Set-Cookie"), "") << "a valid cookie is kept";
    }
  }
  double share = double(std::count(on_new.begin(), on_new.end(), true)) / double(on_new.size());
  EXPECT_NEAR(share, 0.30, 0.07) << "400 users; the 10,000-user check is the unit test";
  // Promote 30% -> 50%: nobody moves back to legacy.
  auto [code, out] = run_cutover(dir, {"route", "set", "app", "canary", "50", "--admin", admin});
  ASSERT_EQ(code, 0) << out;
  int moved = 0;
  for (size_t u = 0; u < cookies.size(); ++u) {
    auto r = fetch(gw.port, "GET", "/", "", {"Cookie: " + cookies[u]});
    ASSERT_TRUE(r);
    bool is_new = r->body.find("hello from new") != std::string::npos;
    EXPECT_FALSE(on_new[u] && !is_new) << "user " << u << " moved new -> old";
    moved += !on_new[u] && is_new;
  }
  EXPECT_GT(moved, 0);
  // A second instance with the same secret puts every user on the same side.
  std::string dir2 = temp_dir();
  Gateway gw2(dir2, config(legacy.address(), fresh.address(), "stage = \"canary\"\npercent = 50\nsecret = \"0123456789abcdef-test\"\n"));
  for (size_t u = 0; u < 100; ++u) {
    auto a = fetch(gw.port, "GET", "/", "", {"Cookie: " + cookies[u]});
    auto b = fetch(gw2.port, "GET", "/", "", {"Cookie: " + cookies[u]});
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->body.substr(0, 14), b->body.substr(0, 14)) << "instances disagree on user " << u;
  }
  // A forged cookie is not honoured: it is replaced.
  auto f = fetch(gw.port, "GET", "/", "", {"Cookie: cutover_app=0000000000000001.0000000000000000"});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->header("Set-Cookie").rfind("cutover_app=", 0), 0u);
}

TEST(Rollout, NewSideGetsTheShapedRequest) {
  std::string dir = temp_dir();
  Worker legacy(dir, "legacy"), fresh(dir, "new");
  Gateway gw(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n[pools.legacy]\nbackends = [\"" + legacy.address() +
                      "\"]\n[pools.warp]\nbackends = [\"" + fresh.address() +
                      "\"]\n[[routes]]\nname = \"app\"\nmatch = { prefix = \"/app\" }\nforward = \"legacy\"\n"
                      "[routes.rollout]\nto = \"warp\"\nstage = \"new\"\npath = \"stripped\"\n");
  auto echo = parse_echo(fetch(gw.port, "GET", "/app/echo?x=1", "", {"X-Forwarded-Prefix: /spoofed"})->body);
  EXPECT_EQ(echo.find("target")->second, "/echo?x=1");
  EXPECT_EQ(echo.find("worker")->second.rfind("new ", 0), 0u);
  std::set<std::string> prefixes, script;
  for (auto [it, end] = echo.equal_range("header:X-Forwarded-Prefix"); it != end; ++it) prefixes.insert(it->second);
  for (auto [it, end] = echo.equal_range("header:X-Script-Name"); it != end; ++it) script.insert(it->second);
  EXPECT_EQ(prefixes, std::set<std::string>{"/app"}) << "the client's value is replaced, not passed";
  EXPECT_EQ(script, std::set<std::string>{"/app"});
}

// Two scripted backends that differ in a known set of ways, one path per way.
std::string legacy_answer(const std::string& head) {
  std::string p = path_of(head);
  static int calls = 0;
  ++calls;
  if (p == "/status") return http_response(200, "ok");
  if (p == "/header") return http_response(200, "ok", "X-Flavour: vanilla\r\n");
  if (p == "/json") return http_response(200, "{\"user\":{\"name\":\"ann\",\"id\":7},\"t\":1}", "Content-Type: application/json\r\n");
  if (p == "/noise") return http_response(200, "{\"req\":" + std::to_string(calls) + ",\"v\":1}");
  return http_response(200, "same for everyone");
}
std::string new_answer(const std::string& head) {
  std::string p = path_of(head);
  if (p == "/status") return http_response(201, "ok");
  if (p == "/header") return http_response(200, "ok", "X-Flavour: chocolate\r\n");
  if (p == "/json") return http_response(200, "{\"t\":99, \"user\":{\"id\":7,\"name\":\"bob\"}}", "Content-Type: application/json\r\n");
  if (p == "/noise") return http_response(200, "{\"req\":123456,\"v\":1}");
  return http_response(200, "same for everyone");
}

TEST(Rollout, CompareReportsExactlyTheDifferencesOnceEach) {
  std::string dir = temp_dir();
  ScriptedBackend legacy([](const std::string& h, int) { return legacy_answer(h); });
  ScriptedBackend fresh([](const std::string& h, int) { return new_answer(h); });
  Gateway gw(dir, config(legacy.address(), fresh.address(),
                         "stage = \"shadow\"\ncompare = { body = \"json\", ignore_paths = [\"/t\"], secondary = \"legacy\" }\n"));
  std::string admin = admin_of(gw);
  ASSERT_FALSE(admin.empty());
  for (const char* p : {"/same", "/same", "/status", "/header", "/json", "/noise", "/same"}) {
    auto r = fetch(gw.port, "GET", p);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << "the client always gets the legacy answer";
  }
  json o = wait_compared(admin, 7);
  EXPECT_EQ(o["compare"]["compared"], 7);
  EXPECT_EQ(o["compare"]["equal"], 4) << o.dump(2);  // /same x3 and /noise (noise learned from the secondary)
  EXPECT_EQ(o["compare"]["different"], 3);
  json by_field = o["compare"]["by_field"];
  EXPECT_EQ(by_field, json({{"status", 1}, {"header:x-flavour", 1}, {"json:/user/name", 1}})) << by_field.dump();
  ASSERT_EQ(o["samples"].size(), 3u);
  bool saw_name = false;
  for (auto& s : o["samples"])
    for (auto& d : s["differences"])
      if (d["field"] == "json:/user/name") saw_name = d["legacy"] == "\"ann\"" && d["new"] == "\"bob\"";
  EXPECT_TRUE(saw_name) << o["samples"].dump(2);
}

// The compare issue's case in shadow, with no compare option in the config: noise in every
// answer (learned by asking the legacy pool twice), five changed prices and one 404.
TEST(Rollout, ShadowFindsTheSixRealDifferencesWithNoCompareOptions) {
  std::string dir = temp_dir();
  std::atomic<uint64_t> seq{0};
  ScriptedBackend legacy([&](const std::string& h, int) { return noisy_json_answer(h, false, ++seq); });
  ScriptedBackend fresh([&](const std::string& h, int) { return noisy_json_answer(h, true, ++seq); });
  Gateway gw(dir, config(legacy.address(), fresh.address(), "stage = \"shadow\"\n"));
  std::string admin = admin_of(gw);
  ASSERT_FALSE(admin.empty());
  for (int i = 1; i <= 26; ++i) ASSERT_EQ(fetch(gw.port, "GET", "/items/" + std::to_string(i))->status, 200);
  json o = wait_compared(admin, 26);
  EXPECT_EQ(o["compare"]["compared"], 26) << o.dump(2);
  EXPECT_EQ(o["compare"]["different"], 6) << o.dump(2);
  EXPECT_GE(o["compare"]["noise_by_field"]["json:/request_id"].get<uint64_t>(), 6u) << o["compare"].dump();
  std::set<std::string> targets;
  for (auto& s : o["samples"])  // grouped by what differs: the five prices, the 404
    for (auto& t : s["targets"]) targets.insert(t.get<std::string>());
  EXPECT_EQ(targets, (std::set<std::string>{"GET /items/5", "GET /items/10", "GET /items/13", "GET /items/15", "GET /items/20",
                                            "GET /items/25"}))
      << o["samples"].dump(2);
}

TEST(Rollout, IdenticalBackendsShowNoDifference) {
  std::string dir = temp_dir();
  Worker a(dir, "same"), b(dir, "same");
  Gateway gw(dir, config(a.address(), b.address(),
                         "stage = \"shadow\"\ncompare = { body = \"text\", normalize = [[\"port \\\\d+\", \"port N\"]] }\n"));
  std::string admin = admin_of(gw);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(fetch(gw.port, "GET", i % 2 ? "/" : "/status/404"));
  json o = wait_compared(admin, 30);
  EXPECT_EQ(o["compare"]["compared"], 30);
  EXPECT_EQ(o["compare"]["different"], 0) << o["samples"].dump(2);
}

// The copy for the candidate carries the request as the legacy side got it: header edits
// (request_headers) included, so they cannot show up as differences.
TEST(Rollout, TheCandidateGetsTheEditedRequest) {
  std::string dir = temp_dir();
  Worker a(dir, "same"), b(dir, "same");
  Gateway gw(dir, config(a.address(), b.address(),
                         "stage = \"shadow\"\ncompare = { body = \"text\", normalize = [[\"port \\\\d+\", \"port N\"]] }\n",
                         "request_headers = { set = { \"X-Tenant\" = \"blue\" }, add = { \"X-Via\" = \"cutover\" } }\n"));
  std::string admin = admin_of(gw);
  for (int i = 0; i < 10; ++i) {
    auto r = fetch(gw.port, "GET", "/echo", "", {"X-Tenant: red"});
    ASSERT_TRUE(r);
    EXPECT_NE(r->body.find("header: X-Tenant: blue\n"), std::string::npos) << r->body;
  }
  json o = wait_compared(admin, 10);
  EXPECT_EQ(o["compare"]["compared"], 10);
  EXPECT_EQ(o["compare"]["different"], 0) << o["samples"].dump(2);
}

// A candidate that sleeps 5 s, or is down, costs the legacy side nothing.
TEST(Rollout, SlowOrDeadCandidateLeavesThePrimaryAlone) {
  std::string dir = temp_dir();
  Worker legacy(dir, "legacy");
  ScriptedBackend slow([](const std::string&, int) {
    pace(5s);  // a candidate far slower than the legacy side
    return http_response(200, "late");
  });
  auto measure = [&](const std::string& stage, const std::string& candidate, json* after) {
    std::string d = temp_dir();
    Gateway gw(d, config(legacy.address(), candidate,
                         "stage = \"" + stage + "\"\ncompare = { concurrency = 4, queue = 8, max_rate = 0 }\n"));
    std::string admin = admin_of(gw);
    Client c(gw.port);
    std::vector<double> ms;
    for (int i = 0; i < 150; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
      auto r = c.read(false, std::chrono::seconds(1));  // never waits for the 5 s candidate
      EXPECT_TRUE(r && r->status == 200) << stage << " " << candidate << ": request " << i;
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      if (!r) break;
    }
    std::sort(ms.begin(), ms.end());
    if (after) *after = rollout_of(admin);
    return std::make_pair(ms[ms.size() * 99 / 100], ms.back());
  };
  json slow_state, dead_state;
  auto off = measure("legacy", slow.address(), nullptr);
  auto with_slow = measure("shadow", slow.address(), &slow_state);
  auto with_dead = measure("shadow", "127.0.0.1:1", &dead_state);
  std::printf("primary p99 / max (ms): compare off %.2f / %.2f, candidate sleeping 5s %.2f / %.2f, candidate down %.2f / %.2f\n",
              off.first, off.second, with_slow.first, with_slow.second, with_dead.first, with_dead.second);
  EXPECT_GT(slow_state["compare"]["dropped"].get<uint64_t>(), 100u) << "beyond 4 in flight + 8 queued, copies are dropped";
  EXPECT_GT(dead_state["compare"]["candidate_errors"].get<uint64_t>(), 0u);
}

TEST(Rollout, BodiesOverTheCaptureLimitAreSkippedAndCounted) {
  std::string dir = temp_dir();
  Worker a(dir, "same"), b(dir, "same");
  Gateway gw(dir, config(a.address(), b.address(),
                         "stage = \"shadow\"\ncompare = { methods = [\"POST\"], max_body = \"1KiB\", body = \"text\", "
                         "normalize = [[\"worker: same port \\\\d+\", \"w\"], [\"Host: [^ ]+\", \"h\"]] }\n"));
  std::string admin = admin_of(gw);
  auto small = fetch(gw.port, "POST", "/echo", std::string(100, 'x'));
  auto large = fetch(gw.port, "POST", "/echo", std::string(5000, 'y'));
  ASSERT_TRUE(small && large);
  EXPECT_EQ(large->status, 200);
  EXPECT_NE(large->body.find(std::string(5000, 'y')), std::string::npos) << "the client still gets its whole answer";
  json o = wait_compared(admin, 2);
  EXPECT_EQ(o["compare"]["skipped"], 1);
  EXPECT_EQ(o["compare"]["compared"], 1);
  EXPECT_EQ(o["compare"]["different"], 0) << o["samples"].dump(2);
}

TEST(Rollout, StagesMoveByCliAndApiAndSurviveARestart) {
  std::string dir = temp_dir();
  Worker legacy(dir, "legacy"), fresh(dir, "new");
  std::string state = dir + "/state.json";
  std::string cfg = config(legacy.address(), fresh.address(), "steps = [5, 25]\n", "state_file = \"" + state + "\"\n");
  {
    Gateway gw(dir, cfg);
    std::string admin = admin_of(gw);
    EXPECT_EQ(rollout_of(admin)["describe"], "legacy");
    std::vector<std::string> walk;
    for (int i = 0; i < 3; ++i) {
      auto [code, out] = run_cutover(dir, {"route", "promote", "app", "--admin", admin});
      ASSERT_EQ(code, 0) << out;
      walk.push_back(rollout_of(admin)["describe"]);
    }
    EXPECT_EQ(walk, (std::vector<std::string>{"shadow", "canary 5%", "canary 25%"}));
    size_t colon = admin.rfind(':');
    auto r = fetch(std::stoi(admin.substr(colon + 1)), "POST", "/api/routes/app/demote");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(rollout_of(admin)["describe"], "canary 5%");
    auto bad = run_cutover(dir, {"route", "set", "app", "canary", "150", "--admin", admin});
    EXPECT_EQ(bad.first, 1);
    EXPECT_NE(bad.second.find("percentage"), std::string::npos) << bad.second;
    auto events = rollout_of(admin)["events"];
    EXPECT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0]["what"], "legacy -> shadow (CLI from 127.0.0.1)") << "the actor of each move is kept";
    EXPECT_EQ(events[0]["actor"], "CLI from 127.0.0.1");
    EXPECT_EQ(events.back()["what"], "canary 25% -> canary 5% (API client 127.0.0.1)");
  }
  EXPECT_NE(read_file(state).find("\"percent\": 5.0"), std::string::npos) << read_file(state);
  {
    Gateway gw(temp_dir(), cfg);  // a fresh log: the same state file
    std::string admin = admin_of(gw);
    EXPECT_EQ(rollout_of(admin)["describe"], "canary 5%") << "the stage came back from the state file";
  }
  write_file(state, "{\"routes\": {\"app\": {\"stage\": \"canary\"");  // torn
  {
    Gateway gw(temp_dir(), cfg);
    std::string admin = admin_of(gw);
    EXPECT_EQ(rollout_of(admin)["describe"], "legacy") << "a corrupt file: the config's stage";
    EXPECT_NE(gw.proc->log().find("state file unusable, using the stages of the config"), std::string::npos);
  }
}

// A legacy worker and a new side that answers every request with a 500, under `rollout`.
struct BrokenNewSide {
  std::string dir = temp_dir();
  Worker legacy{dir, "legacy"};
  ScriptedBackend broken{[](const std::string&, int) { return http_response(500, "database is down"); }};
  Gateway gw;
  std::string admin;
  explicit BrokenNewSide(const std::string& rollout)
      : gw(dir, config(legacy.address(), broken.address(), rollout)), admin(admin_of(gw)) {}
};

TEST(Rollout, GuardTripsOnCandidate5xxAndStepsBackWithOnTripStep) {
  BrokenNewSide s("stage = \"canary\"\npercent = 50\nsticky = \"header:X-User\"\n"
                  "guards = { max_error_rate = 0.1, window = \"3s\", min_requests = 5, on_trip = \"step\", max_consecutive_errors = 0 }\n");
  Gateway& gw = s.gw;
  std::string& admin = s.admin;
  std::string stage;
  int user = 0;
  wait_until([&] {  // requests from new users until the guard trips
    fetch(gw.port, "GET", "/", "", {"X-User: " + std::to_string(user++)});
    return (stage = rollout_of(admin)["describe"]) != "canary 50%";
  });
  EXPECT_NE(stage, "canary 50%") << "the guard did not trip";
  auto events = rollout_of(admin)["events"];
  ASSERT_FALSE(events.empty());
  std::string what = events[0]["what"];
  EXPECT_NE(what.find("canary 50% -> canary 10% (guard: candidate error rate 1.000 > 0.100"), std::string::npos) << what;
  EXPECT_NE(gw.proc->log().find("guard tripped: candidate error rate"), std::string::npos);
}

}  // namespace
// The case: canary 20%, then every answer of the new side is a 500. The guard sends
// the route back to shadow at once (compare is on), no new user reaches the new side from
// then on, and it stays back (auto_promote waits for a person); route status says why.
TEST(Rollout, ATrippedGuardGoesBackToShadowAtOnceAndStays) {
  std::string dir = temp_dir();
  Worker legacy(dir, "legacy");
  std::atomic<bool> failing{false};
  ScriptedBackend fresh([&](const std::string&, int) { return failing ? http_response(500, "database is down") : http_response(200, "ok"); });
  Gateway gw(dir, config(legacy.address(), fresh.address(),
                         "stage = \"canary\"\npercent = 20\nsticky = \"header:X-User\"\n"
                         "guards = { max_error_rate = 0.2, window = \"5s\", min_requests = 20, auto_promote = true }\n"));
  std::string admin = admin_of(gw);
  ASSERT_FALSE(admin.empty());
  failing = true;
  int user = 0;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (rollout_of(admin)["stage"] == "canary" && std::chrono::steady_clock::now() < deadline)
    fetch(gw.port, "GET", "/", "", {"X-User: " + std::to_string(user++)});
  json o = rollout_of(admin);
  ASSERT_EQ(o["describe"], "shadow") << o.dump(2);
  EXPECT_TRUE(o["tripped"].get<bool>());
  // New users from now on: every one is answered by the legacy side (shadow copies still go
  // to the new side, off the serving path, for evidence).
  int served_by_new = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = fetch(gw.port, "GET", "/", "", {"X-User: late-" + std::to_string(i)});
    ASSERT_TRUE(r);
    served_by_new += r->status != 200 || r->body.find("legacy") == std::string::npos;
  }
  EXPECT_EQ(served_by_new, 0) << "new users reached the failing side after the trip";
  auto [code, status] = run_cutover(dir, {"route", "status", "--admin", admin});
  EXPECT_EQ(code, 0) << status;
  EXPECT_NE(status.find("tripped"), std::string::npos) << status;
  EXPECT_NE(status.find("canary 20% -> shadow (guard: "), std::string::npos) << status;
  // A person promotes it again: the trip is over.
  auto [pc, pout] = run_cutover(dir, {"route", "promote", "app", "--admin", admin});
  EXPECT_EQ(pc, 0) << pout;
  EXPECT_FALSE(rollout_of(admin)["tripped"].get<bool>());
}

// At 1% the new side gets too few answers for a rate; failures in a row trip it all the same.
TEST(Rollout, ConsecutiveErrorsTripAtAOnePercentShare) {
  // No rate limit here (the small-sample bound would trip first): the rule in a row alone.
  BrokenNewSide s("stage = \"canary\"\npercent = 1\nsticky = \"header:X-User\"\ncompare = { enabled = false }\n"
                  "guards = { window = \"60s\", min_requests = 100 }\n");
  Gateway& gw = s.gw;
  std::string& admin = s.admin;
  ASSERT_FALSE(admin.empty());
  auto start = std::chrono::steady_clock::now();
  int user = 0;
  while (rollout_of(admin)["stage"] == "canary" && std::chrono::steady_clock::now() - start < 20s) {
    for (int i = 0; i < 20; ++i) fetch(gw.port, "GET", "/", "", {"X-User: " + std::to_string(user++)});
  }
  json o = rollout_of(admin);
  EXPECT_EQ(o["describe"], "legacy") << "compare is off: back to legacy\n" << o.dump(2);
  bool said = false;
  for (auto& e : o["events"]) said = said || e["what"].get<std::string>().find("candidate errors in a row") != std::string::npos;
  EXPECT_TRUE(said) << o["events"].dump(2);
  std::printf("consecutive errors tripped after %d new users (%.1fs)\n", user,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

// The pace: 200 requests a second at canary 1% give the new side about 2 answers a
// second. Two failures of two are a verdict already (their 95% lower bound is over the limit).
TEST(Rollout, AOnePercentCanaryAt200RequestsASecondTripsWithinSeconds) {
  BrokenNewSide s("stage = \"canary\"\npercent = 1\nsticky = \"header:X-User\"\ncompare = { enabled = false }\n"
                  "guards = { max_error_rate = 0.2, window = \"60s\", min_requests = 100 }\n");
  ASSERT_FALSE(s.admin.empty());
  auto start = std::chrono::steady_clock::now();
  int user = 0, failed_answers = 0;
  while (rollout_of(s.admin)["stage"] == "canary" && std::chrono::steady_clock::now() - start < 10s) {  // within seconds
    auto next = std::chrono::steady_clock::now() + 5ms;  // 200 a second
    auto r = fetch(s.gw.port, "GET", "/", "", {"X-User: " + std::to_string(user++)});
    failed_answers += r && r->status == 500;
    pace(std::chrono::duration_cast<std::chrono::milliseconds>(next - std::chrono::steady_clock::now()));  // 200 a second
  }
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(rollout_of(s.admin)["describe"], "legacy");
  std::printf("1%% canary at 200 requests/s: tripped after %.1fs, %d users, %d of them got the failing side\n", took, user,
              failed_answers);
}

// With compare on in canary (compare.always), the copy of every legacy answer is evidence
// too: at 1% of 200 requests a second the candidate fails five times in a row within a few
// requests, and that verdict is taken at once (not at the next second's tick).
TEST(Rollout, AOnePercentCanaryWithCopiesTripsWithinASecondsRequests) {
  BrokenNewSide s("stage = \"canary\"\npercent = 1\nsticky = \"header:X-User\"\ncompare = { always = true }\n"
                  "guards = { max_error_rate = 0.2, window = \"60s\", min_requests = 100 }\n");
  ASSERT_FALSE(s.admin.empty());
  auto start = std::chrono::steady_clock::now();
  int user = 0;
  while (rollout_of(s.admin)["stage"] == "canary" && std::chrono::steady_clock::now() - start < 30s) {
    auto next = std::chrono::steady_clock::now() + 5ms;  // 200 a second
    fetch(s.gw.port, "GET", "/", "", {"X-User: " + std::to_string(user++)});
    pace(std::chrono::duration_cast<std::chrono::milliseconds>(next - std::chrono::steady_clock::now()));  // 200 a second
  }
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  json o = rollout_of(s.admin);
  EXPECT_EQ(o["describe"], "shadow") << o.dump(2);  // compare is on: evidence keeps coming
  bool said = false;
  for (auto& e : o["events"]) said = said || e["what"].get<std::string>().find("candidate errors in a row") != std::string::npos;
  EXPECT_TRUE(said) << o["events"].dump(2);
  std::printf("1%% canary at 200 requests/s with copies: tripped after %.2fs, %d requests\n", took, user);
  EXPECT_LT(user, 50) << "a quarter of a second's requests at 200 a second: the verdict waited for a tick";
}

}  // namespace e2e
