#include "auth/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>

namespace cutover::auth {
namespace {

std::string hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = d[p[i] >> 4];
    s[2 * i + 1] = d[p[i] & 15];
  }
  return s;
}

std::string hash_hex(DigestAlgorithm a, std::string_view text) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), out, &n, a == DigestAlgorithm::sha256 ? EVP_sha256() : EVP_md5(), nullptr);
  return hex(out, n);
}

size_t hex_len(DigestAlgorithm a) { return a == DigestAlgorithm::sha256 ? 64 : 32; }

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool all_hex(std::string_view s) {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

const char* algorithm_name(DigestAlgorithm a) { return a == DigestAlgorithm::sha256 ? "SHA-256" : "MD5"; }

// RFC 8187 ext-value (charset'lang'pct-encoded) of "username*"; nullopt when invalid.
std::optional<std::string> ext_value(std::string_view v) {
  size_t skip = ieq(v.substr(0, 5), "utf-8") ? 5 : ieq(v.substr(0, 10), "iso-8859-1") ? 10 : std::string_view::npos;
  if (skip == std::string_view::npos || skip >= v.size() || v[skip] != '\'') return std::nullopt;
  size_t lang_end = v.find('\'', skip + 1);
  if (lang_end == std::string_view::npos) return std::nullopt;
  std::string out;
  for (size_t i = lang_end + 1; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size() && std::isxdigit(static_cast<unsigned char>(v[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
      out += char(std::stoi(std::string(v.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += v[i];
    }
  }
  for (unsigned char c : out)
    if (c < 0x20 || c == 127) return std::nullopt;  // no control bytes in a user name
  return out;
}

}  // namespace

std::optional<DigestParams> parse_digest(std::string_view v) {
  if (v.size() < 7 || !ieq(v.substr(0, 7), "digest ")) return std::nullopt;
  DigestParams p;
  struct Key {
    const char* name;
    std::optional<std::string> DigestParams::*field;
  };
  static const Key keys[] = {{"username", &DigestParams::username}, {"realm", &DigestParams::realm},   {"nonce", &DigestParams::nonce},
                             {"uri", &DigestParams::uri},           {"algorithm", &DigestParams::algorithm},
                             {"qop", &DigestParams::qop},           {"cnonce", &DigestParams::cnonce}, {"nc", &DigestParams::nc},
                             {"response", &DigestParams::response}, {"username*", &DigestParams::userstar},
                             {"userhash", &DigestParams::userhash}};
  size_t i = 7;
  auto at = [&](size_t k) { return k < v.size() ? v[k] : '\0'; };
  while (i < v.size()) {
    while (at(i) == ' ' || at(i) == '\t' || at(i) == ',') ++i;
    if (i >= v.size()) break;
    size_t e = i;
    while (e < v.size() && v[e] != '=' && v[e] != ' ' && v[e] != '\t') ++e;
    std::string_view name = v.substr(i, e - i);
    const Key* key = nullptr;
    for (const Key& k : keys)
      if (name == k.name) key = &k;
    if (!key) {  // an unknown token: lighttpd steps one byte on and looks again
      ++i;
      continue;
    }
    i = e;
    while (at(i) == ' ' || at(i) == '\t') ++i;  // bad whitespace before '='
    if (at(i) != '=') return p;
    do ++i;
    while (at(i) == ' ' || at(i) == '\t');
    size_t start = i, end;
    if (at(i) == '"') {
      start = ++i;
      for (end = start; end < v.size() && v[end] != '"'; ++end)
        if (v[end] == '\\' && ++end >= v.size()) return p;
      if (end >= v.size()) return p;  // unterminated
      i = end + 1;
    } else {
      for (end = start; end < v.size() && v[end] != ',' && v[end] != ' ' && v[end] != '\t'; ++end) {
      }
      i = end;
    }
    p.*(key->field) = std::string(v.substr(start, end - start));
    if (at(i) != ',') {  // anything up to the next comma is skipped
      size_t c = v.find(',', i);
      if (c == std::string_view::npos) return p;
      i = c;
    }
  }
  return p;
}

DigestCheck check_digest_params(const DigestParams& p, const DigestRequest& rq, DigestFacts& f) {
  bool have_user = p.username.has_value() != p.userstar.has_value();
  if (!((!p.qop || (p.nc && p.cnonce)) && have_user && p.realm && p.nonce && p.uri && p.response)) return DigestCheck::malformed;
  if (p.username) {
    f.user = *p.username;
  } else {
    if (p.userhash && *p.userhash == "true") return DigestCheck::malformed;
    std::optional<std::string> u = ext_value(*p.userstar);
    if (!u) return DigestCheck::malformed;
    f.user = *u;
  }
  if (p.userhash && *p.userhash == "true") return DigestCheck::unauthorized;  // userhash lookups: not offered
  if (*p.realm != rq.realm) return DigestCheck::unauthorized;
  std::string_view alg = p.algorithm ? std::string_view(*p.algorithm) : std::string_view();
  f.sess = alg.size() > 5 && ieq(alg.substr(alg.size() - 5), "-sess");
  if (f.sess) alg.remove_suffix(5);
  if (alg.empty() || ieq(alg, "md5")) f.algorithm = DigestAlgorithm::md5;
  else if (ieq(alg, "sha-256")) f.algorithm = DigestAlgorithm::sha256;
  else return DigestCheck::unauthorized;
  if (!(rq.algorithms & uint8_t(f.algorithm))) return DigestCheck::unauthorized;
  if (f.sess && !p.cnonce) return DigestCheck::malformed;
  if (p.response->size() != hex_len(f.algorithm) || !all_hex(*p.response)) return DigestCheck::malformed;
  if (p.qop && ieq(*p.qop, "auth-int")) return DigestCheck::malformed;
  // A digest made for another target is not this request's (a proxy rewrote it, or a replay).
  if (*p.uri != rq.target) return DigestCheck::malformed;
  return DigestCheck::ok;
}

static std::string nonce_mac(int64_t now_s, uint32_t random, std::string_view secret, DigestAlgorithm a) {
  std::string msg = std::to_string(now_s) + ":" + std::to_string(random) + ":" + algorithm_name(a);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), secret.data(), int(secret.size()), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &n);
  return hex(out, 16);
}

std::string make_nonce(int64_t now_s, uint32_t random, std::string_view secret, DigestAlgorithm a) {
  char head[40];
  std::snprintf(head, sizeof head, "%llx:%08x:", static_cast<unsigned long long>(now_s), random);
  return head + nonce_mac(now_s, random, secret, a);
}

bool nonce_fresh(std::string_view nonce, int64_t now_s, std::string_view secret, DigestAlgorithm a, int64_t max_age_s) {
  size_t c1 = nonce.find(':');
  if (c1 == 0 || c1 == std::string_view::npos || c1 > 16 || !all_hex(nonce.substr(0, c1))) return false;
  size_t c2 = nonce.find(':', c1 + 1);
  if (c2 != c1 + 9 || !all_hex(nonce.substr(c1 + 1, 8))) return false;
  int64_t ts = int64_t(std::stoull(std::string(nonce.substr(0, c1)), nullptr, 16));
  uint32_t rnd = uint32_t(std::stoul(std::string(nonce.substr(c1 + 1, 8)), nullptr, 16));
  if (ts > now_s || now_s - ts > max_age_s) return false;
  std::string want = nonce_mac(ts, rnd, secret, a);
  std::string_view got = nonce.substr(c2 + 1);
  if (got.size() != want.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < want.size(); ++i) diff |= static_cast<unsigned char>(got[i] ^ want[i]);
  return diff == 0;
}

std::string digest_ha1(DigestAlgorithm a, std::string_view user, std::string_view realm, std::string_view password) {
  std::string s;
  s.append(user).append(":").append(realm).append(":").append(password);
  return hash_hex(a, s);
}

std::string digest_response(const DigestParams& p, const DigestFacts& f, std::string_view ha1_in, std::string_view method) {
  std::string ha1(ha1_in);
  if (f.sess) ha1 = hash_hex(f.algorithm, ha1 + ":" + *p.nonce + ":" + p.cnonce.value_or(""));
  std::string ha2 = hash_hex(f.algorithm, std::string(method) + ":" + *p.uri);
  std::string s = ha1 + ":" + *p.nonce + ":";
  if (p.qop && !p.qop->empty()) s += p.nc.value_or("") + ":" + p.cnonce.value_or("") + ":" + *p.qop + ":";
  return hash_hex(f.algorithm, s + ha2);
}

std::string digest_challenge(std::string_view realm, std::string_view nonce, DigestAlgorithm a, bool stale) {
  std::string s = "Digest realm=\"";
  s.append(realm).append("\", charset=\"UTF-8\", algorithm=").append(algorithm_name(a)).append(", nonce=\"");
  s.append(nonce).append("\", qop=\"auth\"");
  if (stale) s += ", stale=true";
  return s;
}

}  // namespace cutover::auth
