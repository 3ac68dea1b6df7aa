// Splitting a route's users between the legacy pool and the new one. Pure functions of the
// user's key and the share, so every cutover instance assigns a user the same side
// without shared state, and a share that grows only moves users from old to new
// (monotone buckets: a user in bucket b is on the new side iff b < share).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cutover::stage {

constexpr uint32_t kBuckets = 10000;  // shares in basis points: 1% = 100 buckets

// SipHash-2-4 of `data` under a 128-bit key: a keyed hash that is also a sound MAC.
uint64_t siphash(const uint8_t key[16], std::string_view data);
// A 128-bit key derived from a configured secret.
void key_from_secret(std::string_view secret, uint8_t key[16]);

uint32_t bucket_of_key(std::string_view key);  // IP, header value: hash, then bucket
uint32_t bucket_of_id(uint64_t id);             // a cookie's random id
inline bool on_new_side(uint32_t bucket, uint32_t share_bp) { return bucket < share_bp; }

// The sticky cookie: "<id as 16 hex>.<mac as 16 hex>". parse returns the id when the MAC is
// right (a user cannot pick a side by editing it).
std::string make_cookie_value(uint64_t id, const uint8_t key[16]);
std::optional<uint64_t> parse_cookie_value(std::string_view v, const uint8_t key[16]);

// The stages of a route and its plan: legacy -> shadow -> canary steps... -> new.
enum class Stage { legacy, shadow, canary, new_ };
const char* stage_name(Stage s);
std::optional<Stage> parse_stage(std::string_view s);

struct StagePoint {
  Stage stage = Stage::legacy;
  uint32_t share_bp = 0;  // canary: the new side's share in basis points
  bool operator==(const StagePoint&) const = default;
};
std::string describe(const StagePoint& p);  // "legacy", "shadow", "canary 10%", "new"

// The next / previous point of the plan (`steps` in percent, ascending, each in (0,100)).
// A point between steps (set by hand) moves to the neighbouring step.
StagePoint promote(const StagePoint& p, const std::vector<double>& steps);
StagePoint demote(const StagePoint& p, const std::vector<double>& steps);
inline uint32_t percent_to_bp(double pct) { return uint32_t(pct * 100.0 + 0.5); }

}  // namespace cutover::stage
