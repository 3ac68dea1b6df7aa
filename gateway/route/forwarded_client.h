// The client as a trusted proxy reports it (server.trusted_proxies; lighttpd's
// mod_extforward, whose rules these are, checked against lighttpd 1.4.69 by
// tests/e2e/migrate_lighttpd_test.cc). Pure: no I/O.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cutover {

struct ForwardedClient {
  std::string addr;    // the client's address; "" when the fields name none usable (no change)
  std::string scheme;  // "https" or "http" when the proxy said which, else ""
};

// `fields`: the request's (name, value) pairs. `headers`: lower-case names in order of
// preference; the first the request carries decides ("forwarded" is RFC 7239, any other a
// list of addresses like X-Forwarded-For). The address is the last one that is not itself
// a trusted proxy (none: no change); with an address list, X-Forwarded-Proto gives the
// scheme when it is exactly "http" or "https"; with Forwarded, the chosen element's proto=.
// `bad` is set when a Forwarded field cannot be parsed (a broken quoted-string): 400.
ForwardedClient client_from_proxy(const std::vector<std::pair<std::string_view, std::string_view>>& fields,
                                  const std::vector<std::string>& headers,
                                  const std::function<bool(std::string_view)>& trusted, bool& bad);

}  // namespace cutover
