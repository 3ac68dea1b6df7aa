// Layer 3 of the adapter: the async FastCGI session, behind the core's Upstream seam.
#pragma once
#include <memory>

#include "core/upstream.h"

namespace cutover::fcgi {

std::shared_ptr<Upstream> make_fastcgi_upstream();

}  // namespace cutover::fcgi
