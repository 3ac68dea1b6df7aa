// The pages a `status_page` route answers (lighttpd's mod_status status.status-url and
// status.config-url): the server's counters as HTML, or as lighttpd's `?auto` text and
// `?json` that monitoring scripts read; and the config in effect. Pure over the runtime.
#pragma once
#include <string>
#include <string_view>

#include "core/runtime.h"

namespace cutover {

struct StatusPage {
  std::string body, content_type;
};
StatusPage render_status_page(const Runtime& rt, int64_t now_ms, RouteSpec::StatusPage which, std::string_view query);

}  // namespace cutover
