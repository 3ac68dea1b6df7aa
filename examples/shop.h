// The small shop both demo apps serve, the legacy app.cgi and the new HTTP worker, so that
// the demo's shadow compare looks like a real migration: the same pages, a field that
// changes on every answer (noise, learned and filtered), and one real difference — the new
// worker writes item 7's currency in lower case.
#pragma once
#include <sys/time.h>

#include <cstdio>
#include <ctime>
#include <string>

namespace shop {

inline std::string now_text() {  // the noise: a fresh time with milliseconds
  timeval tv;
  ::gettimeofday(&tv, nullptr);
  tm t;
  ::gmtime_r(&tv.tv_sec, &t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour,
                t.tm_min, t.tm_sec, int(tv.tv_usec / 1000));
  return buf;
}

inline const char* kNames[] = {"kettle", "teapot", "mug", "saucer", "spoon", "tray", "strainer", "cosy", "caddy", "timer"};

// /shop/items/N: one item as JSON; nullptr-like "" for an unknown one (404).
inline std::string item_json(int n, bool new_worker) {
  if (n < 1 || n > 10) return "";
  std::string currency = new_worker && n == 7 ? "eur" : "EUR";
  return "{\"item\":" + std::to_string(n) + ",\"name\":\"" + kNames[n - 1] + "\",\"price\":" + std::to_string(n * 3 + 4) +
         ",\"currency\":\"" + currency + "\",\"in_stock\":" + (n % 4 ? "true" : "false") + ",\"generated_at\":\"" +
         now_text() + "\"}\n";
}

// /shop/: the list as an HTML page, rendered at a time that changes on every answer.
inline std::string index_html() {
  std::string h = "<!DOCTYPE html>\n<html><head><title>Tea shop</title></head><body>\n<h1>Tea shop</h1>\n<ul>\n";
  for (int n = 1; n <= 10; ++n)
    h += "<li><a href=\"items/" + std::to_string(n) + "\">" + kNames[n - 1] + "</a> " + std::to_string(n * 3 + 4) + " EUR</li>\n";
  return h + "</ul>\n<p>rendered at " + now_text() + "</p>\n</body></html>\n";
}

}  // namespace shop
