#include "stage/state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cutover::stage {

std::string load_state(const std::string& path, StageMap& out) {
  out.clear();
  std::ifstream in(path);
  if (!in) return errno == ENOENT ? "" : path + ": " + std::strerror(errno);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("routes") || !j["routes"].is_object())
    return path + ": not a cutover state file (expected {\"routes\": {...}})";
  for (auto& [name, v] : j["routes"].items()) {
    if (!v.is_object() || !v.contains("stage") || !v["stage"].is_string())
      return path + ": route \"" + name + "\": expected {\"stage\": ..., \"percent\": ...}";
    auto st = parse_stage(v["stage"].get<std::string>());
    if (!st) return path + ": route \"" + name + "\": unknown stage \"" + v["stage"].get<std::string>() + "\"";
    StagePoint p{*st, *st == Stage::new_ ? kBuckets : 0};
    if (*st == Stage::canary) {
      if (!v.contains("percent") || !v["percent"].is_number() || v["percent"].get<double>() <= 0 ||
          v["percent"].get<double>() >= 100)
        return path + ": route \"" + name + "\": canary needs a percent between 0 and 100";
      p.share_bp = percent_to_bp(v["percent"].get<double>());
    }
    out[name] = p;
  }
  return "";
}

std::string save_state(const std::string& path, const StageMap& m) {
  nlohmann::json j;
  j["routes"] = nlohmann::json::object();
  for (auto& [name, p] : m) {
    nlohmann::json r;
    r["stage"] = stage_name(p.stage);
    if (p.stage == Stage::canary) r["percent"] = p.share_bp / 100.0;
    j["routes"][name] = r;
  }
  std::string text = j.dump(2) + "\n";
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return tmp + ": " + std::strerror(errno);
  bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(tmp.c_str());
    return path + ": " + std::strerror(err);
  }
  return "";
}

}  // namespace cutover::stage
