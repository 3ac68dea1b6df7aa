// A condition on a request field: data only; the router evaluates it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rewrite/regex.h"

namespace cutover {

// A condition on a request field other than the path and Host (lighttpd's $HTTP["remoteip"],
// ["querystring"], ["useragent"], ["request-method"], $REQUEST_HEADER[...]): a regex over
// the field's text (a missing header reads as ""), or CIDR blocks for the client address.
struct FieldCondition {
  enum class Source { header, query, method, client_ip, host } source = Source::header;  // host: lowercased, port included
  std::string header;             // Source::header: the field name
  std::optional<Regex> regex;
  struct Cidr {
    uint8_t addr[16] = {};        // IPv4 as ::ffff:a.b.c.d
    int bits = 128;
  };
  std::vector<Cidr> cidrs;        // Source::client_ip without a regex: any of these
  bool negate = false;            // holds when the field does NOT match
};

}  // namespace cutover
