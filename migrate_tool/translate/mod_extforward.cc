#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

// extforward.forwarder → server.trusted_proxies. Only "trust" entries mean anything (an
// address not listed is not trusted; "all" trusts everyone, whatever else is listed).
void Translator::extforward(const Setting& s) {
  std::vector<std::string> trusted;
  bool all = false;
  for (auto& it : s.value.items) {
    if (!it.first) continue;
    std::string level = it.second.str;
    for (char& c : level) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (level != "trust") continue;
    if (*it.first == "all") all = true;
    else trusted.push_back(*it.first);
  }
  if (all) trusted = {"0.0.0.0/0", "::/0"};
  d_.server_lines += "trusted_proxies = " + tlist(trusted) + "  # " + where(s.pos) + "\n";
  if (!c_.blocks[0].find("extforward.headers"))
    d_.server_lines += "trusted_proxy_headers = [\"X-Forwarded-For\", \"Forwarded-For\"]  # lighttpd's default extforward.headers\n";
  add(s.pos, Verdict::exact, s.key,
      std::string("server.trusted_proxies") + (all ? " (everyone: \"all\")" : "") +
          ": from these peers the client's address (REMOTE_ADDR, remoteip conditions, the access log) and scheme "
          "(X-Forwarded-Proto, Forwarded proto=) come from extforward.headers");
}

}  // namespace cutover::migrate::tr
