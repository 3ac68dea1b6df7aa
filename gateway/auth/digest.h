// HTTP Digest authentication (RFC 7616), the pure parts, as lighttpd 1.4's mod_auth does
// it: the Authorization field's parameters, the checks that make a request malformed (400)
// or merely unauthorized (401), nonces that carry their time and a keyed MAC, and the
// response computation (MD5 / SHA-256, their -sess forms, qop=auth). No I/O; time and
// randomness are arguments.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cutover::auth {

enum class DigestAlgorithm : uint8_t { md5 = 1, sha256 = 2 };

// The parameters of "Digest k=v, k="v"...", as lighttpd reads them: unknown keys skipped,
// quoted values taken as written (not unescaped), whitespace around '=' allowed. A parse
// that stops early leaves the rest unset (a missing field later: 400).
struct DigestParams {
  std::optional<std::string> username, realm, nonce, uri, algorithm, qop, cnonce, nc, response, userstar, userhash;
};
// nullopt when the field is not a Digest one (scheme compared without case).
std::optional<DigestParams> parse_digest(std::string_view authorization);

// Why a Digest attempt is refused, in lighttpd's order of checks (the nonce's age comes
// after these: nonce_fresh()).
enum class DigestCheck {
  ok,
  malformed,      // 400: a field missing or invalid, auth-int, a uri other than the request's
  unauthorized,   // 401: wrong realm or algorithm
};
struct DigestRequest {
  std::string_view method, target;  // the request line as the client sent it
  std::string_view realm;           // the area's
  uint8_t algorithms = uint8_t(DigestAlgorithm::md5);  // allowed (DigestAlgorithm bits)
};
struct DigestFacts {
  DigestAlgorithm algorithm = DigestAlgorithm::md5;
  bool sess = false;
  std::string user;
};
// Checks everything but the password (needs the user's HA1: digest_response()).
DigestCheck check_digest_params(const DigestParams& p, const DigestRequest& rq, DigestFacts& facts);

// A nonce: hex(seconds) ":" hex(random) ":" hex(MAC(secret, seconds, random, algorithm)).
std::string make_nonce(int64_t now_s, uint32_t random, std::string_view secret, DigestAlgorithm a);
// Ours, and no older than `max_age_s` (lighttpd: 600 s), not from the future.
bool nonce_fresh(std::string_view nonce, int64_t now_s, std::string_view secret, DigestAlgorithm a, int64_t max_age_s = 600);

// hex(H(user:realm:password)), the HA1 an htdigest file stores (for MD5).
std::string digest_ha1(DigestAlgorithm a, std::string_view user, std::string_view realm, std::string_view password);
// The response the client must have sent, from the user's HA1 (lowercase hex).
std::string digest_response(const DigestParams& p, const DigestFacts& f, std::string_view ha1, std::string_view method);

// WWW-Authenticate values, one per allowed algorithm (strongest first), as lighttpd words them.
std::string digest_challenge(std::string_view realm, std::string_view nonce, DigestAlgorithm a, bool stale);

}  // namespace cutover::auth
