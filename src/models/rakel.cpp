#include "models/rakel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <set>

#include "core/error.hpp"
#include "core/random.hpp"
#include "models/model_file.hpp"

namespace lg::models {
namespace {

/// C(n, k), saturating at `cap`.
Index binomial_capped(Index n, Index k, Index cap) {
  k = std::min(k, n - k);
  double value = 1.0;  // exact for the small values we compare with the cap
  for (Index i = 1; i <= k; ++i) {
    value = value * static_cast<double>(n - k + i) / static_cast<double>(i);
    if (value >= static_cast<double>(cap)) return cap;
  }
  return static_cast<Index>(value + 0.5);
}

/// Every k-subset of [0, n) in lexicographic order.
std::vector<std::vector<Index>> all_subsets(Index n, Index k) {
  std::vector<std::vector<Index>> out;
  std::vector<Index> c(static_cast<std::size_t>(k));
  std::iota(c.begin(), c.end(), Index{0});
  while (true) {
    out.push_back(c);
    Index i = k - 1;
    while (i >= 0 && c[static_cast<std::size_t>(i)] == n - k + i) --i;
    if (i < 0) return out;
    ++c[static_cast<std::size_t>(i)];
    for (Index j = i + 1; j < k; ++j)
      c[static_cast<std::size_t>(j)] = c[static_cast<std::size_t>(j - 1)] + 1;
  }
}

}  // namespace

std::vector<std::vector<Index>> rakel_subsets(Index num_labels, const std::string& variant,
                                              Index k, Index m, std::uint64_t seed,
                                              std::vector<std::string>* notes) {
  if (variant != "d" && variant != "o")
    throw Error(fmt::format("rakel: variant must be \"d\" or \"o\", got \"{}\"", variant));
  if (k < 1) throw Error(fmt::format("rakel: k must be >= 1, got {}", k));
  if (num_labels < 1) throw Error("rakel: the data set has no labels");
  if (m < 0) throw Error(fmt::format("rakel: m must be >= 0, got {}", m));
  auto note = [&](std::string text) {
    if (notes) notes->push_back(std::move(text));
  };
  Random rng(seed);
  std::vector<Index> labels(static_cast<std::size_t>(num_labels));
  std::iota(labels.begin(), labels.end(), Index{0});
  if (k >= num_labels) {
    note(fmt::format("rakel: k = {} >= L = {}: one subset of all labels (plain LP)", k,
                     num_labels));
    return {labels};
  }
  std::vector<std::vector<Index>> subsets;
  if (variant == "d") {
    rng.partial_shuffle(labels, num_labels);
    for (Index b = 0; b < num_labels; b += k) {
      std::vector<Index> s(labels.begin() + b, labels.begin() + std::min(b + k, num_labels));
      std::sort(s.begin(), s.end());
      subsets.push_back(std::move(s));
    }
    return subsets;
  }
  const Index wanted = m == 0 ? 2 * num_labels : m;
  constexpr Index kEnumerateBelow = 100000;
  const Index total = binomial_capped(num_labels, k, std::numeric_limits<Index>::max() / 2);
  Index count = wanted;
  if (wanted > total) {
    note(fmt::format("rakel: m = {} capped at C({}, {}) = {} distinct subsets", wanted,
                     num_labels, k, total));
    count = total;
  }
  if (total <= kEnumerateBelow) {
    // Few subsets: draw without replacement from the full list (no rejection loop).
    std::vector<std::vector<Index>> every = all_subsets(num_labels, k);
    std::vector<Index> order(every.size());
    std::iota(order.begin(), order.end(), Index{0});
    rng.partial_shuffle(order, count);
    for (Index i = 0; i < count; ++i)
      subsets.push_back(every[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])]);
    return subsets;
  }
  // C(L, k) > 100000 >> m (m is of the order of L): repeats are rare, reject them.
  std::set<std::vector<Index>> seen;
  while (static_cast<Index>(subsets.size()) < count) {
    rng.partial_shuffle(labels, k);
    std::vector<Index> s(labels.begin(), labels.begin() + k);
    std::sort(s.begin(), s.end());
    if (seen.insert(s).second) subsets.push_back(std::move(s));
  }
  return subsets;
}

