#include "fcgi_adapter/codec.h"

#include <cstring>

namespace cutover::fcgi {
namespace {

constexpr uint8_t kVersion = 1;

// A record header's 8 bytes at `to`.
void write_header(char* to, Type type, uint16_t id, size_t len, uint8_t padding) {
  const char h[kHeaderLen] = {char(kVersion), char(type), char(id >> 8), char(id & 0xff),
                              char((len >> 8) & 0xff), char(len & 0xff), char(padding), 0};
  std::memcpy(to, h, kHeaderLen);
}

void append_header(std::string& out, Type type, uint16_t id, size_t len, uint8_t padding) {
  char h[kHeaderLen];
  write_header(h, type, id, len, padding);
  out.append(h, kHeaderLen);
}

// One record; `data` must fit in a record.
void append_record(std::string& out, Type type, uint16_t id, std::string_view data) {
  uint8_t padding = uint8_t((8 - data.size() % 8) % 8);
  append_header(out, type, id, data.size(), padding);
  out.append(data);
  out.append(padding, '\0');
}

void append_length(std::string& out, size_t n) {
  if (n < 128) {
    out += char(n);
  } else {
    out += char(0x80 | ((n >> 24) & 0x7f));
    out += char((n >> 16) & 0xff);
    out += char((n >> 8) & 0xff);
    out += char(n & 0xff);
  }
}

bool read_length(std::string_view& in, size_t& n) {
  if (in.empty()) return false;
  uint8_t b0 = uint8_t(in[0]);
  if (b0 < 128) {
    n = b0;
    in.remove_prefix(1);
    return true;
  }
  if (in.size() < 4) return false;
  n = (size_t(b0 & 0x7f) << 24) | (size_t(uint8_t(in[1])) << 16) | (size_t(uint8_t(in[2])) << 8) | uint8_t(in[3]);
  in.remove_prefix(4);
  return true;
}

}  // namespace

ParseStatus parse_record(std::string_view in, Record& out) {
  if (in.size() < kHeaderLen) return ParseStatus::incomplete;
  if (uint8_t(in[0]) != kVersion) return ParseStatus::error;
  size_t len = (size_t(uint8_t(in[4])) << 8) | uint8_t(in[5]);
  size_t padding = uint8_t(in[6]);
  if (in.size() < kHeaderLen + len + padding) return ParseStatus::incomplete;
  out.type = Type(uint8_t(in[1]));
  out.request_id = uint16_t((uint8_t(in[2]) << 8) | uint8_t(in[3]));
  out.content = in.substr(kHeaderLen, len);
  out.size = kHeaderLen + len + padding;
  return ParseStatus::complete;
}

void append_stream(std::string& out, Type type, uint16_t id, std::string_view data) {
  if (data.empty()) {
    append_record(out, type, id, {});
    return;
  }
  while (!data.empty()) {
    size_t n = std::min(data.size(), kMaxContent);
    append_record(out, type, id, data.substr(0, n));
    data.remove_prefix(n);
  }
}

void append_begin_request(std::string& out, uint16_t id, Role role, bool keep_conn) {
  char body[8] = {char(uint16_t(role) >> 8), char(uint16_t(role) & 0xff), char(keep_conn ? 1 : 0), 0, 0, 0, 0, 0};
  append_record(out, Type::begin_request, id, std::string_view(body, 8));
}


void append_end_request(std::string& out, uint16_t id, uint32_t app_status, ProtocolStatus status) {
  char body[8] = {char(app_status >> 24), char((app_status >> 16) & 0xff), char((app_status >> 8) & 0xff),
                  char(app_status & 0xff), char(status), 0, 0, 0};
  append_record(out, Type::end_request, id, std::string_view(body, 8));
}

void append_name_value(std::string& out, std::string_view name, std::string_view value) {
  append_length(out, name.size());
  append_length(out, value.size());
  out.append(name);
  out.append(value);
}

void append_params(std::string& out, uint16_t id, const std::vector<NameValue>& params) {
  auto length_bytes = [](size_t n) -> size_t { return n < 128 ? 1 : 4; };
  size_t total = 0;
  for (auto& [n, v] : params) total += length_bytes(n.size()) + length_bytes(v.size()) + n.size() + v.size();
  if (total > 0 && total <= kMaxContent) {
    // The common case (every request), one record: sized once, the pairs copied straight
    // in (the padding and the terminator's zeros come with the resize).
    uint8_t padding = uint8_t((8 - total % 8) % 8);
    size_t at = out.size();
    out.resize(at + 2 * kHeaderLen + total + padding);
    char* p = out.data() + at;
    write_header(p, Type::params, id, total, padding);
    p += kHeaderLen;
    auto put_length = [&p](size_t n) {
      if (n < 128) {
        *p++ = char(n);
      } else {
        p[0] = char(0x80 | ((n >> 24) & 0x7f)), p[1] = char((n >> 16) & 0xff), p[2] = char((n >> 8) & 0xff), p[3] = char(n & 0xff);
        p += 4;
      }
    };
    for (auto& [n, v] : params) {
      put_length(n.size());
      put_length(v.size());
      if (!n.empty()) std::memcpy(p, n.data(), n.size());  // (an empty view's data may be null)
      p += n.size();
      if (!v.empty()) std::memcpy(p, v.data(), v.size());
      p += v.size();
    }
    p += padding;
    write_header(p, Type::params, id, 0, 0);  // the empty record that ends the stream
    return;
  }
  std::string body;
  body.reserve(total);
  for (auto& [n, v] : params) append_name_value(body, n, v);
  append_stream(out, Type::params, id, body);  // a pair may span records: the stream is one byte sequence
  if (!body.empty()) append_stream(out, Type::params, id, {});
}

void append_get_values(std::string& out, const std::vector<std::string>& names) {
  std::string body;
  for (auto& n : names) append_name_value(body, n, "");
  append_record(out, Type::get_values, 0, body);
}

bool parse_name_values(std::string_view data, std::vector<std::pair<std::string_view, std::string_view>>& out) {
  while (!data.empty()) {
    size_t nl = 0, vl = 0;
    if (!read_length(data, nl) || !read_length(data, vl)) return false;
    if (nl > data.size() || vl > data.size() - nl) return false;
    out.emplace_back(data.substr(0, nl), data.substr(nl, vl));
    data.remove_prefix(nl + vl);
  }
  return true;
}

bool parse_end_request(std::string_view c, EndRequest& out) {
  if (c.size() < 8) return false;
  out.app_status = (uint32_t(uint8_t(c[0])) << 24) | (uint32_t(uint8_t(c[1])) << 16) |
                   (uint32_t(uint8_t(c[2])) << 8) | uint8_t(c[3]);
  out.protocol_status = ProtocolStatus(uint8_t(c[4]));
  return true;
}

bool parse_begin_request(std::string_view c, BeginRequest& out) {
  if (c.size() < 8) return false;
  out.role = Role((uint16_t(uint8_t(c[0])) << 8) | uint8_t(c[1]));
  out.keep_conn = (uint8_t(c[2]) & 1) != 0;
  return true;
}

}  // namespace cutover::fcgi
