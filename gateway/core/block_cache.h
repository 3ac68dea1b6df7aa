// Free lists of small heap blocks, one BlockCache per thread behind the global operator
// new/delete (block_cache.cc says why). Pure bookkeeping: the caller mallocs and frees.
#pragma once
#include <cstddef>
#include <cstdint>

namespace cutover {

class BlockCache {
 public:
  static constexpr size_t kGranule = 16;   // glibc's chunk size step on 64-bit
  static constexpr size_t kClasses = 257;  // class c: chunks of c * 16 bytes, up to 4 KiB
  static constexpr size_t kMaxBytes = (kClasses - 1) * kGranule - 8;
  static constexpr uint32_t kMaxPerClass = 128;
  static constexpr size_t kMaxCachedBytes = 2 << 20;

  // The class whose blocks hold `n` bytes (n <= kMaxBytes): malloc(class * 16 - 8) fills a
  // chunk of exactly class * 16 bytes (8 bytes of it are the chunk header; 32 at least).
  static size_t class_for(size_t n) { return n <= 24 ? 2 : (n + 8 + kGranule - 1) / kGranule; }
  // What to malloc for `n` bytes so that the block serves its whole class later.
  static size_t malloc_size(size_t n) { return n <= kMaxBytes ? class_for(n) * kGranule - 8 : n; }

  // A kept block for `n` bytes, or nullptr (then malloc(malloc_size(n))).
  void* take(size_t n) {
    if (n > kMaxBytes) return nullptr;
    size_t c = class_for(n);
    Free* b = head_[c];
    if (!b) return nullptr;
    head_[c] = b->next;
    --count_[c];
    bytes_ -= c * kGranule;
    return b;
  }
  // Keeps a freed block of `usable` bytes (malloc_usable_size) for its class: the largest
  // class it covers, as glibc may hand out a bigger chunk. False: over a bound or too big,
  // and the caller frees it.
  bool keep(void* p, size_t usable) {
    size_t c = (usable + 8) / kGranule;
    if (c < 2 || c >= kClasses || count_[c] >= kMaxPerClass || bytes_ + c * kGranule > kMaxCachedBytes) return false;
    Free* b = static_cast<Free*>(p);
    b->next = head_[c];
    head_[c] = b;
    ++count_[c];
    bytes_ += c * kGranule;
    return true;
  }
  // Hands every kept block to `release` (thread exit).
  template <class Release>
  void drain(Release release) {
    for (size_t c = 0; c < kClasses; ++c)
      while (Free* b = head_[c]) {
        head_[c] = b->next;
        release(b);
      }
    for (auto& n : count_) n = 0;
    bytes_ = 0;
  }
  size_t cached_bytes() const { return bytes_; }

 private:
  struct Free {
    Free* next;
  };
  Free* head_[kClasses] = {};
  uint32_t count_[kClasses] = {};
  size_t bytes_ = 0;
};

}  // namespace cutover
