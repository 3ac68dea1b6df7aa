#include "auth/password.h"

#include <crypt.h>
#include <openssl/evp.h>

#include <cctype>
#include <cstring>
#include <memory>

namespace cutover::auth {
namespace {

std::string digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

const char kItoa64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void to64(std::string& out, unsigned long v, int n) {
  while (n-- > 0) {
    out.push_back(kItoa64[v & 0x3f]);
    v >>= 6;
  }
}

}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) {
  // The length is not secret (it is the hash format's); the bytes are.
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

HashKind hash_kind(std::string_view h) {
  if (h.substr(0, 4) == "$2y$" || h.substr(0, 4) == "$2b$" || h.substr(0, 4) == "$2a$") return HashKind::bcrypt;
  if (h.substr(0, 3) == "$5$") return HashKind::sha256_crypt;
  if (h.substr(0, 3) == "$6$") return HashKind::sha512_crypt;
  if (h.substr(0, 3) == "$1$") return HashKind::md5_crypt;
  if (h.substr(0, 6) == "$apr1$") return HashKind::apr1;
  if (h.substr(0, 5) == "{SHA}") return HashKind::sha1;
  if (h.size() == 13 && h.find('$') == std::string_view::npos) return HashKind::des_crypt;
  return HashKind::unknown;
}

const char* hash_kind_name(HashKind k) {
  switch (k) {
    case HashKind::bcrypt: return "bcrypt";
    case HashKind::sha256_crypt: return "sha256-crypt";
    case HashKind::sha512_crypt: return "sha512-crypt";
    case HashKind::md5_crypt: return "md5-crypt";
    case HashKind::apr1: return "apr1";
    case HashKind::sha1: return "sha1";
    case HashKind::des_crypt: return "des-crypt";
    case HashKind::unknown: break;
  }
  return "unknown";
}

std::string md5_crypt(std::string_view pw, std::string_view salt, std::string_view magic) {
  if (salt.size() > 8) salt = salt.substr(0, 8);
  std::string alt = digest(EVP_md5(), std::string(pw).append(salt).append(pw));
  std::string first = std::string(pw).append(magic).append(salt);
  for (size_t left = pw.size(); left > 0; left -= std::min<size_t>(left, 16)) first.append(alt, 0, std::min<size_t>(left, 16));
  for (size_t i = pw.size(); i; i >>= 1) first.push_back((i & 1) ? '\0' : (pw.empty() ? '\0' : pw[0]));
  std::string f = digest(EVP_md5(), first);
  // 1000 rounds, deliberately slow (the algorithm's definition).
  std::string round;
  for (int i = 0; i < 1000; ++i) {
    round.clear();
    if (i & 1) round.append(pw);
    else round.append(f);
    if (i % 3) round.append(salt);
    if (i % 7) round.append(pw);
    if (i & 1) round.append(f);
    else round.append(pw);
    f = digest(EVP_md5(), round);
  }
  auto b = [&](int i) { return static_cast<unsigned long>(static_cast<unsigned char>(f[size_t(i)])); };
  std::string out = std::string(magic).append(salt).append("$");
  to64(out, (b(0) << 16) | (b(6) << 8) | b(12), 4);
  to64(out, (b(1) << 16) | (b(7) << 8) | b(13), 4);
  to64(out, (b(2) << 16) | (b(8) << 8) | b(14), 4);
  to64(out, (b(3) << 16) | (b(9) << 8) | b(15), 4);
  to64(out, (b(4) << 16) | (b(10) << 8) | b(5), 4);
  to64(out, b(11), 2);
  return out;
}

bool verify_password(std::string_view hash, std::string_view password) {
  switch (hash_kind(hash)) {
    case HashKind::apr1: {
      std::string_view rest = hash.substr(6);
      size_t end = rest.find('$');
      if (end == std::string_view::npos) return false;
      return constant_time_equal(md5_crypt(password, rest.substr(0, end)), hash);
    }
    case HashKind::sha1: {
      std::string expect = "{SHA}" + base64_encode(digest(EVP_sha1(), password));
      return constant_time_equal(expect, hash);
    }
    case HashKind::bcrypt:
    case HashKind::sha256_crypt:
    case HashKind::sha512_crypt:
    case HashKind::md5_crypt:
    case HashKind::des_crypt: {
      // crypt_data is large (~32 KiB): on the heap, one per call, so threads never share it.
      auto data = std::make_unique<crypt_data>();
      std::string pw(password), setting(hash);
      const char* r = crypt_r(pw.c_str(), setting.c_str(), data.get());
      if (!r || r[0] == '*') return false;  // libcrypt's failure token
      return constant_time_equal(r, hash);
    }
    case HashKind::unknown: break;
  }
  return false;
}

std::string base64_encode(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                          int(in.size()));
  out.resize(size_t(n));
  return out;
}

// OpenSSL's decoder, with the leniency clients rely on: padding may be left out (RFC 4648
// 3.2 allows it where the length is known), but nothing may follow it and only the
// alphabet is taken (EVP_DecodeBlock itself would skip blanks at either end).
bool base64_decode(std::string_view in, std::string& out) {
  out.clear();
  size_t data = in.find('=');
  size_t pad = data == std::string_view::npos ? 0 : in.size() - data;
  if (data == std::string_view::npos) data = in.size();
  if (pad > 2 || in.find_first_not_of('=', data) != std::string_view::npos) return false;
  for (char c : in.substr(0, data))
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) return false;
  if (data % 4 == 1) return false;  // a lone sextet is no byte
  std::string padded(in.substr(0, data));
  padded.append((4 - data % 4) % 4, '=');
  out.resize(padded.size() / 4 * 3);
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(padded.data()),
                          int(padded.size()));
  if (n < 0) return false;
  out.resize(size_t(n) - (padded.size() - data));  // the block's padding bytes
  return true;
}

}  // namespace cutover::auth