ScoreMatrix combine_votes(const std::vector<std::vector<Index>>& subsets,
                          const std::vector<ScoreMatrix>& subset_scores, Index num_labels,
                          std::vector<Index>* uncovered) {
  if (subsets.size() != subset_scores.size())
    throw Error(fmt::format("rakel: {} subsets but {} score matrices", subsets.size(),
                            subset_scores.size()));
  const Index n = subset_scores.empty() ? 0 : subset_scores[0].rows();
  Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(n, num_labels);
  std::vector<Index> votes(static_cast<std::size_t>(num_labels), 0);
  for (std::size_t s = 0; s < subsets.size(); ++s) {
    const ScoreMatrix& scores = subset_scores[s];
    if (scores.rows() != n || scores.cols() != static_cast<Index>(subsets[s].size()))
      throw Error(fmt::format("rakel: scores of subset {} are {} x {}, expected {} x {}", s + 1,
                              scores.rows(), scores.cols(), n, subsets[s].size()));
    for (std::size_t j = 0; j < subsets[s].size(); ++j) {
      const Index label = subsets[s][j];
      if (label < 0 || label >= num_labels)
        throw Error(fmt::format("rakel: label {} of subset {} is outside [0, {})", label, s + 1,
                                num_labels));
      sum.col(label) += scores.col(static_cast<Index>(j)).cast<double>();
      ++votes[static_cast<std::size_t>(label)];
    }
  }
  ScoreMatrix out(n, num_labels);
  if (uncovered) uncovered->clear();
  for (Index j = 0; j < num_labels; ++j) {
    const Index v = votes[static_cast<std::size_t>(j)];
    if (v == 0) {
      out.col(j).setZero();
      if (uncovered) uncovered->push_back(j);
    } else {
      out.col(j) = (sum.col(j) / static_cast<double>(v)).cast<float>();
    }
  }
  return out;
}

void Rakel::Params::validate() const {
  if (variant != "d" && variant != "o")
    throw Error(fmt::format("variant must be \"d\" or \"o\", got \"{}\"", variant));
  if (k < 1) throw Error(fmt::format("k must be >= 1, got {}", k));
  if (m < 0) throw Error(fmt::format("m must be >= 0 (0 = 2L), got {}", m));
  if (variant == "d" && m != 0) throw Error("m applies to variant \"o\" only");
  lp.validate();
}

void Rakel::fit(const Dataset& train, const Context& ctx) {
  notes_.clear();
  const Index num_labels = train.num_labels();
  subsets_ = rakel_subsets(num_labels, params_.variant, params_.k, params_.m,
                           ctx.seed + params_.seed_offset, &notes_);
  models_ = fit_label_subsets(train, subsets_, params_.lp.options(), ctx.resolved_threads(), "rakel");
  for (const PowersetClassifier& model : models_)
    notes_.insert(notes_.end(), model.notes().begin(), model.notes().end());
  std::vector<bool> covered(static_cast<std::size_t>(num_labels), false);
  for (const auto& s : subsets_)
    for (Index j : s) covered[static_cast<std::size_t>(j)] = true;
  std::vector<std::string> missing;
  for (Index j = 0; j < num_labels; ++j)
    if (!covered[static_cast<std::size_t>(j)])
      missing.push_back(j < static_cast<Index>(train.label_names.size())
                            ? train.label_names[static_cast<std::size_t>(j)]
                            : fmt::format("#{}", j + 1));
  if (!missing.empty())
    notes_.push_back(fmt::format("rakel: {} label(s) in no subset score 0: {}", missing.size(),
                                 fmt::join(missing, ", ")));
  num_labels_ = num_labels;
}

ScoreMatrix Rakel::predict_scores(const Dataset& data, const Context& ctx) const {
  if (num_labels_ < 0) throw Error("rakel: predict_scores() before fit()");
  return combine_votes(subsets_, predict_label_subsets(models_, data, ctx.resolved_threads()),
                       num_labels_);
}

void Rakel::save_state(ModelState& state) const {
  if (num_labels_ < 0) throw Error(state.file(), 0, "rakel: nothing to save before fit()");
  state.values()["num_labels"] = num_labels_;
  save_label_subsets(state, subsets_, models_);
}

void Rakel::load_state(const ModelState& state) {
  num_labels_ = state.get_value<Index>("num_labels");
  if (num_labels_ < 0) throw state.damaged("rakel: a negative label count");
  load_label_subsets(state, num_labels_, subsets_, models_);
}

}  // namespace lg::models
