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
#include <string>
#include <vector>

#include "core/layout.hpp"
#include "graph/cooccurrence.hpp"

namespace lg::graph {

enum class Normalization { None, Symmetric, Row };

struct WeightingSpec {
  std::string name = "conditional";  ///< one of weighting_names()
  double tau = 0.4;                  ///< mlgcn-*: binarisation threshold on P(j|i), in (0, 1]
  double p = 0.2;                    ///< mlgcn-reweighted: mass kept for neighbours, in [0, 1]
  double min_support = 0.0;          ///< drop off-diagonal pairs with M_ij < min_support
  Index top_k = 0;                   ///< keep k strongest off-diagonal edges per row (0 = all)
  Normalization normalization = Normalization::None;  ///< applied last
};

/// The builder names, for --help and error messages.
const std::vector<std::string>& weighting_names();
/// Whether the builder's matrix is asymmetric (drawn with arrows). Throws lg::Error for an
/// unknown name.
bool is_directed(const std::string& weighting);
/// The same after the post-steps: top_k and row normalisation make any builder directed.
bool is_directed(const WeightingSpec& spec);

/// What a build did that a reader of the figure or table should know (pruned edges etc.).
struct BuildNotes {
  Index pruned_by_support = 0;     ///< edges removed by min_support
  Index pruned_by_top_k = 0;       ///< edges removed by top_k
  Index edges = 0;                 ///< non-zero off-diagonal entries of the result
  std::vector<std::string> notes;  ///< sentences for a report (one fact each)
};

/// Build the L x L matrix; throws lg::Error for an unknown name or bad parameters.
Adjacency build_adjacency(const Cooccurrence& c, const WeightingSpec& spec,
                          BuildNotes* notes = nullptr);

}  // namespace lg::graph
