// Checks a password against an htpasswd hash: bcrypt ($2y$ $2b$ $2a$), SHA-256/512 crypt
// ($5$ $6$), MD5 crypt ($1$) and DES crypt through libcrypt; Apache's $apr1$ MD5 and
// {SHA} here (libcrypt has neither). Results are compared in constant time.
#pragma once
#include <string>
#include <string_view>

namespace cutover::auth {

enum class HashKind { bcrypt, sha256_crypt, sha512_crypt, md5_crypt, apr1, sha1, des_crypt, unknown };

HashKind hash_kind(std::string_view hash);
const char* hash_kind_name(HashKind k);

bool verify_password(std::string_view hash, std::string_view password);

// Apache's MD5 crypt with its own magic ("$apr1$"); also "$1$" to test against libcrypt.
std::string md5_crypt(std::string_view password, std::string_view salt, std::string_view magic = "$apr1$");

bool constant_time_equal(std::string_view a, std::string_view b);

std::string base64_encode(std::string_view in);
// False on characters outside the alphabet; padding optional.
bool base64_decode(std::string_view in, std::string& out);

}  // namespace cutover::auth
