#include "models/mlknn.hpp"

#include <fmt/format.h>
// hnswlib's SSE prefetch in searchBaseLayer reads the link-list entry one past the list's
// end (upstream nmslib/hnswlib#107, #578; within malloc's padding, never used). AddressSanitizer
// rightly reports the read, so sanitizer builds compile hnswlib without its manual
// vectorisation, as hnswlib's own sanitizer tests do (same neighbours up to float rounding).
#if defined(__SANITIZE_ADDRESS__) && !defined(NO_MANUAL_VECTORIZATION)
#define NO_MANUAL_VECTORIZATION
#endif
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <numeric>
#include <thread>

#include "core/parallel.hpp"
#include "core/error.hpp"
#include "models/feature_ops.hpp"
#include "models/model_file.hpp"
#include "models/softmax_regression.hpp"

namespace lg::models {
namespace {

using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Index rows_of(const Dataset& x) { return x.sparse ? x.csr.rows() : x.dense.rows(); }

void check_neighbour_args(const Dataset& base, const Dataset* queries, Index k,
                          const char* what) {
  const Index n = rows_of(base);
  const Index available = queries ? n : n - 1;
  if (k < 1 || k > available)
    throw Error(fmt::format("{}: k = {} neighbours requested, but there are {} {}training rows",
                            what, k, available, queries ? "" : "other "));
  if (queries && feature_columns(*queries) != feature_columns(base))
    throw Error(fmt::format("{}: the queries have {} features, the training rows {}", what,
                            feature_columns(*queries), feature_columns(base)));
}

}  // namespace

NeighbourTable exact_neighbours(const Dataset& base, const Dataset* queries, Index k,
                                int threads) {
  check_neighbour_args(base, queries, k, "exact neighbours");
  const Dataset& q = queries ? *queries : base;
  const Index n = rows_of(base);
  const Index nq = rows_of(q);
  const Eigen::VectorXf base_norms = row_squared_norms(base);
  // About 4 M distances (16 MB) per block and thread; at least 8 rows per block.
  const Index block = std::clamp<Index>((Index{1} << 22) / std::max<Index>(n, 1), 8, 1024);
  const Index blocks = (nq + block - 1) / block;
  SparseFeatures base_t;  // D x N, CSR: the sparse product's right factor, built once
  if (base.sparse) base_t = base.csr.transpose();

  NeighbourTable out(nq, k);
  parallel_for(blocks, threads, [&](Index b) {
    const Index begin = b * block;
    const Index rows = std::min(block, nq - begin);
    RowMajorMatrix dist(rows, n);
    if (base.sparse) {
      const SparseFeatures product = q.csr.middleRows(begin, rows) * base_t;
      dist.setZero();
      for (Index r = 0; r < rows; ++r)
        for (SparseFeatures::InnerIterator it(product, r); it; ++it)
          dist(r, it.col()) = it.value();
    } else {
      dist.noalias() = q.dense.middleRows(begin, rows) * base.dense.transpose();
    }
    std::vector<std::pair<float, Index>> best(static_cast<std::size_t>(k));
    for (Index r = 0; r < rows; ++r) {
      const float* d = dist.row(r).data();
      const Index self = queries ? -1 : begin + r;
      // One pass keeping the k best (distance, row) sorted: a row is taken only when strictly
      // closer than the current k-th, so among equal distances the lower row (seen first)
      // stays -- the tie rule. Most rows cost one comparison.
      Index filled = 0;
      for (Index j = 0; j < n; ++j) {
        if (j == self) continue;
        const float dj = base_norms(j) - 2.0f * d[j];
        if (filled == k && !(dj < best[static_cast<std::size_t>(k - 1)].first)) continue;
        Index pos = filled < k ? filled++ : k - 1;
        while (pos > 0 && dj < best[static_cast<std::size_t>(pos - 1)].first) {
          best[static_cast<std::size_t>(pos)] = best[static_cast<std::size_t>(pos - 1)];
          --pos;
        }
        best[static_cast<std::size_t>(pos)] = {dj, j};
      }
      for (Index j = 0; j < k; ++j) out(begin + r, j) = best[static_cast<std::size_t>(j)].second;
    }
  });
  return out;
}

struct HnswIndex::Impl {
  explicit Impl(std::size_t dims) : space(dims) {}
  hnswlib::L2Space space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
  Index rows = 0;
  Index dim = 0;
  Index ef = 64;
};

namespace {

/// Row r of `x` as dense floats in `buffer` (a view of the row itself when dense).
const float* dense_row(const Dataset& x, Index r, std::vector<float>& buffer) {
  if (!x.sparse) return x.dense.row(r).data();
  std::fill(buffer.begin(), buffer.end(), 0.0f);
  for (SparseFeatures::InnerIterator it(x.csr, r); it; ++it)
    buffer[static_cast<std::size_t>(it.col())] = it.value();
  return buffer.data();
}

constexpr Index kHnswMaxSparseDims = 65536;

}  // namespace

HnswIndex::HnswIndex(const Dataset& base, std::uint64_t seed, Index ef) {
  const Index dim = feature_columns(base);
  if (base.sparse && dim > kHnswMaxSparseDims)
    throw Error(fmt::format("hnsw neighbours: CSR features are densified for hnswlib; {} "
                            "features is more than {} (use index = \"exact\")",
                            dim, kHnswMaxSparseDims));
  if (dim < 1) throw Error("hnsw neighbours: the data set has no features");
  impl_ = std::make_unique<Impl>(static_cast<std::size_t>(dim));
  impl_->rows = rows_of(base);
  impl_->dim = dim;
  impl_->ef = ef;
  impl_->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
      &impl_->space, static_cast<std::size_t>(std::max<Index>(impl_->rows, 1)), 16, 200,
      static_cast<std::size_t>(seed));
  std::vector<float> buffer(static_cast<std::size_t>(dim));
  // Sequential: the graph built by parallel insertion depends on thread timing.
  for (Index r = 0; r < impl_->rows; ++r)
    impl_->graph->addPoint(dense_row(base, r, buffer), static_cast<hnswlib::labeltype>(r));
}

