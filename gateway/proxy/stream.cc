#include "proxy/stream.h"

#include <ctime>

#include "http1/time_text.h"

namespace cutover {

std::string_view ResponseStream::http_date() { return utc_text<kHttpDate>(time(nullptr)); }

std::optional<std::pair<std::string, std::string>> ResponseStream::expiry_field(const ResponseStart& r) const {
  std::string_view type;
  auto cache_control = [](std::string_view n) { return n.size() == 13 && http1::iequals(n, "cache-control"); };
  if (r.fields)
    for (const auto& f : *r.fields) {
      if (cache_control(f.name)) return std::nullopt;
      if (f.name.size() == 12 && http1::iequals(f.name, "content-type")) type = f.value;
    }
  if (policy_.adds("cache-control")) return std::nullopt;
  const statics::ExpireSpec* e = statics::pick_expire(*expire_urls_, *expire_types_, expire_path_, type);
  if (!e) return std::nullopt;
  return statics::expire_field(*e, int64_t(time(nullptr)), r.file_mtime, req_.version_minor == 0);
}

awaitable<bool> send_simple(ResponseStream& out, int status, std::string_view body, std::vector<http1::Field> extra) {
  if (const std::string* handler = out.error_handler_for(status)) {
    Handoff h;
    h.target = *handler;
    h.error_status = status;
    if (out.hand_off(std::move(h))) co_return true;  // the session answers with the handler
  }
  extra.push_back({"Date", ResponseStream::http_date()});
  bool typed = false;  // a page of another type names its own
  for (const http1::Field& f : extra) typed = typed || http1::iequals(f.name, "content-type");
  if (!typed) extra.push_back({"Content-Type", "text/plain; charset=utf-8"});
  ResponseStart r;
  r.status = status;
  r.fields = &extra;
  r.content_length = body.size();
  r.has_body = true;
  out.start(r);
  if (!co_await out.body(body)) co_return false;
  co_return co_await out.finish();
}

awaitable<bool> answer_options(ResponseStream& out) {
  std::vector<http1::Field> fields{{"Allow", "OPTIONS, GET, HEAD, POST"}, {"Date", ResponseStream::http_date()}};
  ResponseStart r;
  r.status = 200;
  r.fields = &fields;
  r.content_length = 0;
  out.start(r);
  co_return co_await out.finish();
}

const char* reason_phrase(int s) {
  switch (s) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

}  // namespace cutover
