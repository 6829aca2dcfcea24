// Stable key hashing and key-group assignment, as in Flink's KeyGroupRangeAssignment.
// Invariant: key_hash() of a value depends only on the value (never on the process, the
// pointer or std::hash), so every process of a cluster routes a key to the same subtask.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace eddy {

inline constexpr int kDefaultMaxParallelism = 128;
inline constexpr int kUpperBoundMaxParallelism = 1 << 15;

namespace key_hash_detail {

inline uint32_t rotl32(uint32_t x, int r) {
  return (x << r) | (x >> (32 - r));
}

inline uint32_t mix_k1(uint32_t k1) {
  k1 *= 0xcc9e2d51u;
  k1 = rotl32(k1, 15);
  return k1 * 0x1b873593u;
}

inline uint32_t mix_h1(uint32_t h1, uint32_t k1) {
  h1 ^= k1;
  h1 = rotl32(h1, 13);
  return h1 * 5 + 0xe6546b64u;
}

inline uint32_t fmix(uint32_t h1, uint32_t length) {
  h1 ^= length;
  h1 ^= h1 >> 16;
  h1 *= 0x85ebca6bu;
  h1 ^= h1 >> 13;
  h1 *= 0xc2b2ae35u;
  h1 ^= h1 >> 16;
  return h1;
}

}  // namespace key_hash_detail

// MurmurHash3 (x86, 32-bit) of one 32-bit word: Flink's MathUtils.murmurHash.
inline uint32_t murmur_hash(uint32_t code) {
  using namespace key_hash_detail;
  return fmix(mix_h1(0, mix_k1(code)), 4);
}

// MurmurHash3 (x86, 32-bit, seed 0) of a byte string.
inline uint32_t murmur_hash_bytes(std::string_view bytes) {
  using namespace key_hash_detail;
  uint32_t h1 = 0;
  const size_t blocks = bytes.size() / 4;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k1;
    std::memcpy(&k1, bytes.data() + i * 4, 4);
    h1 = mix_h1(h1, mix_k1(k1));
  }
  uint32_t k1 = 0;
  const auto* tail = reinterpret_cast<const uint8_t*>(bytes.data() + blocks * 4);
  switch (bytes.size() & 3) {
    case 3:
      k1 ^= uint32_t{tail[2]} << 16;
      [[fallthrough]];
    case 2:
      k1 ^= uint32_t{tail[1]} << 8;
      [[fallthrough]];
    case 1:
      k1 ^= tail[0];
      h1 ^= mix_k1(k1);
  }
  return fmix(h1, static_cast<uint32_t>(bytes.size()));
}

// KeyHash<K> is the hash a key contributes before key-group assignment. Users make their own
// key types hashable by specializing it (or by keying on a tuple of hashable fields).
template <class K, class Enable = void>
struct KeyHash;

template <class K>
struct KeyHash<K, std::enable_if_t<std::is_integral_v<K> || std::is_enum_v<K>>> {
  uint32_t operator()(K key) const {
    auto v = static_cast<uint64_t>(key);
    return static_cast<uint32_t>(v ^ (v >> 32));
  }
};

template <class K>
struct KeyHash<K, std::enable_if_t<std::is_floating_point_v<K>>> {
  uint32_t operator()(K key) const {
    double d = key == 0 ? 0.0 : static_cast<double>(key);  // -0.0 and 0.0 are one key
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    return static_cast<uint32_t>(bits ^ (bits >> 32));
  }
};

template <>
struct KeyHash<std::string> {
  uint32_t operator()(const std::string& key) const { return murmur_hash_bytes(key); }
};

template <>
struct KeyHash<std::string_view> {
  uint32_t operator()(std::string_view key) const { return murmur_hash_bytes(key); }
};

// Composite keys combine their fields' hashes as Java's Tuple.hashCode does (31 * h + f).
template <class... Ts>
struct KeyHash<std::tuple<Ts...>> {
  uint32_t operator()(const std::tuple<Ts...>& key) const {
    uint32_t h = 0;
    std::apply(
        [&](const auto&... f) { ((h = 31 * h + KeyHash<std::decay_t<decltype(f)>>{}(f)), ...); },
        key);
    return h;
  }
};

template <class A, class B>
struct KeyHash<std::pair<A, B>> {
  uint32_t operator()(const std::pair<A, B>& key) const {
    return 31 * KeyHash<A>{}(key.first) + KeyHash<B>{}(key.second);
  }
};

template <class T>
struct KeyHash<std::vector<T>> {
  uint32_t operator()(const std::vector<T>& key) const {
    uint32_t h = 1;
    for (const auto& e : key) h = 31 * h + KeyHash<T>{}(e);
    return h;
  }
};

template <class T>
struct KeyHash<std::optional<T>> {
  uint32_t operator()(const std::optional<T>& key) const { return key ? KeyHash<T>{}(*key) : 0; }
};

template <class K>
uint32_t key_hash(const K& key) {
  return KeyHash<K>{}(key);
}

// The key group of a key: murmur(hash) mod max parallelism.
template <class K>
int assign_to_key_group(const K& key, int max_parallelism) {
  return static_cast<int>(murmur_hash(key_hash(key)) % static_cast<uint32_t>(max_parallelism));
}

// The subtask that owns a key group. Key groups are split into contiguous ranges.
inline int operator_index_for_key_group(int max_parallelism, int parallelism, int key_group) {
  return key_group * parallelism / max_parallelism;
}

// The first and last key group (inclusive) that subtask `index` owns.
inline std::pair<int, int> key_group_range_for_operator(int max_parallelism, int parallelism,
                                                        int index) {
  int start = (index * max_parallelism + parallelism - 1) / parallelism;
  int end = ((index + 1) * max_parallelism - 1) / parallelism;
  return {start, end};
}

// Flink's default max parallelism: 1.5 x parallelism rounded up to a power of two, in [128, 32768].
// Computed in 64 bits and capped before doubling, so that no parallelism can overflow it.
inline int compute_default_max_parallelism(int parallelism) {
  const int64_t target = int64_t{parallelism} + parallelism / 2;
  int64_t p = kDefaultMaxParallelism;
  while (p < target && p < kUpperBoundMaxParallelism) p <<= 1;
  return static_cast<int>(p);
}

// Hasher for std::unordered_map keyed by stream keys.
struct KeyHasher {
  template <class K>
  size_t operator()(const K& key) const {
    return murmur_hash(key_hash(key));
  }
};

}  // namespace eddy
