#pragma once
// The toolkit's random draws: std::mt19937_64 (its output is fixed by the C++ standard) with
// samplers written out here, never std::*_distribution or std::shuffle, whose results differ
// between standard libraries. Same seed, same draws, on every platform.
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "core/layout.hpp"

namespace lg {

/// SplitMix64 finaliser: turns (seed, stream number) into well-mixed independent seeds.
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// An independent seed for stream `stream` of a run seeded with `seed`.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  return splitmix64(seed ^ splitmix64(stream));
}

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  /// Uniform in [0, 1): 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  /// Uniform integer in [0, n), n >= 1, by rejection (no modulo bias).
  Index below(Index n) {
    const auto range = static_cast<std::uint64_t>(n);
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t limit = kMax - kMax % range;
    std::uint64_t r = engine_();
    while (r >= limit) r = engine_();
    return static_cast<Index>(r % range);
  }

  /// Fisher-Yates shuffle (from the back).
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i)
      std::swap(v[i - 1], v[static_cast<std::size_t>(below(static_cast<Index>(i)))]);
  }

  /// The first `k` entries of `items` become a uniform random k-subset (partial Fisher-Yates
  /// from the front); the rest keep the remaining items.
  template <typename T>
  void partial_shuffle(std::vector<T>& items, Index k) {
    const auto n = static_cast<Index>(items.size());
    for (Index i = 0; i < k && i + 1 < n; ++i)
      std::swap(items[static_cast<std::size_t>(i)],
                items[static_cast<std::size_t>(i + below(n - i))]);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace lg