HnswIndex::~HnswIndex() = default;

NeighbourTable HnswIndex::neighbours(const Dataset* queries, Index k, int threads) const {
  const Index available = queries ? impl_->rows : impl_->rows - 1;
  if (k < 1 || k > available)
    throw Error(fmt::format("hnsw neighbours: k = {} neighbours requested, but there are {} "
                            "{}training rows",
                            k, available, queries ? "" : "other "));
  if (queries && feature_columns(*queries) != impl_->dim)
    throw Error(fmt::format("hnsw neighbours: the queries have {} features, the index {}",
                            feature_columns(*queries), impl_->dim));
  const Index nq = queries ? rows_of(*queries) : impl_->rows;
  const Index want = queries ? k : k + 1;  // the row itself comes back too (usually first)
  impl_->graph->setEf(static_cast<std::size_t>(std::max(impl_->ef, want)));
  NeighbourTable out(nq, k);
  constexpr Index kRowsPerTask = 256;
  parallel_for((nq + kRowsPerTask - 1) / kRowsPerTask, threads, [&](Index t) {
    std::vector<float> buffer(static_cast<std::size_t>(impl_->dim));
    std::vector<std::pair<float, Index>> found;
    for (Index r = t * kRowsPerTask; r < std::min(nq, (t + 1) * kRowsPerTask); ++r) {
      // A base row's own vector is stored in the graph (rows were added with label = row).
      const void* point =
          queries ? static_cast<const void*>(dense_row(*queries, r, buffer))
                  : static_cast<const void*>(impl_->graph->getDataByInternalId(
                        impl_->graph->label_lookup_.at(static_cast<hnswlib::labeltype>(r))));
      auto heap = impl_->graph->searchKnn(point, static_cast<std::size_t>(want));
      found.clear();
      for (; !heap.empty(); heap.pop()) {
        const Index id = static_cast<Index>(heap.top().second);
        if (queries || id != r) found.emplace_back(heap.top().first, id);
      }
      std::sort(found.begin(), found.end());  // by distance, then by row index
      if (static_cast<Index>(found.size()) < k)
        throw Error(fmt::format("hnsw neighbours: found only {} of {} neighbours for row {}",
                                found.size(), k, r + 1));
      for (Index j = 0; j < k; ++j) out(r, j) = found[static_cast<std::size_t>(j)].second;
    }
  });
  return out;
}

