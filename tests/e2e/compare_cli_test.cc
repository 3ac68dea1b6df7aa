// `cutover compare` against real workers that differ, from a request file and from an
// access log, with noise learned by asking A twice.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e {
namespace {

using namespace std::chrono_literals;


TEST(CompareCli, TwoWorkersThatDifferFromARequestFile) {
  std::string dir = temp_dir();
  Worker a(dir, "alpha"), b(dir, "beta");
  write_file(dir + "/requests.txt", "# what the legacy app served\n/\n/status/404\nHEAD /\nGET /echo?x=1\n");
  std::string base_a = "http://" + a.address(), base_b = "http://" + b.address();
  auto [code, out] = run_cutover(dir, {"compare", "--a", base_a, "--b", base_b, "--requests", dir + "/requests.txt", "--body", "text",
                               "--json", dir + "/report.json", "--html", dir + "/report.html"});
  EXPECT_EQ(code, 1) << out;  // 2 of 4 differ, above the default 0
  EXPECT_NE(out.find("DIFF   GET /\n"), std::string::npos) << out;
  EXPECT_NE(out.find("DIFF   GET /echo?x=1"), std::string::npos) << out;
  EXPECT_EQ(out.find("DIFF   GET /status/404"), std::string::npos) << out;
  EXPECT_EQ(out.find("DIFF   HEAD /"), std::string::npos) << out;
  EXPECT_NE(out.find("4 requests, 2 equal, 2 different"), std::string::npos) << out;
  auto j = nlohmann::json::parse(read_file(dir + "/report.json"));
  EXPECT_EQ(j["summary"]["different"], 2);
  size_t text_fields = 0;  // text compares token by token: fields "text:N"
  for (auto& [k, v] : j["summary"]["by_field"].items()) text_fields += k.rfind("text:", 0) == 0 ? v.get<size_t>() : 0;
  EXPECT_GE(text_fields, 2u) << j["summary"].dump();
  EXPECT_NE(read_file(dir + "/report.html").find("/echo?x=1"), std::string::npos);
  auto [ok, out2] = run_cutover(dir, {"compare", "--a", base_a, "--b", base_b, "--requests", dir + "/requests.txt", "--max-diff-rate", "0.5"});
  EXPECT_EQ(ok, 0) << out2;
  write_file(dir + "/bad.txt", "POST /x\n");
  auto [bad, out3] = run_cutover(dir, {"compare", "--a", base_a, "--b", base_b, "--requests", dir + "/bad.txt"});
  EXPECT_EQ(bad, 2);
  EXPECT_NE(out3.find("line 1: only GET and HEAD are replayed"), std::string::npos) << out3;
}

TEST(CompareCli, AccessLogReplayAndNoiseLearnedFromATwiceAskedA) {
  std::string dir = temp_dir();
  std::atomic<int> calls{0};
  auto answer = [&](const std::string& head, int v) {
    std::string body = "{\"request\":" + std::to_string(++calls) + ",\"value\":" + std::to_string(v) + "}";
    bool price = head.find("GET /price") == 0;
    if (price) body = "{\"request\":" + std::to_string(calls) + ",\"price\":" + std::to_string(v * 10) + "}";
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  ScriptedBackend a([&](const std::string& h, int) { return answer(h, 1); });
  ScriptedBackend b([&](const std::string& h, int) { return answer(h, h.find("GET /price") == 0 ? 2 : 1); });
  write_file(dir + "/access.log",
             "127.0.0.1 - - [25/Nov/2026:23:50:01 +0000] \"GET /item?id=1 HTTP/1.1\" 200 10 \"-\" \"curl\"\n"
             "127.0.0.1 - - [25/Nov/2026:23:50:02 +0000] \"POST /cart HTTP/1.1\" 200 10 \"-\" \"curl\"\n"
             "127.0.0.1 - - [25/Nov/2026:23:50:03 +0000] \"GET /price HTTP/1.1\" 200 10 \"-\" \"curl\"\n");
  auto [code, out] = run_cutover(dir, {"compare", "--a", "http://" + a.address(), "--b", "http://" + b.address(), "--access-log",
                               dir + "/access.log", "--body", "json", "--json", dir + "/r.json"});
  EXPECT_EQ(code, 1) << out;
  auto j = nlohmann::json::parse(read_file(dir + "/r.json"));
  ASSERT_EQ(j["requests"].size(), 2u) << "the POST is not replayed";
  EXPECT_TRUE(j["requests"][0]["differences"].empty()) << j["requests"][0].dump() << " (/request changes on every call: noise)";
  ASSERT_EQ(j["requests"][1]["differences"].size(), 1u) << j["requests"][1].dump();
  EXPECT_EQ(j["requests"][1]["differences"][0]["field"], "json:/price");
}

// The case, with no option: two JSON services whose every answer carries noise (a
// fresh timestamp and request id), differing for real on five paths (price 10 -> 11) and
// one 404. Compare must name exactly those six paths.
TEST(CompareCli, NoiseInEveryAnswerAndSixRealDifferencesByDefault) {
  std::string dir = temp_dir();
  std::atomic<uint64_t> seq{0};
  ScriptedBackend a([&](const std::string& h, int) { return noisy_json_answer(h, false, ++seq); });
  ScriptedBackend b([&](const std::string& h, int) { return noisy_json_answer(h, true, ++seq); });
  std::string paths;
  for (int i = 1; i <= 26; ++i) paths += "/items/" + std::to_string(i) + "\n";  // 5, 10, 15, 20, 25 differ; 13 is a 404
  write_file(dir + "/paths.txt", paths);
  auto [code, out] = run_cutover(dir, {"compare", "--a", "http://" + a.address(), "--b", "http://" + b.address(), "--requests",
                               dir + "/paths.txt", "--json", dir + "/r.json"});
  EXPECT_EQ(code, 1) << out;
  std::set<std::string> named;
  for (size_t p = out.find("DIFF   GET "); p != std::string::npos; p = out.find("DIFF   GET ", p + 1))
    named.insert(out.substr(p + 11, out.find('\n', p) - p - 11));
  EXPECT_EQ(named, (std::set<std::string>{"/items/5", "/items/10", "/items/13", "/items/15", "/items/20", "/items/25"})) << out;
  EXPECT_NE(out.find("26 requests, 20 equal, 6 different"), std::string::npos) << out;
  auto j = nlohmann::json::parse(read_file(dir + "/r.json"));
  EXPECT_EQ(j["summary"]["by_field"]["json:/price"], 6) << j["summary"].dump();  // the five, and absent from the 404
  // Noise is reported per field: the two that change on every call, as often as A was asked twice.
  EXPECT_EQ(j["summary"]["noise_by_field"], nlohmann::json({{"json:/generated_at", 26}, {"json:/request_id", 26}})) << j["summary"].dump();
  EXPECT_NE(out.find("noise (differs between two answers of A"), std::string::npos) << out;
}

}  // namespace
}  // namespace e2e
