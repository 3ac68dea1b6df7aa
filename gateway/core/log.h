// Error log: one line per event, saying what happened, where, and what the operator can do.
#pragma once
#include <string_view>

namespace cutover::log {

enum class Level { debug, info, warn, error };
void set_level(Level l);
void write(Level l, std::string_view msg);
inline void info(std::string_view m) { write(Level::info, m); }
inline void warn(std::string_view m) { write(Level::warn, m); }
inline void error(std::string_view m) { write(Level::error, m); }

}  // namespace cutover::log
