#include "data/synthetic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"

namespace lg {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

/// Samplers on top of mt19937_64, fully specified here so output is the same everywhere.
class Sampler {
 public:
  explicit Sampler(std::uint64_t seed) : engine_(seed) {}

  /// Uniform in (0, 1): 53 random bits, offset by half a step so 0 never occurs.
  double uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }

  bool bernoulli(double p) { return uniform() < p; }

  /// Uniform integer in [0, n), without modulo bias.
  Index below(Index n) {
    const std::uint64_t range = static_cast<std::uint64_t>(n);
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    std::uint64_t r = engine_();
    while (r >= limit) r = engine_();
    return static_cast<Index>(r % range);
  }

  /// Standard normal by Box-Muller; the second value of each pair is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double radius = std::sqrt(-2.0 * std::log(uniform()));
    const double angle = kTwoPi * uniform();
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

Index weak_count(const SyntheticSpec& spec) {
  const auto wanted = static_cast<Index>(std::floor(spec.weak_fraction * spec.labels + 1e-9));
  return std::min(wanted, spec.labels - spec.groups);
}

/// Weak labels: W labels spread evenly over the frequency ranks of the M non-anchor labels
/// G..L-1, cycling through the groups: weak label j goes near rank (j + 1/2) M / W, in
/// group j mod G when that group has a free non-anchor label, else in any group.
std::vector<bool> weak_flags(const SyntheticSpec& spec) {
  std::vector<bool> weak(static_cast<std::size_t>(spec.labels), false);
  const Index m = spec.labels - spec.groups, w = weak_count(spec);
  auto nearest_free = [&](Index target, bool any_group, Index group) -> Index {
    for (Index dist = 0; dist < spec.labels; ++dist)
      for (Index l : {target - dist, target + dist})
        if (l >= spec.groups && l < spec.labels && !weak[l] &&
            (any_group || l % spec.groups == group))
          return l;
    return -1;
  };
  for (Index j = 0; j < w; ++j) {
    const Index target = spec.groups + ((2 * j + 1) * m) / (2 * w);
    Index l = nearest_free(target, false, j % spec.groups);
    if (l < 0) l = nearest_free(target, true, 0);
    weak[l] = true;
  }
  return weak;
}

/// Probability that easy label l is on, inside its active group / outside it.
double in_group_rate(const SyntheticSpec& spec, Index l) {
  const double g = static_cast<double>(spec.groups);
  return std::min(1.0, g * target_frequency(spec, l) * (1.0 - spec.background * (g - 1.0) / g));
}
double out_group_rate(const SyntheticSpec& spec, Index l) {
  return spec.background * target_frequency(spec, l);
}

/// A uniform random direction in R^D scaled to `length`.
std::vector<double> random_direction(Sampler& rng, Index d, double length) {
  std::vector<double> v(static_cast<std::size_t>(d));
  double norm2 = 0.0;
  while (norm2 == 0.0) {
    norm2 = 0.0;
    for (double& x : v) {
      x = rng.normal();
      norm2 += x * x;
    }
  }
  const double scale = length / std::sqrt(norm2);
  for (double& x : v) x *= scale;
  return v;
}

std::string zero_padded(char prefix, Index i, Index count) {
  const int width = static_cast<int>(std::to_string(std::max<Index>(count - 1, 0)).size());
  return fmt::format("{}{:0{}}", prefix, i, width);
}

}  // namespace

void validate(const SyntheticSpec& spec) {
  auto fail = [](const std::string& what) { throw Error("synthetic data: " + what); };
  if (spec.rows < 1) fail(fmt::format("rows must be >= 1, not {}", spec.rows));
  if (spec.labels < 1) fail(fmt::format("labels must be >= 1, not {}", spec.labels));
  if (spec.features < 1) fail(fmt::format("features must be >= 1, not {}", spec.features));
  if (spec.groups < 1 || spec.groups > spec.labels)
    fail(fmt::format("groups must be in [1, labels = {}], not {}", spec.labels, spec.groups));
  if (!(spec.imbalance >= 0.0)) fail(fmt::format("imbalance must be >= 0, not {}", spec.imbalance));
  if (!(spec.top_frequency > 0.0 && spec.top_frequency <= 1.0))
    fail(fmt::format("top frequency must be in (0, 1], not {}", spec.top_frequency));
  if (!(spec.weak_fraction >= 0.0 && spec.weak_fraction < 1.0))
    fail(fmt::format("weak fraction must be in [0, 1), not {}", spec.weak_fraction));
  if (!(spec.background >= 0.0 && spec.background <= 1.0))
    fail(fmt::format("background must be in [0, 1], not {}", spec.background));
  if (!(spec.signal >= 0.0 && spec.weak_signal >= 0.0))
    fail("signal and weak signal must be >= 0");
  if (!(spec.noise >= 0.0)) fail(fmt::format("noise must be >= 0, not {}", spec.noise));
}

