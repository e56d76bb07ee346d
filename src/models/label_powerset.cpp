#include "models/label_powerset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <unordered_map>

#include "core/parallel.hpp"
#include "core/error.hpp"
#include "models/model_file.hpp"

namespace lg::models {

void validate_powerset_options(const PowersetOptions& options) {
  if (!(options.C > 0)) throw Error(fmt::format("C must be > 0, got {}", options.C));
  if (!(options.tol > 0)) throw Error(fmt::format("tol must be > 0, got {}", options.tol));
  if (options.max_iter < 1)
    throw Error(fmt::format("max_iter must be >= 1, got {}", options.max_iter));
  if (options.max_classes < 1)
    throw Error(fmt::format("max_classes must be >= 1, got {}", options.max_classes));
}

LabelMatrix distinct_label_sets(const LabelMatrix& y, std::vector<int>& class_of_row,
                                std::int64_t max_classes, const std::string& what) {
  const Index n = y.rows();
  const Index ls = y.cols();
  class_of_row.assign(static_cast<std::size_t>(n), 0);
  std::unordered_map<std::string, int> ids;
  std::vector<Index> first_row;
  std::string key(static_cast<std::size_t>(ls), '\0');
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < ls; ++j) key[static_cast<std::size_t>(j)] = y(i, j) != 0 ? '1' : '0';
    const auto [it, added] = ids.emplace(key, static_cast<int>(first_row.size()));
    if (added) {
      first_row.push_back(i);
      if (max_classes > 0 && static_cast<std::int64_t>(first_row.size()) > max_classes) {
        // Count them all so the message gives the real number.
        for (Index r = i + 1; r < n; ++r) {
          for (Index j = 0; j < ls; ++j)
            key[static_cast<std::size_t>(j)] = y(r, j) != 0 ? '1' : '0';
          ids.emplace(key, 0);
        }
        throw Error(fmt::format(
            "{}: the training labels have {} distinct label sets, more than max_classes = {} "
            "(raise max_classes, or use rakel or lp-communities, which split the labels)",
            what, ids.size(), max_classes));
      }
    }
    class_of_row[static_cast<std::size_t>(i)] = it->second;
  }
  LabelMatrix classes(static_cast<Index>(first_row.size()), ls);
  for (std::size_t c = 0; c < first_row.size(); ++c)
    for (Index j = 0; j < ls; ++j)
      classes(static_cast<Index>(c), j) = y(first_row[c], j) != 0 ? 1 : 0;
  return classes;
}

void PowersetClassifier::fit(const Dataset& x, const LabelMatrix& y,
                             const PowersetOptions& options, int threads,
                             const std::string& what) {
  validate_powerset_options(options);
  const Index n = x.sparse ? x.csr.rows() : x.dense.rows();
  if (y.rows() != n)
    throw Error(fmt::format("{}: {} label rows for {} feature rows", what, y.rows(), n));
  if (n == 0) throw Error(fmt::format("{}: no training rows", what));
  notes_.clear();
  std::vector<int> class_of_row;
  classes_ = distinct_label_sets(y, class_of_row, options.max_classes, what);
  regression_ = SoftmaxRegression();
  if (classes_.rows() == 1) {
    notes_.push_back(fmt::format(
        "{}: every training row has the same label set; scores are that set (constant)", what));
    return;
  }
  SoftmaxOptions so;
  so.C = options.C;
  so.tol = options.tol;
  so.max_iter = options.max_iter;
  so.threads = threads;
  const SoftmaxReport report =
      regression_.fit(x, class_of_row, static_cast<int>(classes_.rows()), so);
  if (report.iterations < 0)
    notes_.push_back(fmt::format(
        "{}: the L-BFGS line search stalled before tol = {} (round-off, even with double "
        "products); the best point found is used",
        what, options.tol));
  else if (!report.converged)
    notes_.push_back(fmt::format("{}: L-BFGS stopped at max_iter = {} before tol = {}", what,
                                 options.max_iter, options.tol));
}

ScoreMatrix PowersetClassifier::predict(const Dataset& x, int threads) const {
  const Index n = x.sparse ? x.csr.rows() : x.dense.rows();
  if (classes_.rows() == 0) throw Error("label powerset: predict() before fit()");
  const Matrix set_matrix = classes_.cast<float>();  // K x Ls
  if (classes_.rows() == 1) return set_matrix.row(0).replicate(n, 1);
  // Marginals: P (N x K) times the 0/1 class-label table (K x Ls).
  const Matrix marginal = regression_.predict_proba(x, threads) * set_matrix;
  // Round-off may leave a sum of probabilities a hair above 1.
  return marginal.cwiseMin(1.0f).cwiseMax(0.0f);
}

void LabelPowerset::Params::validate() const { validate_powerset_options(options()); }

PowersetOptions LabelPowerset::Params::options() const {
  PowersetOptions o;
  o.C = C;
  o.tol = tol;
  o.max_iter = static_cast<int>(std::min<std::int64_t>(max_iter, 1 << 30));
  o.max_classes = max_classes;
  return o;
}

