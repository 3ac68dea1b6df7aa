#include "migrate_tool/log_format.h"

#include <cctype>

namespace cutover::migrate {
namespace {

// A request field name as a $http_ variable: lower case, '-' as '_'.
std::string field_variable(const std::string& name) {
  std::string v = "$http_";
  for (char c : name) v += c == '-' ? '_' : char(std::tolower(static_cast<unsigned char>(c)));
  return v;
}

}  // namespace

LogFormatTranslation translate_log_format(const std::string& f) {
  LogFormatTranslation out;
  std::string& t = out.template_text;
  for (size_t i = 0; i < f.size(); ++i) {
    char c = f[i];
    if (c == '$') {
      t += "$$";
      continue;
    }
    if (c != '%' || i + 1 == f.size()) {
      t += c;
      continue;
    }
    ++i;
    std::string arg;  // %{arg}X
    if (f[i] == '{') {
      size_t close = f.find('}', i);
      if (close == std::string::npos || close + 1 >= f.size()) {
        out.inexact.push_back("an unclosed %{ is written as it stands");
        t += f.substr(i - 1);
        break;
      }
      arg = f.substr(i + 1, close - i - 1);
      i = close + 1;
    }
    if (f[i] == '>' || f[i] == '<') ++i;  // %>s: the final status, the only one cutover has
    if (i >= f.size()) break;
    char spec = f[i];
    switch (spec) {
      case '%': t += '%'; break;
      case 'h': case 'a': t += "$remote_addr"; break;
      case 'l': t += '-'; break;
      case 'u': t += "$remote_user"; break;
      case 't':
        if (arg.empty()) t += "[$time_local]";
        else {
          t += "[$time_local]";
          out.inexact.push_back("%{" + arg + "}t: a custom time format is written as [$time_local]");
        }
        break;
      case 'r': t += "$request"; break;
      case 's': t += "$status"; break;
      case 'b': t += "$body_bytes_sent"; break;  // lighttpd writes 0 for none, not Apache's "-"
      case 'i':
        if (arg.empty()) {
          t += '-';
          out.inexact.push_back("%i without a field name is written as -");
        } else {
          t += field_variable(arg);
        }
        break;
      case 'm': t += "$request_method"; break;
      case 'U': t += "$uri"; break;
      case 'q': t += "$args"; break;
      case 'H': t += "$server_protocol"; break;
      case 'V': t += "$http_host"; break;
      case 'T':
        t += "$request_time";
        out.inexact.push_back("%T: seconds with milliseconds (lighttpd writes whole seconds)");
        break;
      default:
        t += '-';
        out.inexact.push_back(std::string("%") + (arg.empty() ? "" : "{" + arg + "}") + spec +
                              ": no cutover field; written as -");
        break;
    }
  }
  return out;
}

}  // namespace cutover::migrate
