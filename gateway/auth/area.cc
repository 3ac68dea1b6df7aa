#include "auth/area.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>

#include "auth/password.h"

namespace cutover::auth {
namespace {
// Checked for an unknown user when the file gives no stand-in (Credentials::stand_in).
constexpr const char* kDummyHash = "$2y$05$oy7.LFBWjHbyc.XLWzyCwe1HGcb7OMx5xb/FE1z9MOdvVrUbSnHoS";
constexpr size_t kCacheMax = 10000;
}  // namespace

const char* verdict_text(Verdict v) {
  switch (v) {
    case Verdict::allowed: return "allowed";
    case Verdict::no_credentials: return "no credentials";
    case Verdict::unknown_user: return "unknown user";
    case Verdict::wrong_password: return "wrong password";
    case Verdict::not_permitted: return "user not permitted here";
    case Verdict::malformed: return "malformed Authorization";
    case Verdict::stale: return "stale or foreign nonce";
  }
  return "?";
}

std::string sha256(std::string_view s) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), out, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

Area::Area(AreaRules rules, CredentialFiles::Logger log)
    : rules_(std::move(rules)), secret_(rules_.nonce_secret),
      files_(rules_.htpasswd, rules_.groups, std::move(log), rules_.format, rules_.realm),
      limiter_(rules_.max_failures, rules_.failure_window_ms, rules_.block_ms) {
  if (secret_.empty()) {  // a nonce of an earlier process is then stale: the client signs again
    unsigned char b[32];
    RAND_bytes(b, sizeof b);
    secret_.assign(reinterpret_cast<char*>(b), sizeof b);
  }
}

std::vector<std::string> Area::challenges(int64_t now_ms, bool stale) {
  if (rules_.scheme == Scheme::basic) return {"Basic realm=\"" + rules_.realm + "\", charset=\"UTF-8\""};
  std::vector<std::string> out;
  for (DigestAlgorithm a : {DigestAlgorithm::sha256, DigestAlgorithm::md5}) {
    if (!(rules_.algorithms & uint8_t(a))) continue;
    uint32_t rnd = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&rnd), sizeof rnd);
    out.push_back(digest_challenge(rules_.realm, make_nonce(now_ms / 1000, rnd, secret_, a), a, stale));
  }
  return out;
}

std::optional<Verdict> Area::cached(const Attempt& at, std::string& user) {
  std::string_view authorization = at.authorization;
  if (authorization.empty()) return Verdict::no_credentials;
  if (rules_.scheme == Scheme::digest) return std::nullopt;
  auto table = files_.current(at.now_ms);
  std::lock_guard lock(mu_);
  if (table != cache_table_) {  // the files changed: every earlier answer is void
    cache_.clear();
    cache_table_ = table;
  }
  auto it = cache_.find(sha256(authorization));
  if (it == cache_.end()) return std::nullopt;
  user = it->second;
  return Verdict::allowed;
}

Verdict Area::check(const Attempt& at, std::string& user) {
  return rules_.scheme == Scheme::digest ? check_digest(at, user) : check_basic(at, user);
}

Verdict Area::check_basic(const Attempt& at, std::string& user) {
  BasicCredentials creds;
  switch (read_basic(at.authorization, creds)) {
    case BasicField::not_basic: return Verdict::no_credentials;
    case BasicField::malformed: return Verdict::malformed;
    case BasicField::ok: break;
  }
  user = creds.user;
  auto table = files_.current(at.now_ms);
  if (!table) return Verdict::unknown_user;
  auto it = table->users.find(creds.user);
  bool known = it != table->users.end();
  bool ok = false;
  switch (table->format) {
    case FileFormat::htpasswd:
      if (!known) {  // a wrong name costs what a wrong password costs
        verify_password(table->stand_in.empty() ? kDummyHash : table->stand_in, creds.password);
        return Verdict::unknown_user;
      }
      ok = verify_password(it->second, creds.password);
      break;
    case FileFormat::plain:
      // Compared as hashes: neither the length nor the bytes of the password show in the time.
      ok = constant_time_equal(sha256(known ? it->second : std::string()), sha256(creds.password)) && known;
      break;
    case FileFormat::htdigest:
      ok = constant_time_equal(digest_ha1(DigestAlgorithm::md5, creds.user, rules_.realm, creds.password),
                               known ? it->second : std::string(32, '0')) &&
           known;
      break;
  }
  if (!known) return Verdict::unknown_user;
  if (!ok) return Verdict::wrong_password;
  if (!satisfies(rules_.require, creds.user, table->groups)) return Verdict::not_permitted;
  std::lock_guard lock(mu_);
  if (table == cache_table_ || !cache_table_) {
    if (cache_.size() >= kCacheMax) cache_.clear();
    cache_table_ = table;
    cache_[sha256(at.authorization)] = creds.user;
  }
  return Verdict::allowed;
}

// lighttpd's order: the fields (400) and realm and algorithm (401), the nonce's age
// (401 stale), then the user and the response.
Verdict Area::check_digest(const Attempt& at, std::string& user) {
  std::optional<DigestParams> p = parse_digest(at.authorization);
  if (!p) return Verdict::no_credentials;
  DigestFacts f;
  switch (check_digest_params(*p, DigestRequest{at.method, at.target, rules_.realm, rules_.algorithms}, f)) {
    case DigestCheck::malformed: return Verdict::malformed;
    case DigestCheck::unauthorized: return Verdict::no_credentials;
    case DigestCheck::ok: break;
  }
  user = f.user;
  if (!nonce_fresh(*p->nonce, at.now_ms / 1000, secret_, f.algorithm)) return Verdict::stale;
  auto table = files_.current(at.now_ms);
  if (!table) return Verdict::unknown_user;
  auto it = table->users.find(f.user);
  if (it == table->users.end()) return Verdict::unknown_user;
  std::string ha1;
  if (table->format == FileFormat::plain) ha1 = digest_ha1(f.algorithm, f.user, rules_.realm, it->second);
  else if (table->format == FileFormat::htdigest && f.algorithm == DigestAlgorithm::md5) ha1 = it->second;
  else return Verdict::wrong_password;  // an htpasswd hash cannot sign a digest (check refuses that config)
  std::string given = *p->response;
  for (char& c : given) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (!constant_time_equal(digest_response(*p, f, ha1, at.method), given)) return Verdict::wrong_password;
  if (!satisfies(rules_.require, f.user, table->groups)) return Verdict::not_permitted;
  return Verdict::allowed;
}

}  // namespace cutover::auth
