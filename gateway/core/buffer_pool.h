// Per-thread free list of 16 KiB read buffers (client bodies and large heads, backend
// answers): a connection takes one while it reads and gives it back when it goes idle, so
// idle connections, client or backend, hold none (bench/memory.sh).
#pragma once
#include <cstddef>
#include <memory>

namespace cutover {

constexpr size_t kReadBufBytes = 16 * 1024;
std::unique_ptr<char[]> take_read_buffer();
void give_read_buffer(std::unique_ptr<char[]> b);

}  // namespace cutover