Index label_group(const SyntheticSpec& spec, Index label) { return label % spec.groups; }

bool is_weak_label(const SyntheticSpec& spec, Index label) {
  return weak_flags(spec).at(static_cast<std::size_t>(label));
}

double target_frequency(const SyntheticSpec& spec, Index label) {
  return spec.top_frequency * std::pow(static_cast<double>(label + 1), -spec.imbalance);
}

double expected_frequency(const SyntheticSpec& spec, Index label) {
  const double g = static_cast<double>(spec.groups);
  auto easy = [&](Index l) {
    return in_group_rate(spec, l) / g + out_group_rate(spec, l) * (g - 1.0) / g;
  };
  if (!is_weak_label(spec, label)) return easy(label);
  return std::min(easy(label_group(spec, label)), target_frequency(spec, label));
}

Dataset make_synthetic(const SyntheticSpec& spec, std::uint64_t seed) {
  validate(spec);
  const Index n = spec.rows, num_labels = spec.labels, d = spec.features;
  const std::vector<bool> weak = weak_flags(spec);

  // Per-label constants: the two "on" rates (weak: rate given the anchor), the direction.
  std::vector<double> inside(num_labels), outside(num_labels);
  for (Index l = 0; l < num_labels; ++l) {
    if (weak[l]) {
      inside[l] = std::min(1.0, target_frequency(spec, l) /
                                    expected_frequency(spec, label_group(spec, l)));
    } else {
      inside[l] = in_group_rate(spec, l);
      outside[l] = out_group_rate(spec, l);
    }
  }
  Sampler direction_rng(splitmix64(seed ^ 0x6469726563746E73ull));  // stream "directions"
  std::vector<std::vector<double>> direction;
  for (Index l = 0; l < num_labels; ++l)
    direction.push_back(random_direction(direction_rng, d, weak[l] ? spec.weak_signal : spec.signal));

  Dataset data;
  data.name = fmt::format("synthetic-n{}-l{}-d{}-g{}-seed{}", n, num_labels, d, spec.groups, seed);
  data.labels.setZero(n, num_labels);
  data.dense.resize(n, d);
  Sampler row_rng(splitmix64(seed ^ 0x726F777300000000ull));  // stream "rows"
  std::vector<double> x(static_cast<std::size_t>(d));
  for (Index i = 0; i < n; ++i) {
    const Index active = row_rng.below(spec.groups);
    for (Index l = 0; l < num_labels; ++l) {
      const double u = row_rng.uniform();  // one draw per label, always: fixed stream layout
      bool on;
      if (weak[l])
        on = data.labels(i, label_group(spec, l)) && u < inside[l];
      else
        on = u < (label_group(spec, l) == active ? inside[l] : outside[l]);
      data.labels(i, l) = on ? 1 : 0;
    }
    for (double& v : x) v = spec.noise * row_rng.normal();
    for (Index l = 0; l < num_labels; ++l)
      if (data.labels(i, l))
        for (Index k = 0; k < d; ++k) x[k] += direction[l][k];
    for (Index k = 0; k < d; ++k) data.dense(i, k) = static_cast<float>(x[k]);
  }

  for (Index k = 0; k < d; ++k) data.feature_names.push_back(zero_padded('x', k, d));
  for (Index l = 0; l < num_labels; ++l)
    data.label_names.push_back(fmt::format("{}_g{}{}", zero_padded('l', l, num_labels),
                                           label_group(spec, l), weak[l] ? "_weak" : ""));
  data.check_consistent();
  return data;
}

}  // namespace lg
