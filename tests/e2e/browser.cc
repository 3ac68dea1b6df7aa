#include "browser.h"

#include <openssl/evp.h>

#include <stdexcept>
#include <thread>

namespace e2e {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::string base64_decode(const std::string& in) {
  std::string out(in.size() / 4 * 3 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                          int(in.size()));
  if (n < 0) return "";
  size_t pad = 0;  // EVP_DecodeBlock counts the '=' padding as zero bytes
  for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) ++pad;
  out.resize(size_t(n) - pad);
  return out;
}

Browser::Browser(const std::string& dir) {
  port = free_port();
  driver = std::make_unique<Process>(std::vector<std::string>{"/usr/bin/chromedriver", "--port=" + std::to_string(port)},
                                     dir + "/chromedriver.log");
  std::string host = "Host: 127.0.0.1:" + std::to_string(port);
  wait_until([&] {
    auto r = fetch(port, "GET", "/status", "", {host});
    return r && r->status == 200;
  }, 10000);
  json caps = {{"capabilities",
                {{"alwaysMatch",
                  {{"browserName", "chrome"},
                   {"unhandledPromptBehavior", "ignore"},  // a prompt() stays open, so alert_open() can see it
                   {"goog:chromeOptions",
                    {{"binary", "/usr/bin/chromium"},
                     {"args", {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                               "--window-size=1400,1100"}}}}}}}}};
  json r = call("POST", "/session", caps);
  session = r["value"]["sessionId"].get<std::string>();
}

Browser::~Browser() {
  if (!session.empty()) fetch(port, "DELETE", "/session/" + session, "", {"Host: 127.0.0.1:" + std::to_string(port)});
}

json Browser::call(const std::string& method, const std::string& path, const json& body) {
  auto r = fetch(port, method, path, method == "GET" ? "" : body.dump(),
                 {"Content-Type: application/json", "Host: 127.0.0.1:" + std::to_string(port)});
  if (!r) throw std::runtime_error("chromedriver did not answer " + path);
  auto j = json::parse(r->body, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error("chromedriver: " + r->body);
  if (r->status != 200) throw std::runtime_error("chromedriver " + path + ": " + r->body);
  return j;
}

void Browser::open(const std::string& url) { call("POST", "/session/" + session + "/url", {{"url", url}}); }

json Browser::run(const std::string& script) {
  return call("POST", "/session/" + session + "/execute/sync", {{"script", script}, {"args", json::array()}})["value"];
}

std::string Browser::wait_text(const std::string& script, const std::string& want, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < end) {
    json v = run(script);
    last = v.is_string() ? v.get<std::string>() : v.dump();
    if (last.find(want) != std::string::npos) return last;
    std::this_thread::sleep_for(100ms);  // polling the page: the browser has no event to wait on from here
  }
  return last;
}

void Browser::click(const std::string& css) {
  json e = call("POST", "/session/" + session + "/element", {{"using", "css selector"}, {"value", css}});
  std::string id = e["value"].begin().value().get<std::string>();
  call("POST", "/session/" + session + "/element/" + id + "/click");
}

void Browser::type(const std::string& css, const std::string& text) {
  json e = call("POST", "/session/" + session + "/element", {{"using", "css selector"}, {"value", css}});
  std::string id = e["value"].begin().value().get<std::string>();
  call("POST", "/session/" + session + "/element/" + id + "/clear");
  call("POST", "/session/" + session + "/element/" + id + "/value", {{"text", text}});
}

bool Browser::alert_open() {
  auto r = fetch(port, "GET", "/session/" + session + "/alert/text", "", {"Host: 127.0.0.1:" + std::to_string(port)});
  return r && r->status == 200;  // 404 "no such alert" otherwise
}

void Browser::screenshot(const std::string& path) {
  json shot = call("GET", "/session/" + session + "/screenshot");
  write_file(path, base64_decode(shot["value"].get<std::string>()));
}

}  // namespace e2e
