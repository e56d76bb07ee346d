#pragma once
// ML-kNN (Zhang & Zhou 2007, "ML-KNN: A lazy learning approach to multi-label learning",
// Fig. 1; reference doc §5).
//
//   fit:   prior P(H1_l) = (s + N_l) / (2s + N); for every training row, its k nearest OTHER
//          training rows and the count c_l of them carrying label l; then
//          P(E_c | H1_l) = (s + #{rows with l and count c}) / (s (k+1) + #{rows with l}),
//          P(E_c | H0_l) likewise over the rows without l.
//   score: for a row with count c among its k nearest training rows,
//          P(H1_l | E_c) = P(H1_l) P(E_c|H1_l) / (P(H1_l) P(E_c|H1_l) + P(H0_l) P(E_c|H0_l)),
//          the posterior that scikit-multilearn's MLkNN.predict_proba returns (its predict()
//          is this >= 0.5, the runner's default threshold).
//
// Neighbours are Euclidean on the features as given (standardise first when scales differ):
//   * "exact": blocked matrix products, per block ||b||^2 - 2 q.b (the query's own norm is the
//     same for the whole row and left out), then one pass per row keeping the k smallest in a
//     small sorted buffer; ties (equal float distances) go to the lower training row index. Query blocks are spread
//     over the threads; the block size is fixed by N, so results do not depend on the thread
//     count. Dense or CSR features (CSR: sparse products, memory O(block x N)).
//   * "hnsw": hnswlib's HNSW graph (M = 16, ef_construction = 200, ef = max(64, 2k)),
//     approximate; built sequentially (parallel insertion would make the graph depend on
//     timing) with seed ctx.seed, queried in parallel. CSR rows are densified (D <= 65536).
//   * "auto": hnsw for dense features with N >= kHnswAutoRows training rows, exact otherwise
//     (the crossover measured in bench/README.md, section "ML-kNN neighbours").
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/model.hpp"

namespace lg::models {

/// Row i holds the k neighbours of query i, nearest first (training row indices).
using NeighbourTable =
    Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Training rows from which "auto" switches to hnsw (dense features only).
constexpr Index kHnswAutoRows = 50000;

/// Exact k nearest rows of `base` for each row of `queries`; with `queries` null, for each row
/// of `base` among the other rows (itself excluded). Throws lg::Error unless
/// 1 <= k <= available rows, or when the feature counts differ.
NeighbourTable exact_neighbours(const Dataset& base, const Dataset* queries, Index k,
                                int threads);

/// An HNSW index over the rows of a data set (hnswlib stays out of this header).
class HnswIndex {
 public:
  HnswIndex(const Dataset& base, std::uint64_t seed, Index ef);
  ~HnswIndex();
  HnswIndex(const HnswIndex&) = delete;
  HnswIndex& operator=(const HnswIndex&) = delete;
  /// As exact_neighbours (queries null = the base rows, themselves excluded), approximate.
  NeighbourTable neighbours(const Dataset* queries, Index k, int threads) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class MlKnn : public Model {
 public:
  struct Params {
    std::int64_t k = 10;
    double s = 1.0;
    std::string index = "auto";
    template <class V>
    void visit(V& v) {
      v("k", k, "neighbours");
      v("s", s, "Laplace smoothing of prior and posterior counts");
      v("index", index, "exact | hnsw | auto (hnsw for dense data from 50000 training rows)");
    }
    void validate() const;
  };

  explicit MlKnn(const Params& params);
  ~MlKnn() override;
  std::string name() const override { return "mlknn"; }
  void fit(const Dataset& train, const Context& ctx) override;
  ScoreMatrix predict_scores(const Dataset& data, const Context& ctx) const override;
  void save_state(ModelState& state) const override;
  void load_state(const ModelState& state) override;

  /// The neighbour search the last fit() used ("exact" or "hnsw").
  const std::string& index_used() const { return index_used_; }
  /// P(H1_l) per label.
  const Eigen::VectorXd& prior() const { return prior1_; }

 private:
  NeighbourTable neighbours(const Dataset* queries, Index k, int threads) const;
  ScoreMatrix posterior(const NeighbourTable& neighbours) const;

  Params params_;
  Dataset train_;  ///< features and labels kept for the neighbour queries
  std::unique_ptr<HnswIndex> hnsw_;
  std::string index_used_;
  std::uint64_t seed_ = 0;  ///< the fit's seed (an hnsw index is built again from it on load)
  Eigen::VectorXd prior1_;  ///< L
  Eigen::MatrixXd cond1_;   ///< (k+1) x L: P(E_c | H1_l)
  Eigen::MatrixXd cond0_;   ///< (k+1) x L: P(E_c | H0_l)
};

}  // namespace lg::models
