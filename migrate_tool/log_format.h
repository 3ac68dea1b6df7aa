// lighttpd's accesslog.format (Apache-style %-specifiers) as a cutover access log template
// (nginx-style $variables). Pure text to text.
#pragma once
#include <string>
#include <vector>

namespace cutover::migrate {

struct LogFormatTranslation {
  std::string template_text;         // for server.access_log_format
  std::vector<std::string> inexact;  // specifiers written differently or as "-", with why
};

LogFormatTranslation translate_log_format(const std::string& lighttpd_format);

}  // namespace cutover::migrate
