#pragma once
// Named, parameterised adjacency builders over co-occurrence statistics, plus composable
// post-steps (reference doc §4). Entry (i, j) is the edge i -> j.
//
//   counts            scikit-multilearn's LabelCooccurrenceGraphBuilder(weighted=True,
//                     include_self_edges=True, normalize_self_edges=False): M off the diagonal,
//                     self-edges = N_i (skmultilearn's normalize_self_edges would halve them)
//   conditional       P(j|i)
//   pmi, npmi         (negative values kept; min_support prunes rare pairs)
//   jaccard
//   lift              M_ij n / (N_i N_j)
//   mlgcn-binary      A_ij = [P(j|i) >= tau], diagonal 0
//   mlgcn-reweighted  the paper: A'_ij = p A_ij / sum_{j != i} A_ij, A'_ii = 1 - p
//   mlgcn-reference   the authors' code: A = binary(tau); A' = A * 0.25 / (colsum(A) + 1e-6)
//                     + I; result D A'^T D, D = diag(rowsum(A'))^-1/2 -- the matrix the GCN
//                     propagates with
//   identity          I (ablations)
//
// Diagonals: conditional, pmi, npmi, jaccard and lift have no self-edges (0 on the diagonal;
// the statistics in cooccurrence.hpp keep their diagonal): a label's relation with itself is
// trivially maximal and would dominate top-k and normalisation. Pairs that never co-occur
// (M_ij = 0) are not edges (0) for every builder, including pmi and npmi.
//
// The mlgcn-* builders:
//   * P(j|i) is computed as M_ij / N_i in double and compared with tau, exactly as the authors'
//     numpy code does, so edge sets match theirs (COCO 111, VOC 6 edges at tau = 0.4).
//   * tau must be in (0, 1]; p in [0, 1]. mlgcn-reference uses the authors' fixed 0.25, not p.
//   * A label that never occurs (N_i = 0) has no edges; the authors' code would give NaN.
//   * mlgcn-reweighted follows the paper literally: a label without neighbours keeps 1 - p on
//     the diagonal only (its row sums to 1 - p); BuildNotes says how many such labels there are.
//   * mlgcn-reference is computed in double in the authors' order of operations (parity to
//     1e-12 with their float64 numpy recipe; their torch step then rounds to float32).
//
// Post-steps, applied in this order when set: min_support (drop pairs with M_ij < s, i != j),
// top_k (keep the k largest off-diagonal weights per row), then normalisation (symmetric
// D^-1/2 A D^-1/2 or row-stochastic).
//   * They act on the builder's output, edges being the non-zero off-diagonal entries; the
//     diagonal is never pruned. "Largest" is by value (negative PMI is smallest); ties keep
//     the lower column index.
//   * Degrees are row sums including the diagonal (out-degrees for directed builders). Rows
//     summing to 0 stay 0. Both normalisations need non-negative weights: pmi and npmi with
//     a negative entry are refused.
//   * top_k and row normalisation make a symmetric matrix directed (is_directed(spec)).
//   * For the mlgcn-* builders post-steps are generally not wanted: they already define their
//     own normalisation, and pruning after re-weighting changes row masses (mlgcn-reweighted
//     rows no longer sum to 1) and takes mlgcn-reference away from the authors' matrix. They
//     are allowed (for ablations) and BuildNotes says so.
#include <cstdint>
#include <string>
#include <vector>

#include "core/layout.hpp"
#include "graph/cooccurrence.hpp"

namespace lg::graph {

/// A label graph, stated once: the builder, its parameters, the post-steps and what a graph
/// network multiplies with. Configs write it as `[graphs.NAME]` (or inline in an algorithm);
/// build_label_graph() (graph/build_label_graph.hpp) is the one function that builds it.
struct LabelGraphSpec {
  std::string weighting = "conditional";  ///< one of weighting_names()
  double tau = 0.4;                  ///< mlgcn-*: binarisation threshold on P(j|i), in (0, 1]
  double p = 0.2;                    ///< mlgcn-reweighted: mass kept for neighbours, in [0, 1]
  double min_support = 0.0;          ///< drop off-diagonal pairs with M_ij < min_support
  std::int64_t top_k = 0;            ///< keep k strongest off-diagonal edges per row (0 = all)
  std::string normalization = "none";  ///< none | symmetric | row: the last post-step
  /// What a graph network multiplies with: none (the matrix itself), kipf (self-loops, then
  /// D^-1/2 (A + I) D^-1/2), row (self-loops, then row-stochastic), auto (none for identity
  /// and the ML-GCN matrices, which bring their own, kipf otherwise).
  std::string propagation = "auto";

  /// Every key but the builder's, whose name the owner picks (`weighting` in [graphs.NAME] and
  /// the [graph] figure, `adjacency` for mlgcn, `order_weighting` for cc). Keys of parameters
  /// the owner does not use are not visited: `post_steps` = false leaves out min_support,
  /// top_k and normalization; `propagation_key` = false leaves out propagation.
  template <class V>
  void visit(V& v, const char* weighting_key = "weighting", bool post_steps = true,
             bool propagation_key = false) {
    v(weighting_key, weighting, "label-graph builder (see `labelgraph graph --help`)");
    v("tau", tau, "mlgcn-*: edge when P(j|i) >= tau, in (0, 1]");
    v("p", p, "mlgcn-reweighted: neighbours' share of a row, in [0, 1]");
    if (post_steps) {
      v("min_support", min_support, "drop label pairs seen together fewer times");
      v("top_k", top_k, "keep the k strongest edges per label (0 = all)");
      v("normalization", normalization, "none | symmetric | row: normalise the weights");
    }
    if (propagation_key)
      v("propagation", propagation, "auto | none | kipf | row: what the graph network multiplies with");
  }
  /// Throws lg::Error naming the key and the accepted values: the one check of a graph spec.
  void validate() const;
};

/// The builder names, for --help and error messages.
const std::vector<std::string>& weighting_names();
/// Whether the builder's matrix is asymmetric (drawn with arrows). Throws lg::Error for an
/// unknown name.
bool is_directed(const std::string& weighting);
/// The same after the post-steps: top_k and row normalisation make any builder directed.
bool is_directed(const LabelGraphSpec& spec);

/// What a build did that a reader of the figure or table should know (pruned edges etc.).
struct BuildNotes {
  Index pruned_by_support = 0;     ///< edges removed by min_support
  Index pruned_by_top_k = 0;       ///< edges removed by top_k
  Index edges = 0;                 ///< non-zero off-diagonal entries of the result
  std::vector<std::string> notes;  ///< sentences for a report (one fact each)
};

/// Build the L x L matrix (builder and post-steps; propagation is build_label_graph's); throws
/// lg::Error for an unknown name or bad parameters.
Adjacency build_adjacency(const Cooccurrence& c, const LabelGraphSpec& spec,
                          BuildNotes* notes = nullptr);

/// The propagation matrix of `weights` for `mode` (none | kipf | row; "auto" resolved by the
/// caller through resolved_propagation): negative weights are no edge, self-loops are added,
/// then D^-1/2 (A + I) D^-1/2 or D^-1 (A + I).
Adjacency propagation_matrix(Adjacency weights, const std::string& mode);
/// spec.propagation with "auto" resolved for spec.weighting.
std::string resolved_propagation(const LabelGraphSpec& spec);

}  // namespace lg::graph
