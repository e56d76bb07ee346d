// Laplacian-eigenmaps embedding of the label graph (conventions in the header).
#include "graph/spectral_embedding.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.hpp"

namespace lg::graph {
namespace {

// Eigenvalues of the normalised Laplacian lie in [0, 2]; closer than this they count as equal.
constexpr double kSameEigenvalue = 1e-9;

/// Component id per node of a symmetric non-negative weight matrix (edge = weight > 0); ids are
/// numbered in order of each component's lowest node.
std::vector<Index> connected_components(const Eigen::MatrixXd& w, Index& count) {
  const Index n = w.rows();
  std::vector<Index> id(static_cast<std::size_t>(n), -1);
  std::vector<Index> stack;
  count = 0;
  for (Index start = 0; start < n; ++start) {
    if (id[start] >= 0) continue;
    id[start] = count;
    stack.push_back(start);
    while (!stack.empty()) {
      const Index v = stack.back();
      stack.pop_back();
      for (Index u = 0; u < n; ++u)
        if (w(v, u) > 0.0 && id[u] < 0) {
          id[u] = count;
          stack.push_back(u);
        }
    }
    ++count;
  }
  return id;
}

/// Flip `v` so its largest-|value| entry is positive; among near-ties the lowest index decides.
void fix_sign(Eigen::Ref<Eigen::VectorXd> v) {
  const double largest = v.cwiseAbs().maxCoeff();
  if (largest == 0.0) return;
  for (Index i = 0; i < v.size(); ++i)
    if (std::abs(v(i)) >= largest * (1.0 - 1e-9)) {
      if (v(i) < 0.0) v = -v;
      return;
    }
}

}  // namespace

Eigen::MatrixXd spectral_embedding(const Adjacency& a, int dims, SpectralNotes* notes) {
  if (a.rows() != a.cols())
    throw Error(fmt::format("spectral embedding: the adjacency must be square, got {} x {}",
                            a.rows(), a.cols()));
  const Index labels = a.rows();
  if (dims < 1 || dims > labels - 1)
    throw Error(fmt::format("spectral embedding: dims must be in [1, L - 1] = [1, {}] for {} "
                            "labels, got {}", labels - 1, labels, dims));
  if (!a.allFinite())
    throw Error("spectral embedding: the adjacency has NaN or infinite entries");

  // Undirected, non-negative, no self-loops.
  const Eigen::MatrixXd positive = a.cwiseMax(0.0);
  Eigen::MatrixXd w = 0.5 * (positive + positive.transpose());
  w.diagonal().setZero();
  const Eigen::VectorXd degree = w.rowwise().sum();

  SpectralNotes local;
  SpectralNotes& n = notes ? *notes : local;
  n = SpectralNotes{};
  std::vector<Index> active;  // labels with at least one edge
  for (Index i = 0; i < labels; ++i) (degree(i) > 0.0 ? active : n.isolated).push_back(i);
  const Index m = static_cast<Index>(active.size());
  if (dims > m - 1)
    throw Error(fmt::format("spectral embedding: only {} of {} labels have edges, so at most {} "
                            "dimensions exist; got dims = {}", m, labels, std::max<Index>(m - 1, 0),
                            dims));

  Eigen::MatrixXd wa(m, m);
  Eigen::VectorXd inv_sqrt(m), sqrt_degree(m);
  for (Index i = 0; i < m; ++i) {
    sqrt_degree(i) = std::sqrt(degree(active[i]));
    inv_sqrt(i) = 1.0 / sqrt_degree(i);
    for (Index j = 0; j < m; ++j) wa(i, j) = w(active[i], active[j]);
  }
  const Eigen::MatrixXd laplacian = Eigen::MatrixXd::Identity(m, m) -
                                    inv_sqrt.asDiagonal() * wa * inv_sqrt.asDiagonal();
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(laplacian);
  if (solver.info() != Eigen::Success)
    throw Error("spectral embedding: the eigen decomposition did not converge");
  Eigen::MatrixXd vectors = solver.eigenvectors();  // m x m, columns by ascending eigenvalue
  Eigen::VectorXd values = solver.eigenvalues();

  // A fixed basis of the null space (one vector per component) instead of the solver's rotation.
  const std::vector<Index> component = connected_components(wa, n.components);
  const Index c = n.components;
  if (c > 1) {
    std::vector<Eigen::VectorXd> basis{sqrt_degree.normalized()};
    for (Index k = 0; k + 1 < c; ++k) {
      Eigen::VectorXd v = Eigen::VectorXd::Zero(m);
      for (Index i = 0; i < m; ++i)
        if (component[i] == k) v(i) = sqrt_degree(i);
      for (const Eigen::VectorXd& b : basis) v -= b.dot(v) * b;  // modified Gram-Schmidt
      basis.push_back(v.normalized());
    }
    for (Index k = 0; k < c; ++k) {
      vectors.col(k) = basis[k];
      values(k) = 0.0;
    }
    n.notes.push_back(fmt::format("the graph has {} connected components: eigenvalue 0 repeats {} "
                                  "times, and dimensions 1..{} separate component k from the later "
                                  "ones (a fixed basis of that eigenspace)", c, c, c - 1));
  }

  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(labels, dims);
  for (int t = 0; t < dims; ++t) {
    Eigen::VectorXd column = inv_sqrt.cwiseProduct(vectors.col(t + 1));
    fix_sign(column);
    for (Index i = 0; i < m; ++i) out(active[i], t) = column(i);
    n.eigenvalues.push_back(values(t + 1));
  }

  if (!n.isolated.empty())
    n.notes.push_back(fmt::format("{} labels have no edges and get zero rows (first: label {})",
                                  n.isolated.size(), n.isolated.front()));
  // Repeated non-zero eigenvalues among (or just past) the chosen ones.
  for (Index t = std::max<Index>(c, 1); t < std::min<Index>(dims + 1, m - 1); ++t)
    if (values(t + 1) - values(t) < kSameEigenvalue) {
      n.notes.push_back(fmt::format("eigenvalue {:.6g} is repeated (dimensions {} and {}{}): the "
                                    "basis of its eigenspace is arbitrary", values(t), t,
                                    t + 1, t + 1 > dims ? ", the latter not kept" : ""));
    }
  return out;
}

}  // namespace lg::graph