void LabelPowerset::fit(const Dataset& train, const Context& ctx) {
  classifier_.fit(train, train.labels, params_.options(), ctx.resolved_threads(), "lp");
  notes_ = classifier_.notes();
  num_labels_ = train.num_labels();
}

ScoreMatrix LabelPowerset::predict_scores(const Dataset& data, const Context& ctx) const {
  if (num_labels_ < 0) throw Error("lp: predict_scores() before fit()");
  return classifier_.predict(data, ctx.resolved_threads());
}

}  // namespace lg::models

namespace lg::models {

std::vector<PowersetClassifier> fit_label_subsets(const Dataset& train,
                                                  const std::vector<std::vector<Index>>& subsets,
                                                  const PowersetOptions& options, int threads,
                                                  const std::string& what) {
  const bool side_by_side = static_cast<Index>(subsets.size()) >= threads;
  std::vector<PowersetClassifier> models(subsets.size());
  parallel_for(static_cast<Index>(subsets.size()), side_by_side ? threads : 1, [&](Index s) {
    const std::vector<Index>& labels = subsets[static_cast<std::size_t>(s)];
    LabelMatrix y(train.labels.rows(), static_cast<Index>(labels.size()));
    for (std::size_t j = 0; j < labels.size(); ++j) {
      if (labels[j] < 0 || labels[j] >= train.labels.cols())
        throw Error(fmt::format("{}: label {} of subset {} is outside [0, {})", what, labels[j],
                                s + 1, train.labels.cols()));
      y.col(static_cast<Index>(j)) = train.labels.col(labels[j]);
    }
    models[static_cast<std::size_t>(s)].fit(train, y, options, side_by_side ? 1 : threads,
                  fmt::format("{} subset {}", what, s + 1));
  });
  return models;
}

std::vector<ScoreMatrix> predict_label_subsets(const std::vector<PowersetClassifier>& models,
                                               const Dataset& x, int threads) {
  const bool side_by_side = static_cast<Index>(models.size()) >= threads;
  std::vector<ScoreMatrix> scores(models.size());
  parallel_for(static_cast<Index>(models.size()), side_by_side ? threads : 1, [&](Index s) {
    scores[static_cast<std::size_t>(s)] = models[static_cast<std::size_t>(s)].predict(x, side_by_side ? 1 : threads);
  });
  return scores;
}

void PowersetClassifier::save(ModelState& state, const std::string& prefix) const {
  if (classes_.rows() == 0) throw Error(state.file(), 0, "label powerset: nothing to save before fit()");
  state.put(prefix + ".classes", classes_);
  if (classes_.rows() > 1) regression_.save(state, prefix + ".regression");
  state.values()[prefix + ".notes"] = notes_;
}

void PowersetClassifier::load(const ModelState& state, const std::string& prefix) {
  state.get(prefix + ".classes", classes_);
  if (classes_.rows() == 0) throw state.damaged(fmt::format("'{}' has no label sets", prefix));
  regression_ = SoftmaxRegression();
  if (classes_.rows() > 1) {
    regression_.load(state, prefix + ".regression");
    if (regression_.num_classes() != classes_.rows())
      throw state.damaged(fmt::format("'{}' has {} label sets and {} regression classes", prefix,
                                      classes_.rows(), regression_.num_classes()));
  }
  notes_ = state.get_value<std::vector<std::string>>(prefix + ".notes");
}

void LabelPowerset::save_state(ModelState& state) const {
  if (num_labels_ < 0) throw Error(state.file(), 0, "lp: nothing to save before fit()");
  classifier_.save(state, "lp");
}

void LabelPowerset::load_state(const ModelState& state) {
  classifier_.load(state, "lp");
  num_labels_ = classifier_.classes().cols();
}

void save_label_subsets(ModelState& state, const std::vector<std::vector<Index>>& subsets,
                        const std::vector<PowersetClassifier>& models) {
  state.put_lists("subsets", subsets);
  for (std::size_t s = 0; s < models.size(); ++s) models[s].save(state, fmt::format("subset{}", s));
}

void load_label_subsets(const ModelState& state, Index num_labels,
                        std::vector<std::vector<Index>>& subsets,
                        std::vector<PowersetClassifier>& models) {
  state.get_lists("subsets", subsets);
  models.assign(subsets.size(), PowersetClassifier());
  for (std::size_t s = 0; s < subsets.size(); ++s) {
    for (const Index j : subsets[s])
      if (j < 0 || j >= num_labels)
        throw state.damaged(fmt::format("label subset {} names label {} of {}", s + 1, j, num_labels));
    models[s].load(state, fmt::format("subset{}", s));
    if (models[s].classes().cols() != static_cast<Index>(subsets[s].size()))
      throw state.damaged(fmt::format("label subset {} has {} labels, its model {}", s + 1,
                                      subsets[s].size(), models[s].classes().cols()));
  }
}

}  // namespace lg::models
