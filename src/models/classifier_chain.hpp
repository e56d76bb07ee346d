#pragma once
// Classifier chains (Read et al. 2011; reference doc §5), registered as `cc`, and their
// ensemble, registered as `ecc`.
//
// Training: the link of label l sees the features and the TRUE values of the labels before l
// in the chain. All links of all chains are fitted as one batched problem: the extra input
// columns are the label matrix Y (file order) and each link's mask admits exactly the labels
// before it in its chain (strictly triangular in chain order). Prediction, as scikit-learn's
// ClassifierChain: X·W + b for every link is one product, then the links run in chain order
// on the PREDICTED previous labels (score > 0.5, i.e. decision value > 0).
//
// Chain orders (`order`):
//   given      `chain` lists every label name once; empty = file order
//   random     a permutation drawn from the run's seed
//   frequency  most frequent training label first (ties: file order)
//   mst        the maximum spanning forest of the training labels' co-occurrence graph
//              (graph/weighting.hpp builder `order_weighting`), breadth-first from the most
//              frequent label (graph/label_graph.hpp maximum_spanning_forest().chain_order)
// ecc: `m` chains with random orders from the seed, each optionally on a bootstrap sample of
// bagging * N rows (drawn with replacement; 1.0 = every row once, no bagging); the scores are
// averaged over the chains.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/weighting.hpp"
#include "models/binary_relevance.hpp"
#include "models/linear_learner.hpp"
#include "models/model.hpp"

namespace lg::models {

struct CcParams {
  LearnerParams base;                   ///< the linear learner of every link
  std::string order = "given";          ///< given | random | frequency | mst
  graph::LabelGraphSpec order_graph = npmi();  ///< order = "mst": the label graph (weights only)
  std::vector<std::string> chain;       ///< order = "given": label names; empty = file order
  /// The key of order_graph's builder (an experiment's `graph = "NAME"` fills it).
  static constexpr const char* kGraphWeightingKey = "order_weighting";

  template <class V>
  void visit(V& v) {
    base.visit(v);
    v("order", order, "given | random | frequency | mst");
    order_graph.visit(v, kGraphWeightingKey);
    v("chain", chain, "order = \"given\": every label name once (empty = file order)");
  }
  static graph::LabelGraphSpec npmi() {
    graph::LabelGraphSpec s;
    s.weighting = "npmi";
    return s;
  }
  void validate() const;
};

struct EccParams {
  LearnerParams base;    ///< the linear learner of every link
  int m = 10;            ///< number of chains
  double bagging = 1.0;  ///< bootstrap sample size per chain as a fraction of N; 1 = none

  template <class V>
  void visit(V& v) {
    base.visit(v);
    v("m", m, "number of chains (random orders from the seed)");
    v("bagging", bagging,
      "rows per chain drawn with replacement, as a fraction of N (1 = no bagging)");
  }
  void validate() const;
};

/// The chain order for `train` (a permutation of 0 .. L-1). Throws lg::Error naming an
/// unknown or repeated label of `chain`, or one it leaves out.
std::vector<Index> chain_order(const Dataset& train, const CcParams& params, const Context& ctx);

/// Several chains over the same labels, fitted as one batched problem.
struct ChainSet {
  LinearFit fit;                          ///< m·L targets: chain c, label l is column c·L + l
  std::vector<std::vector<Index>> orders; ///< per chain, labels in chain order
  Index num_labels = 0;                   ///< L
};

/// Fit every chain; `row_weights` (N x m·L, or nullptr) are per-chain bootstrap counts.
ChainSet fit_chains(const Dataset& train, const std::vector<std::vector<Index>>& orders,
                    const LinearOptions& options, const Matrix* row_weights = nullptr);
/// Scores averaged over the chains (N x L), each chain run on its predicted labels.
ScoreMatrix predict_chains(const Dataset& data, const ChainSet& chains, int threads);
/// A ChainSet in a model file's state (under `prefix`), and back (checks orders and sizes).
void save_chains(ModelState& state, const std::string& prefix, const ChainSet& chains);
void load_chains(const ModelState& state, const std::string& prefix, ChainSet& chains);

class ClassifierChain : public Model {
 public:
  using Params = CcParams;
  explicit ClassifierChain(const Params& params) : params_(params) {}

  std::string name() const override { return "cc"; }
  void fit(const Dataset& train, const Context& ctx) override;
  ScoreMatrix predict_scores(const Dataset& data, const Context& ctx) const override;
  void save_state(ModelState& state) const override;
  void load_state(const ModelState& state) override;
  /// The order used by the last fit().
  const std::vector<Index>& order() const;

 private:
  Params params_;
  ChainSet chains_;
  bool fitted_ = false;
};

class EnsembleClassifierChains : public Model {
 public:
  using Params = EccParams;
  explicit EnsembleClassifierChains(const Params& params) : params_(params) {}

  std::string name() const override { return "ecc"; }
  void fit(const Dataset& train, const Context& ctx) override;
  ScoreMatrix predict_scores(const Dataset& data, const Context& ctx) const override;
  void save_state(ModelState& state) const override;
  void load_state(const ModelState& state) override;

 private:
  Params params_;
  ChainSet chains_;
  bool fitted_ = false;
};

}  // namespace lg::models
