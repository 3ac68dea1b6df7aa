#include "core/block_cache.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <vector>

namespace cutover {
namespace {

TEST(BlockCache, ClassesAreGlibcChunkSizes) {
  EXPECT_EQ(BlockCache::class_for(1), 2u);   // the smallest chunk: 32 bytes, 24 usable
  EXPECT_EQ(BlockCache::class_for(24), 2u);
  EXPECT_EQ(BlockCache::class_for(25), 3u);
  EXPECT_EQ(BlockCache::class_for(40), 3u);
  EXPECT_EQ(BlockCache::class_for(41), 4u);
  EXPECT_EQ(BlockCache::class_for(BlockCache::kMaxBytes), BlockCache::kClasses - 1);
  // What is malloc'ed fills the class exactly, as malloc_usable_size shows.
  for (size_t n : {1, 24, 25, 100, 633, 1025, 2137, 4000, int(BlockCache::kMaxBytes)}) {
    void* p = std::malloc(BlockCache::malloc_size(n));
    size_t usable = malloc_usable_size(p);
    EXPECT_GE(usable, n);
    EXPECT_EQ((usable + 8) / BlockCache::kGranule, BlockCache::class_for(n)) << n;
    std::free(p);
  }
  EXPECT_EQ(BlockCache::malloc_size(BlockCache::kMaxBytes + 1), BlockCache::kMaxBytes + 1);
}

TEST(BlockCache, AFreedBlockServesTheNextAllocationOfItsClass) {
  BlockCache c;
  alignas(16) static char a[64], b[64];
  EXPECT_EQ(c.take(40), nullptr);
  ASSERT_TRUE(c.keep(a, 40));  // class 3
  EXPECT_EQ(c.take(100), nullptr);  // another class
  EXPECT_EQ(c.cached_bytes(), 48u);
  EXPECT_EQ(c.take(25), a);  // the same class
  EXPECT_EQ(c.take(40), nullptr);
  EXPECT_EQ(c.cached_bytes(), 0u);
  // Last in, first out.
  ASSERT_TRUE(c.keep(a, 40));
  ASSERT_TRUE(c.keep(b, 40));
  EXPECT_EQ(c.take(30), b);
  EXPECT_EQ(c.take(30), a);
}

TEST(BlockCache, ABiggerChunkServesTheClassItCovers) {
  BlockCache c;
  alignas(16) static char a[128];
  ASSERT_TRUE(c.keep(a, 56));  // usable 56: a 64-byte chunk, class 4 (up to 56 bytes)
  EXPECT_EQ(c.take(57), nullptr);
  EXPECT_EQ(c.take(41), a);
}

TEST(BlockCache, BoundsPerClassAndInTotal) {
  BlockCache c;
  std::vector<char*> blocks;
  for (uint32_t i = 0; i <= BlockCache::kMaxPerClass; ++i) blocks.push_back(static_cast<char*>(std::malloc(40)));
  for (uint32_t i = 0; i < BlockCache::kMaxPerClass; ++i) EXPECT_TRUE(c.keep(blocks[i], 40));
  EXPECT_FALSE(c.keep(blocks.back(), 40));  // the class is full: the caller frees it
  std::free(blocks.back());
  blocks.pop_back();
  // Too big or too small to be a class: never kept.
  alignas(16) static char big[16];
  EXPECT_FALSE(c.keep(big, BlockCache::kMaxBytes + 16));
  EXPECT_FALSE(c.keep(big, 8));
  // The total bound: 4 KiB blocks until 2 MiB are cached.
  BlockCache d;
  std::vector<char*> large;
  size_t kept = 0;
  for (int i = 0; i < 600; ++i) {
    char* p = static_cast<char*>(std::malloc(BlockCache::kMaxBytes));
    if (d.keep(p, BlockCache::kMaxBytes)) ++kept;
    else std::free(p);
  }
  EXPECT_EQ(kept, BlockCache::kMaxPerClass);  // the per-class bound comes first here
  EXPECT_LE(d.cached_bytes(), BlockCache::kMaxCachedBytes);
  size_t freed = 0;
  c.drain([&](void* p) { std::free(p), ++freed; });
  d.drain([&](void* p) { std::free(p), ++freed; });
  EXPECT_EQ(freed, 2 * size_t(BlockCache::kMaxPerClass));
  EXPECT_EQ(c.cached_bytes(), 0u);
  EXPECT_EQ(c.take(40), nullptr);
}

TEST(BlockCache, TheTotalBoundHolds) {
  BlockCache c;
  size_t kept = 0;
  std::vector<void*> all;
  // Many classes of ~2-4 KiB: the 2 MiB bound stops keeping before every class is full.
  for (size_t n = 2048; n <= BlockCache::kMaxBytes; n += 16)
    for (int i = 0; i < 20; ++i) {
      void* p = std::malloc(BlockCache::malloc_size(n));
      if (c.keep(p, malloc_usable_size(p))) ++kept;
      else all.push_back(p);
    }
  EXPECT_GT(kept, 0u);
  EXPECT_FALSE(all.empty());
  EXPECT_LE(c.cached_bytes(), BlockCache::kMaxCachedBytes);
  EXPECT_GT(c.cached_bytes(), BlockCache::kMaxCachedBytes - BlockCache::kMaxBytes - 8);
  for (void* p : all) std::free(p);
  c.drain([](void* p) { std::free(p); });
}

}  // namespace
}  // namespace cutover
