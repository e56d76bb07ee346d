#pragma once
// Spectral embeddings of the labels: label coordinates from the label graph alone, an input for
// the GCN where no word vectors exist (or an ablation against GloVe, reference doc §4).
//
// Convention: Laplacian eigenmaps (Belkin & Niyogi 2003), as sklearn.manifold.spectral_embedding
// with norm_laplacian=True, drop_first=True -- not Ng-Jordan-Weiss, which normalises rows to
// unit length instead of scaling by D^-1/2.
//   1. Graph: entries of A below 0 are treated as 0 (no edge; e.g. negative PMI), then the
//      undirected view W = (A + A^T) / 2. The diagonal (self-loops) is ignored, as
//      scipy.sparse.csgraph.laplacian(normed=True) does: a self-loop says nothing about where a
//      label lies relative to the others but would inflate its degree.
//   2. Degrees d_i = sum_j W_ij. Labels with d_i = 0 are isolated: they get zero rows (and a
//      note); the rest is computed on the other labels.
//   3. The symmetric normalised Laplacian L = I - D^-1/2 W D^-1/2 is decomposed
//      (Eigen::SelfAdjointEigenSolver, eigenvalues ascending). The first eigenvector (eigenvalue
//      0, proportional to D^1/2 1) is dropped; columns 1..dims are the next eigenvectors, each
//      scaled row-wise by D^-1/2 (so they solve L_rw u = lambda u: the Laplacian-eigenmaps
//      coordinates).
//   4. Sign: each column is flipped so that its largest-|value| entry is positive (the lowest
//      index among entries within 1e-9 relative of the largest, so ties do not depend on
//      rounding).
// A graph with c > 1 connected components (among non-isolated labels) has eigenvalue 0 c times,
// and the solver's basis of that eigenspace would be an arbitrary rotation. It is replaced by a
// fixed one: Gram-Schmidt of D^1/2 1_{C_1}, ..., D^1/2 1_{C_{c-1}} (components ordered by their
// lowest label index) against D^1/2 1, so dimension k (k < c) is constant on each component and
// separates component k from the later ones. Other repeated eigenvalues (e.g. inside a clique)
// also leave the basis of their eigenspace arbitrary (deterministic for a given build); a note
// says when the chosen dimensions cut through or contain such an eigenspace.
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/layout.hpp"

namespace lg::graph {

/// What a spectral embedding found out about the graph, for a report.
struct SpectralNotes {
  std::vector<double> eigenvalues;  ///< the `dims` eigenvalues of L used, ascending
  std::vector<Index> isolated;      ///< labels without any edge (zero rows)
  Index components = 0;             ///< connected components among non-isolated labels
  std::vector<std::string> notes;   ///< sentences for a report (one fact each)
};

/// The L x dims embedding (rules above). dims must be in [1, L - 1] and at most one less than
/// the number of non-isolated labels; A must be square and finite. Throws lg::Error otherwise.
Eigen::MatrixXd spectral_embedding(const Adjacency& a, int dims, SpectralNotes* notes = nullptr);

}  // namespace lg::graph
