// The config keys lighttpd 1.4.69 knows: a key outside them is one lighttpd ignores with
// "WARNING: unknown config-key" (a typo, most likely).
#pragma once
#include <string>
#include <vector>

namespace cutover::migrate {

const std::vector<std::string>& lighttpd_keys();
bool is_lighttpd_key(const std::string& key);

}  // namespace cutover::migrate
