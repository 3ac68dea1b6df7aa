// The balancer kinds a pool may name (its `balancer` key). Pure: config and the balancer
// both build on it, and the balancer needs nothing else from the config.
#pragma once

namespace cutover {

enum class BalancerKind { sqf, round_robin, least_conn, hash, sticky, first };
const char* balancer_name(BalancerKind k);  // as the config spells it

}  // namespace cutover
