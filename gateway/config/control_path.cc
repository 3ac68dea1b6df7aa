#include "config/control_path.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>

namespace cutover {

std::string default_control_dir() {
  if (::geteuid() == 0) return "/run/cutover";
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x == '/') return std::string(x) + "/cutover";
  return "/tmp/cutover-" + std::to_string(::geteuid());
}

std::string control_socket_path(const Config& c) {
  if (c.server.control == "off") return "";
  if (!c.server.control.empty()) return c.server.control;
  if (c.file.empty() || c.file.front() == '<') return default_control_dir() + "/demo.sock";
  char real[PATH_MAX];
  std::string abs = ::realpath(c.file.c_str(), real) ? std::string(real) : c.file;
  uint32_t h = 2166136261u;  // FNV-1a: one name per config file
  for (unsigned char ch : abs) h = (h ^ ch) * 16777619u;
  char name[32];
  std::snprintf(name, sizeof name, "/%08x.sock", h);
  return default_control_dir() + name;
}

}  // namespace cutover
