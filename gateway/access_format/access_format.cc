#include "access_format/access_format.h"

#include <charconv>
#include <cstdio>
#include <ctime>

#include "http1/time_text.h"

namespace cutover {
namespace {

void append_quoted_json(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  out += '"';
}

// Client-supplied text is escaped as Apache and lighttpd do: \" and \\, a control byte as
// \xHH, so a line can always be split back into its fields (and log readers written for
// lighttpd's lines read cutover's).
void append_escaped(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
}

std::string_view or_dash(std::string_view s) { return s.empty() ? std::string_view("-") : s; }

void append_number(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, size_t(r.ptr - buf));
}

void append_ms_or_dash(std::string& out, int64_t ms) {
  if (ms >= 0) append_number(out, ms);
  else out += '-';
}

// Milliseconds as seconds with three decimals (nginx's $request_time); "-" when unknown.
void append_seconds(std::string& out, int64_t ms) {
  if (ms < 0) {
    out += '-';
    return;
  }
  append_number(out, ms / 1000);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03d", int(ms % 1000));
  out += frac;
}

std::string_view clf_time(int64_t wall_ms) { return utc_text<kCommonLogTime>(time_t(wall_ms / 1000)); }

void append_iso_time(std::string& out, int64_t wall_ms, bool with_ms) {
  time_t secs = time_t(wall_ms / 1000);
  tm t;
  gmtime_r(&secs, &t);
  char when[40];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &t);
  out += when;
  if (with_ms) {
    char ms[8];
    std::snprintf(ms, sizeof ms, ".%03d", int(wall_ms % 1000));
    out += ms;
  }
  out += with_ms ? "Z" : "+00:00";
}