void MlKnn::Params::validate() const {
  if (k < 1) throw Error(fmt::format("k must be >= 1, got {}", k));
  if (!(s >= 0) || !std::isfinite(s)) throw Error(fmt::format("s must be >= 0, got {}", s));
  if (index != "exact" && index != "hnsw" && index != "auto")
    throw Error(fmt::format("index must be \"exact\", \"hnsw\" or \"auto\", got \"{}\"", index));
}

MlKnn::MlKnn(const Params& params) : params_(params) {}
MlKnn::~MlKnn() = default;

NeighbourTable MlKnn::neighbours(const Dataset* queries, Index k, int threads) const {
  if (hnsw_) return hnsw_->neighbours(queries, k, threads);
  return exact_neighbours(train_, queries, k, threads);
}

void MlKnn::fit(const Dataset& train, const Context& ctx) {
  params_.validate();
  notes_.clear();
  const Index n = train.rows();
  const Index k = params_.k;
  const Index num_labels = train.num_labels();
  if (rows_of(train) != n)
    throw Error(fmt::format("mlknn: {} feature rows but {} label rows", rows_of(train), n));
  if (k >= n)
    throw Error(fmt::format("mlknn: k = {} must be smaller than the number of training rows "
                            "({}): each row needs k other rows as neighbours",
                            k, n));
  check_finite_features(train, "mlknn");
  train_ = Dataset();
  train_.sparse = train.sparse;
  if (train.sparse)
    train_.csr = train.csr;
  else
    train_.dense = train.dense;
  train_.labels = train.labels;

  const bool use_hnsw = params_.index == "hnsw" ||
                        (params_.index == "auto" && !train.sparse && n >= kHnswAutoRows);
  index_used_ = use_hnsw ? "hnsw" : "exact";
  seed_ = ctx.seed;
  hnsw_.reset();
  if (use_hnsw) hnsw_ = std::make_unique<HnswIndex>(train_, ctx.seed, std::max<Index>(64, 2 * k));
  const NeighbourTable nb = neighbours(nullptr, k, ctx.resolved_threads());

  // c1(c, l): rows with label l whose neighbours carry l c times; c0 the same without l.
  const double s = params_.s;
  Eigen::MatrixXd c1 = Eigen::MatrixXd::Zero(k + 1, num_labels);
  Eigen::MatrixXd c0 = Eigen::MatrixXd::Zero(k + 1, num_labels);
  std::vector<Index> count(static_cast<std::size_t>(num_labels));
  for (Index i = 0; i < n; ++i) {
    std::fill(count.begin(), count.end(), 0);
    for (Index j = 0; j < k; ++j)
      for (Index l = 0; l < num_labels; ++l)
        count[static_cast<std::size_t>(l)] += train.labels(nb(i, j), l) != 0;
    for (Index l = 0; l < num_labels; ++l) {
      const Index c = count[static_cast<std::size_t>(l)];
      if (train.labels(i, l) != 0)
        c1(c, l) += 1;
      else
        c0(c, l) += 1;
    }
  }
  prior1_.resize(num_labels);
  cond1_.resize(k + 1, num_labels);
  cond0_.resize(k + 1, num_labels);
  std::vector<std::string> degenerate;
  for (Index l = 0; l < num_labels; ++l) {
    const double with = c1.col(l).sum();
    const double without = c0.col(l).sum();
    prior1_(l) = (s + with) / (2 * s + static_cast<double>(n));
    cond1_.col(l) = (c1.col(l).array() + s) / (s * static_cast<double>(k + 1) + with);
    cond0_.col(l) = (c0.col(l).array() + s) / (s * static_cast<double>(k + 1) + without);
    if (s == 0 && (with == 0 || without == 0)) {
      // 0/0: with no smoothing a constant label has no posterior; score it by its prior.
      cond1_.col(l).setConstant(1.0);
      cond0_.col(l).setConstant(1.0);
      degenerate.push_back(l < static_cast<Index>(train.label_names.size())
                               ? train.label_names[static_cast<std::size_t>(l)]
                               : fmt::format("#{}", l + 1));
    }
  }
  if (!degenerate.empty())
    notes_.push_back(fmt::format("mlknn: s = 0 and {} label(s) with no positive or no negative "
                                 "training row are scored by their prior: {}",
                                 degenerate.size(), fmt::join(degenerate, ", ")));
  if (use_hnsw)
    notes_.push_back(fmt::format("mlknn: approximate neighbours (hnsw) for {} training rows", n));
}

