// Key hashing must be stable across processes and runs: pinned values guard against changes.
#include <gtest/gtest.h>

#include "eddy/core/key_hash.h"

namespace eddy {
namespace {

TEST(KeyHashTest, MurmurMatchesReferenceVectors) {
  // MurmurHash3_x86_32 with seed 0 (reference implementation values).
  EXPECT_EQ(murmur_hash_bytes(""), 0u);
  EXPECT_EQ(murmur_hash_bytes("hello"), 0x248bfa47u);
  EXPECT_EQ(murmur_hash_bytes("The quick brown fox jumps over the lazy dog"), 0x2e4ff723u);
}

TEST(KeyHashTest, EqualKeysHashEqualAcrossTypesOfContainer) {
  EXPECT_EQ(key_hash(std::string("apple")), key_hash(std::string("apple")));
  EXPECT_NE(key_hash(std::string("apple")), key_hash(std::string("banana")));
  EXPECT_EQ(key_hash(std::make_tuple(1, std::string("a"))),
            key_hash(std::make_tuple(1, std::string("a"))));
  EXPECT_EQ(key_hash(0.0), key_hash(-0.0));
}

TEST(KeyHashTest, KeyGroupsSpreadSmallIntegerKeys) {
  std::vector<int> per_group(128);
  for (int k = 0; k < 12800; ++k) per_group[assign_to_key_group(k, 128)]++;
  for (int n : per_group) {
    EXPECT_GT(n, 50);
    EXPECT_LT(n, 150);
  }
}

TEST(KeyHashTest, DefaultMaxParallelism) {
  EXPECT_EQ(compute_default_max_parallelism(1), 128);
  EXPECT_EQ(compute_default_max_parallelism(100), 256);
  EXPECT_EQ(compute_default_max_parallelism(100000), 32768);
}

}  // namespace
}  // namespace eddy