std::string_view protocol(const AccessRecord& r) { return r.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1"; }

void format_json(const AccessRecord& r, std::string& out) {
  out += "{\"time\":\"";
  append_iso_time(out, r.wall_time_ms, true);
  out += '"';
  auto field = [&](const char* k, std::string_view v) {
    out += ",\"";
    out += k;
    out += "\":";
    append_quoted_json(out, v);
  };
  auto number = [&](const char* k, int64_t v) {
    out += ",\"";
    out += k;
    out += "\":";
    append_number(out, v);
  };
  field("client", r.client_ip);
  field("user", r.remote_user);
  field("method", r.method);
  field("target", r.target);
  number("status", r.status);
  number("bytes", int64_t(r.bytes));
  field("referer", r.referer);
  field("user_agent", r.user_agent);
  field("route", r.route);
  field("pool", r.pool);
  field("backend", r.backend);
  number("upstream_status", r.upstream_status);
  number("upstream_connect_ms", r.upstream_connect_ms);
  number("upstream_header_ms", r.upstream_header_ms);
  number("upstream_ms", r.upstream_ms);
  number("retries", r.retries);
  number("queue_ms", r.queue_ms);
  number("total_ms", r.total_ms);
  out += "}\n";
}

// Combined format, then cutover's fields as key=value.
void format_combined(const AccessRecord& r, std::string& out) {
  out += r.client_ip;
  out += " - ";
  if (r.remote_user.empty()) out += '-';
  else append_escaped(out, r.remote_user);
  out += " [";
  out += clf_time(r.wall_time_ms);
  out += "] \"";
  append_escaped(out, r.method);
  out += ' ';
  append_escaped(out, r.target);
  out += ' ';
  out += protocol(r);
  out += "\" ";
  append_number(out, r.status);
  out += ' ';
  append_number(out, int64_t(r.bytes));
  out += " \"";
  append_escaped(out, or_dash(r.referer));
  out += "\" \"";
  append_escaped(out, or_dash(r.user_agent));
  out += "\" route=";
  out += or_dash(r.route);
  out += " pool=";
  out += or_dash(r.pool);
  out += " backend=";
  out += or_dash(r.backend);
  out += " upstream_status=";
  if (r.upstream_status) append_number(out, r.upstream_status);
  else out += '-';
  out += " upstream_connect_ms=";
  append_ms_or_dash(out, r.upstream_connect_ms);
  out += " upstream_header_ms=";
  append_ms_or_dash(out, r.upstream_header_ms);
  out += " upstream_ms=";
  append_ms_or_dash(out, r.upstream_ms);
  out += " retries=";
  append_number(out, r.retries);
  out += " queue_ms=";
  append_number(out, r.queue_ms);
  out += " total_ms=";
  append_number(out, r.total_ms);
  out += '\n';
}

struct VarName {
  std::string_view name;
  AccessFormat::Var var;
};
constexpr VarName kVars[] = {
    {"remote_addr", AccessFormat::Var::remote_addr},
    {"remote_user", AccessFormat::Var::remote_user},
    {"time_local", AccessFormat::Var::time_local},
    {"time_iso8601", AccessFormat::Var::time_iso8601},
    {"msec", AccessFormat::Var::msec},
    {"request", AccessFormat::Var::request},
    {"request_method", AccessFormat::Var::request_method},
    {"request_uri", AccessFormat::Var::request_uri},
    {"uri", AccessFormat::Var::uri},
    {"args", AccessFormat::Var::args},
    {"server_protocol", AccessFormat::Var::server_protocol},
    {"status", AccessFormat::Var::status},
    {"body_bytes_sent", AccessFormat::Var::body_bytes_sent},
    {"http_referer", AccessFormat::Var::http_referer},
    {"http_user_agent", AccessFormat::Var::http_user_agent},
    {"route", AccessFormat::Var::route},
    {"pool", AccessFormat::Var::pool},
    {"backend", AccessFormat::Var::backend},
    {"upstream_addr", AccessFormat::Var::backend},
    {"upstream_status", AccessFormat::Var::upstream_status},
    {"upstream_connect_time", AccessFormat::Var::upstream_connect_time},
    {"upstream_header_time", AccessFormat::Var::upstream_header_time},
    {"upstream_response_time", AccessFormat::Var::upstream_response_time},
    {"request_time", AccessFormat::Var::request_time},
    {"retries", AccessFormat::Var::retries},
    {"queue_time", AccessFormat::Var::queue_time},
};

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::optional<AccessFormat> AccessFormat::parse(std::string_view text, std::string& error, size_t& offset) {
  if (text == "combined") return combined();
  if (text == "json") return json();
  AccessFormat f(Kind::custom);
  auto literal = [&f](std::string_view s) {
    if (f.parts_.empty() || f.parts_.back().var != Var::literal) f.parts_.push_back({Var::literal, {}});
    f.parts_.back().text += s;
  };
  size_t i = 0;
  while (i < text.size()) {
    size_t dollar = text.find('$', i);
    literal(text.substr(i, dollar == std::string_view::npos ? std::string_view::npos : dollar - i));
    if (dollar == std::string_view::npos) break;
    offset = dollar;
    std::string_view name;
    if (dollar + 1 < text.size() && text[dollar + 1] == '$') {
      literal("$");
      i = dollar + 2;
      continue;
    }
    if (dollar + 1 < text.size() && text[dollar + 1] == '{') {
      size_t close = text.find('}', dollar + 2);
      if (close == std::string_view::npos) {
        error = "unclosed ${ in the access log template";
        return std::nullopt;
      }
      name = text.substr(dollar + 2, close - dollar - 2);
      i = close + 1;
    } else {
      size_t end = dollar + 1;
      while (end < text.size() && name_char(text[end])) ++end;
      name = text.substr(dollar + 1, end - dollar - 1);
      i = end;
    }
    if (name.empty()) {
      error = "a '$' without a variable name (write $$ for a dollar sign)";
      return std::nullopt;
    }
    Part p;
    for (const VarName& v : kVars)
      if (v.name == name) p.var = v.var;
    if (p.var == Var::literal && name.size() > 5 && name.substr(0, 5) == "http_") {
      p.var = Var::http_field;
      for (char c : name.substr(5)) p.text += c == '_' ? '-' : c;
    }
    if (p.var == Var::literal) {
      error = "unknown variable $" + std::string(name) +
              " in the access log template (known: $remote_addr, $remote_user, $time_local, $time_iso8601, $msec, "
              "$request, $request_method, $request_uri, $uri, $args, $server_protocol, $status, $body_bytes_sent, $http_NAME, "
              "$route, $pool, $backend, $upstream_status, $upstream_connect_time, $upstream_header_time, "
              "$upstream_response_time, $request_time, $retries, $queue_time)";
      return std::nullopt;
    }
    f.parts_.push_back(std::move(p));
  }
  if (f.parts_.empty() || f.parts_.back().var != Var::literal || f.parts_.back().text.empty() ||
      f.parts_.back().text.back() != '\n')
    literal("\n");
  return f;
}

void AccessFormat::format(const AccessRecord& r, std::string& out) const {
  switch (kind_) {
    case Kind::combined: return format_combined(r, out);
    case Kind::json: return format_json(r, out);
    case Kind::custom: return format_custom(r, out);
  }
}

void AccessFormat::format_custom(const AccessRecord& r, std::string& out) const {
  for (const Part& p : parts_) {
    switch (p.var) {
      case Var::literal: out += p.text; break;
      case Var::remote_addr: out += r.client_ip; break;
      case Var::remote_user: append_escaped(out, or_dash(r.remote_user)); break;
      case Var::time_local: out += clf_time(r.wall_time_ms); break;
      case Var::time_iso8601: append_iso_time(out, r.wall_time_ms, false); break;
      case Var::msec: append_seconds(out, r.wall_time_ms); break;
      case Var::request:
        append_escaped(out, r.method);
        out += ' ';
        append_escaped(out, r.target);
        out += ' ';
        out += protocol(r);
        break;
      case Var::request_method: append_escaped(out, r.method); break;
      case Var::request_uri: append_escaped(out, r.target); break;
      case Var::uri: append_escaped(out, r.target.substr(0, r.target.find('?'))); break;
      case Var::args: {
        size_t q = r.target.find('?');
        append_escaped(out, q == std::string_view::npos ? std::string_view() : r.target.substr(q + 1));
        break;
      }
      case Var::server_protocol: out += protocol(r); break;
      case Var::status: append_number(out, r.status); break;
      case Var::body_bytes_sent: append_number(out, int64_t(r.bytes)); break;
      case Var::http_referer: append_escaped(out, or_dash(r.referer)); break;
      case Var::http_user_agent: append_escaped(out, or_dash(r.user_agent)); break;
      case Var::http_field: {
        std::string_view v;
        if (r.fields)
          for (const http1::Field& f : *r.fields)
            if (http1::iequals(f.name, p.text)) v = f.value;
        append_escaped(out, or_dash(v));
        break;
      }
      case Var::route: out += or_dash(r.route); break;
      case Var::pool: out += or_dash(r.pool); break;
      case Var::backend: out += or_dash(r.backend); break;
      case Var::upstream_status:
        if (r.upstream_status) append_number(out, r.upstream_status);
        else out += '-';
        break;
      case Var::upstream_connect_time: append_seconds(out, r.upstream_connect_ms); break;
      case Var::upstream_header_time: append_seconds(out, r.upstream_header_ms); break;
      case Var::upstream_response_time: append_seconds(out, r.upstream_ms); break;
      case Var::request_time: append_seconds(out, r.total_ms); break;
      case Var::retries: append_number(out, r.retries); break;
      case Var::queue_time: append_seconds(out, r.queue_ms); break;
    }
  }
}

}  // namespace cutover
