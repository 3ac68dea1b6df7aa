// The live dashboard, served by the admin listener at / : one self-contained page (no build
// step) that polls /api/routes and /api/status and posts stage moves.
#pragma once
#include <string_view>

namespace cutover {
std::string_view dashboard_html();
}
