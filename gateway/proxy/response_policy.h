// The respond phase's policy, apart from the framing: which of an answer's fields reach
// the client and with what value — the [[headers]] and server edits (response_headers),
// the route's proxy map (Location, Content-Location, Set-Cookie) and its
// rewrite_response.headers. Pure (no sockets, no framing): a framing (Http1Response::start()) writes
// what it yields as HTTP/1 lines; another framing (HTTP/2) writes the same fields its way.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "http1/message.h"
#include "route/proxy_map.h"

namespace cutover {

struct ResponsePolicy {
  const HeaderEdits* edits = nullptr;                   // set replaces, add appends; "" removes
  const std::vector<FieldRewrite>* rewrites = nullptr;  // rewrite_response.headers
  const ProxyMap* map = nullptr;                        // proxy.header maps, back to the client's names
  const ProxyMapState* map_state = nullptr;

  // A field of the answer that the edits replace (it is dropped; the edit's value is added).
  bool replaces(std::string_view name) const {
    if (edits)
      for (auto& [n, v] : edits->set)
        if (http1::iequals(n, name)) return true;
    return false;
  }
  // Whether any value of the answer may change (else each is passed as it came).
  bool edits_values() const { return rewrites || map; }
  // The value the client gets for one of the answer's fields (`req`: the request, whose
  // host and target the rewrites' replacements may name).
  std::string value_of(const http1::Field& f, const http1::RequestHead& req) const;
  // Each field the edits set or add, as name, value: the client gets those with a value;
  // one set to "" is removed (and so not supplied either: a removed Server stays away).
  template <class Emit>
  void for_each_edit(Emit&& emit) const {
    if (!edits) return;
    for (auto* list : {&edits->set, &edits->add})
      for (auto& [n, v] : *list) emit(std::string_view(n), std::string_view(v));
  }
  // Whether the edits give the answer a field called `name` with a value (Cache-Control).
  bool adds(std::string_view name) const {
    bool found = false;
    for_each_edit([&](std::string_view n, std::string_view v) { found = found || (!v.empty() && http1::iequals(n, name)); });
    return found;
  }
};

}  // namespace cutover
