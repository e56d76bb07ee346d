#include "models/classifier_chain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <thread>

#include "core/parallel.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "graph/build_label_graph.hpp"
#include "graph/label_graph.hpp"
#include "graph/weighting.hpp"
#include "models/model_file.hpp"

namespace lg::models {
namespace {

/// A uniformly random permutation of 0 .. n-1.
std::vector<Index> random_permutation(Index n, Random& rng) {
  std::vector<Index> out(static_cast<std::size_t>(n));
  std::iota(out.begin(), out.end(), Index{0});
  rng.shuffle(out);
  return out;
}

/// body(part) for the row blocks of `rows` over up to `threads` threads.
template <class Body>
void parallel_rows(Index rows, int threads, Body body) {
  const int parts =
      static_cast<int>(std::min<Index>(resolve_threads(threads), std::max<Index>(1, rows / 64)));
  parallel_parts(parts, [&](int p) { body(rows * p / parts, rows * (p + 1) / parts); });
}

void check_trained(bool fitted, const char* name) {
  if (!fitted) throw Error(fmt::format("{}: predict_scores() called before fit()", name));
}

}  // namespace

void CcParams::validate() const {
  base.validate();
  if (order != "given" && order != "random" && order != "frequency" && order != "mst")
    throw Error(fmt::format(
        "order must be \"given\", \"random\", \"frequency\" or \"mst\", got \"{}\"", order));
  try {
    order_graph.validate();
  } catch (const Error& e) {
    throw Error("the order graph (order = \"mst\", builder key order_weighting): " + e.message());
  }
  if (!chain.empty() && order != "given")
    throw Error(fmt::format("chain is only used with order = \"given\" (order is \"{}\")", order));
}

void EccParams::validate() const {
  base.validate();
  if (m < 1) throw Error(fmt::format("m must be >= 1, got {}", m));
  if (!(bagging > 0 && bagging <= 1))
    throw Error(fmt::format("bagging must be in (0, 1], got {}", bagging));
}

std::vector<Index> chain_order(const Dataset& train, const CcParams& params, const Context& ctx) {
  const std::uint64_t seed = ctx.seed;
  const Index l = train.num_labels();
  std::vector<Index> order(static_cast<std::size_t>(l));
  std::iota(order.begin(), order.end(), Index{0});
  if (params.order == "given") {
    if (params.chain.empty()) return order;
    std::map<std::string, Index> index;
    for (Index j = 0; j < l; ++j) index[train.label_names[static_cast<std::size_t>(j)]] = j;
    std::vector<char> seen(static_cast<std::size_t>(l), 0);
    order.clear();
    for (const std::string& name : params.chain) {
      const auto it = index.find(name);
      if (it == index.end())
        throw Error(fmt::format("chain: '{}' is not a label of '{}' (labels: {})", name,
                                train.name, fmt::join(train.label_names, ", ")));
      if (seen[static_cast<std::size_t>(it->second)]++)
        throw Error(fmt::format("chain: label '{}' is listed twice", name));
      order.push_back(it->second);
    }
    if (static_cast<Index>(order.size()) != l) {
      for (Index j = 0; j < l; ++j)
        if (!seen[static_cast<std::size_t>(j)])
          throw Error(fmt::format("chain: label '{}' is missing ({} of {} labels listed)",
                                  train.label_names[static_cast<std::size_t>(j)], order.size(),
                                  l));
    }
    return order;
  }
  if (params.order == "random") {
    Random rng(seed);
    return random_permutation(l, rng);
  }
  if (params.order == "frequency") {
    const Eigen::VectorXi counts = train.labels.cast<int>().colwise().sum().transpose();
    std::stable_sort(order.begin(), order.end(),
                     [&](Index a, Index b) { return counts(a) > counts(b); });
    return order;
  }
  if (params.order == "mst") {
    const graph::BuiltLabelGraph g =
        graph::build_label_graph(train.labels, train.label_names, params.order_graph, ctx);
    return graph::maximum_spanning_forest(g.label_graph()).chain_order;
  }
  throw Error(fmt::format("unknown chain order \"{}\"", params.order));
}

ChainSet fit_chains(const Dataset& train, const std::vector<std::vector<Index>>& orders,
                    const LinearOptions& options, const Matrix* row_weights) {
  train.check_consistent();
  const Index l = train.num_labels();
  const Index n = train.rows();
  const Index m = static_cast<Index>(orders.size());
  if (m == 0) throw Error("fit_chains: no chain orders");
  TargetMask mask = TargetMask::Zero(l, m * l);
  for (Index c = 0; c < m; ++c) {
    const std::vector<Index>& order = orders[static_cast<std::size_t>(c)];
    if (static_cast<Index>(order.size()) != l)
      throw Error(fmt::format("fit_chains: chain {} has {} labels, expected {}", c, order.size(),
                              l));
    std::vector<Index> position(static_cast<std::size_t>(l), -1);
    for (Index j = 0; j < l; ++j) {
      const Index label = order[static_cast<std::size_t>(j)];
      if (label < 0 || label >= l || position[static_cast<std::size_t>(label)] >= 0)
        throw Error(fmt::format("fit_chains: chain {} is not a permutation of the labels", c));
      position[static_cast<std::size_t>(label)] = j;
    }
    for (Index target = 0; target < l; ++target)
      for (Index k = 0; k < l; ++k)
        mask(k, c * l + target) = position[static_cast<std::size_t>(k)] <
                                  position[static_cast<std::size_t>(target)];
  }
  const Matrix extra = train.labels.cast<float>();
  LabelMatrix replicated;
  if (m > 1) replicated = train.labels.replicate(1, m);
  LinearProblem problem;
  problem.x = &train;
  problem.targets = m > 1 ? &replicated : &train.labels;
  problem.extra = &extra;
  problem.extra_mask = &mask;
  problem.row_weights = row_weights;
  (void)n;
  ChainSet out;
  out.fit = fit_linear(problem, options);
  out.orders = orders;
  out.num_labels = l;
  return out;
}

ScoreMatrix predict_chains(const Dataset& data, const ChainSet& chains, int threads) {
  const Index l = chains.num_labels;
  const Index m = static_cast<Index>(chains.orders.size());
  // the feature part of every link of every chain: one product
  const Matrix feature_z = linear_feature_decisions(data, chains.fit, threads);
  const Index n = feature_z.rows();
  const Matrix& v = chains.fit.extra_weights;  // L x m·L
  ScoreMatrix out = ScoreMatrix::Zero(n, l);
  parallel_rows(n, threads, [&](Index begin, Index end) {
    const Index rows = end - begin;
    if (rows <= 0) return;
    Matrix predicted(rows, l);  // 0/1 predictions of the links run so far, label columns
    Eigen::VectorXf z(rows);
    for (Index c = 0; c < m; ++c) {
      predicted.setZero();
      for (const Index label : chains.orders[static_cast<std::size_t>(c)]) {
        const Index col = c * l + label;
        const int constant = chains.fit.constant[static_cast<std::size_t>(col)];
        if (constant >= 0) {
          predicted.col(label).setConstant(static_cast<float>(constant));
          out.block(begin, label, rows, 1).array() += static_cast<float>(constant);
          continue;
        }
        // masked (later) labels have weight exactly 0, and their columns are still 0
        z.noalias() = feature_z.block(begin, col, rows, 1) + predicted * v.col(col);
        for (Index i = 0; i < rows; ++i) {
          predicted(i, label) = z(i) > 0 ? 1.0f : 0.0f;
          out(begin + i, label) += sigmoid(z(i));
        }
      }
    }
  });
  if (m > 1) out /= static_cast<float>(m);
  return out;
}

void ClassifierChain::fit(const Dataset& train, const Context& ctx) {
  train.check_consistent();
  const std::vector<Index> order = chain_order(train, params_, ctx);
  chains_ = fit_chains(train, {order}, params_.base.options(ctx.threads));
  notes_ = fit_notes(chains_.fit, train.label_names, params_.base.max_iter, "");
  fitted_ = true;
}

ScoreMatrix ClassifierChain::predict_scores(const Dataset& data, const Context& ctx) const {
  check_trained(fitted_, "cc");
  return predict_chains(data, chains_, ctx.threads);
}

const std::vector<Index>& ClassifierChain::order() const {
  check_trained(fitted_, "cc");
  return chains_.orders.front();
}

void EnsembleClassifierChains::fit(const Dataset& train, const Context& ctx) {
  train.check_consistent();
  const Index n = train.rows();
  const Index l = train.num_labels();
  Random rng(ctx.seed);
  std::vector<std::vector<Index>> orders;
  for (int c = 0; c < params_.m; ++c) orders.push_back(random_permutation(l, rng));
  Matrix weights;
  const bool bagging = params_.bagging < 1.0 && n > 0;
  if (bagging) {
    const Index draws = std::max<Index>(1, static_cast<Index>(std::llround(params_.bagging * n)));
    weights = Matrix::Zero(n, params_.m * l);
    for (int c = 0; c < params_.m; ++c) {
      Eigen::VectorXf counts = Eigen::VectorXf::Zero(n);
      for (Index k = 0; k < draws; ++k)
        counts(rng.below(n)) += 1.0f;
      weights.middleCols(c * l, l) = counts.replicate(1, l);
    }
  }
  chains_ = fit_chains(train, orders, params_.base.options(ctx.threads),
                       bagging ? &weights : nullptr);
  notes_ = fit_notes(chains_.fit, train.label_names, params_.base.max_iter, "");
  fitted_ = true;
}

ScoreMatrix EnsembleClassifierChains::predict_scores(const Dataset& data,
                                                     const Context& ctx) const {
  check_trained(fitted_, "ecc");
  return predict_chains(data, chains_, ctx.threads);
}

void save_chains(ModelState& state, const std::string& prefix, const ChainSet& chains) {
  save_linear_fit(state, prefix + ".fit", chains.fit);
  state.put_lists(prefix + ".orders", chains.orders);
  state.values()[prefix + ".num_labels"] = chains.num_labels;
}

void load_chains(const ModelState& state, const std::string& prefix, ChainSet& chains) {
  chains = ChainSet();
  load_linear_fit(state, prefix + ".fit", chains.fit);
  state.get_lists(prefix + ".orders", chains.orders);
  chains.num_labels = state.get_value<Index>(prefix + ".num_labels");
  const Index l = chains.num_labels;
  const Index m = static_cast<Index>(chains.orders.size());
  if (l < 0 || chains.fit.num_targets() != m * l || chains.fit.extra_weights.rows() != l)
    throw state.damaged(fmt::format("the chains '{}' do not match their linear fit", prefix));
  for (const auto& order : chains.orders) {
    std::vector<char> seen(static_cast<std::size_t>(l), 0);
    for (const Index label : order) {
      if (label < 0 || label >= l || seen[static_cast<std::size_t>(label)])
        throw state.damaged(fmt::format("a chain order of '{}' is not a permutation of the labels", prefix));
      seen[static_cast<std::size_t>(label)] = 1;
    }
    if (static_cast<Index>(order.size()) != l)
      throw state.damaged(fmt::format("a chain order of '{}' is not a permutation of the labels", prefix));
  }
}

void ClassifierChain::save_state(ModelState& state) const {
  if (!fitted_) throw Error(state.file(), 0, "cc: nothing to save before fit()");
  save_chains(state, "chains", chains_);
}

void ClassifierChain::load_state(const ModelState& state) {
  load_chains(state, "chains", chains_);
  if (chains_.orders.size() != 1) throw state.damaged("cc has exactly one chain");
  fitted_ = true;
}

void EnsembleClassifierChains::save_state(ModelState& state) const {
  if (!fitted_) throw Error(state.file(), 0, "ecc: nothing to save before fit()");
  save_chains(state, "chains", chains_);
}

void EnsembleClassifierChains::load_state(const ModelState& state) {
  load_chains(state, "chains", chains_);
  if (chains_.orders.empty()) throw state.damaged("ecc has no chains");
  fitted_ = true;
}

}  // namespace lg::models
