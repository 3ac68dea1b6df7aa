// A minimal WebDriver client (chromedriver's HTTP API) driving Debian's headless Chromium,
// for the dashboard tests.
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e {

std::string base64_decode(const std::string& in);

struct Browser {
  std::unique_ptr<Process> driver;
  int port = 0;
  std::string session;

  explicit Browser(const std::string& dir);  // starts chromedriver and a headless session
  ~Browser();
  nlohmann::json call(const std::string& method, const std::string& path, const nlohmann::json& body = nlohmann::json::object());
  void open(const std::string& url);
  nlohmann::json run(const std::string& script);
  // Polls `script` until what it returns contains `want`; returns the last value as text.
  std::string wait_text(const std::string& script, const std::string& want,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void click(const std::string& css);
  void type(const std::string& css, const std::string& text);
  bool alert_open();  // a JavaScript alert/prompt/confirm is waiting (which would hang a headless run)
  void screenshot(const std::string& path);
};

}  // namespace e2e