ScoreMatrix MlKnn::posterior(const NeighbourTable& nb) const {
  const Index num_labels = train_.labels.cols();
  const Index k = nb.cols();
  ScoreMatrix out(nb.rows(), num_labels);
  std::vector<Index> count(static_cast<std::size_t>(num_labels));
  for (Index i = 0; i < nb.rows(); ++i) {
    std::fill(count.begin(), count.end(), 0);
    for (Index j = 0; j < k; ++j)
      for (Index l = 0; l < num_labels; ++l)
        count[static_cast<std::size_t>(l)] += train_.labels(nb(i, j), l) != 0;
    for (Index l = 0; l < num_labels; ++l) {
      const Index c = count[static_cast<std::size_t>(l)];
      const double p1 = prior1_(l) * cond1_(c, l);
      const double p0 = (1.0 - prior1_(l)) * cond0_(c, l);
      out(i, l) = static_cast<float>(p1 + p0 > 0 ? p1 / (p1 + p0) : prior1_(l));
    }
  }
  return out;
}

ScoreMatrix MlKnn::predict_scores(const Dataset& data, const Context& ctx) const {
  if (prior1_.size() == 0) throw Error("mlknn: predict_scores() before fit()");
  check_finite_features(data, "mlknn");
  return posterior(neighbours(&data, params_.k, ctx.resolved_threads()));
}

void MlKnn::save_state(ModelState& state) const {
  if (prior1_.size() == 0) throw Error(state.file(), 0, "mlknn: nothing to save before fit()");
  state.values()["index_used"] = index_used_;
  state.values()["seed"] = seed_;
  state.put_rows("train", train_);
  state.put("prior", prior1_);
  state.put("cond1", cond1_);
  state.put("cond0", cond0_);
}

void MlKnn::load_state(const ModelState& state) {
  index_used_ = state.get_value<std::string>("index_used");
  seed_ = state.get_value<std::uint64_t>("seed");
  if (index_used_ != "exact" && index_used_ != "hnsw")
    throw state.damaged(fmt::format("mlknn: unknown neighbour index '{}'", index_used_));
  state.get_rows("train", train_);
  state.get("prior", prior1_);
  state.get("cond1", cond1_);
  state.get("cond0", cond0_);
  const Index k = params_.k, labels = train_.labels.cols();
  if (prior1_.size() != labels || cond1_.rows() != k + 1 || cond1_.cols() != labels ||
      cond0_.rows() != k + 1 || cond0_.cols() != labels || rows_of(train_) <= k)
    throw state.damaged(fmt::format("mlknn: the fitted tables do not match k = {} and {} labels", k, labels));
  hnsw_.reset();
  // hnsw graphs are built sequentially from the seed: the same graph as the fit's.
  if (index_used_ == "hnsw") hnsw_ = std::make_unique<HnswIndex>(train_, seed_, std::max<Index>(64, 2 * k));
}

}  // namespace lg::models
