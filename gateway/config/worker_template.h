// Fills the placeholders of a worker command, socket or log path: {index} (0-based, as
// lighttpd numbers max-procs sockets), {port} and {socket}. Pure, unit-tested.
#pragma once
#include <string>

namespace cutover {

inline std::string expand_worker_template(const std::string& t, int index, int port, const std::string& socket) {
  std::string out;
  out.reserve(t.size());
  for (size_t i = 0; i < t.size();) {
    auto take = [&](const char* name, const std::string& value) {
      std::string key = std::string("{") + name + "}";
      if (t.compare(i, key.size(), key) != 0) return false;
      out += value;
      i += key.size();
      return true;
    };
    if (t[i] == '{' && (take("index", std::to_string(index)) || take("port", std::to_string(port)) ||
                        take("socket", socket)))
      continue;
    out += t[i++];
  }
  return out;
}

}  // namespace cutover
