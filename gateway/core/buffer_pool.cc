#include "core/buffer_pool.h"

#include <vector>

namespace cutover {
namespace {

// Bounded: a burst's buffers beyond this go back to malloc.
constexpr size_t kKept = 64;
thread_local std::vector<std::unique_ptr<char[]>> t_free;

}  // namespace

std::unique_ptr<char[]> take_read_buffer() {
  if (t_free.empty()) return std::make_unique_for_overwrite<char[]>(kReadBufBytes);
  auto b = std::move(t_free.back());
  t_free.pop_back();
  return b;
}

void give_read_buffer(std::unique_ptr<char[]> b) {
  if (b && t_free.size() < kKept) t_free.push_back(std::move(b));
}

}  // namespace cutover
