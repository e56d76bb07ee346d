#pragma once
// Label co-occurrence statistics from TRAINING labels only (reference doc §4).
//
//   M = Y^T Y (L x L, symmetric), N_i = M_ii (label counts), n = number of rows.
//   P(j|i) = M_ij / N_i   (asymmetric; 0 when N_i = 0)
//   PMI_ij = ln( M_ij n / (N_i N_j) )          (0 where M_ij = 0)
//   NPMI_ij = PMI_ij / -ln(M_ij / n)            (1 where M_ij = n; 0 where M_ij = 0, where the
//                                                limit would be -1: no co-occurrence, no edge)
//   Jaccard_ij = M_ij / (N_i + N_j - M_ij)      lift_ij = M_ij n / (N_i N_j)
//
// The statistics keep their mathematical diagonal (P(i|i) = 1, PMI_ii = -ln(N_i / n), ...);
// the builders in graph/weighting.hpp decide about self-edges.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/layout.hpp"

namespace lg::graph {

/// Co-occurrence counts, CSR (row-major), 64-bit indices.
using CountMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor, Index>;

/// A sparse label matrix (N x L, CSR): row i's labels are
/// label_index[row_offset[i] .. row_offset[i+1]). Memory proportional to the non-zeros.
struct SparseLabels {
  Index num_labels = 0;                   ///< L
  std::vector<Index> row_offset = {0};    ///< N + 1 entries
  std::vector<std::int32_t> label_index;  ///< sorted, unique within a row

  Index rows() const { return static_cast<Index>(row_offset.size()) - 1; }
  Index nonzeros() const { return static_cast<Index>(label_index.size()); }
  /// Throws lg::Error (naming the row) unless the offsets grow, end at nonzeros(), and every
  /// row's labels are in [0, L), strictly increasing.
  void check() const;
};
/// Any value other than 0 counts as a label (as in data/statistics).
SparseLabels to_sparse_labels(const LabelMatrix& labels);

/// Co-occurrence counts: symmetric, diagonal = label counts. Stored sparse (only pairs that
/// occur), so 10k labels stay small; dense() materialises L x L.
struct Cooccurrence {
  Index rows = 0;                    ///< n: training rows counted (0 = unknown)
  std::vector<std::string> names;    ///< L label names (may be generated "label_i")
  std::vector<double> label_counts;  ///< N_i
  CountMatrix counts;                ///< M, L x L

  Cooccurrence() = default;
  Cooccurrence(const Cooccurrence&) = default;
  Cooccurrence& operator=(const Cooccurrence&) = default;
  // Eigen 3.4's SparseMatrix has no move operations: swap instead of deep-copying.
  Cooccurrence(Cooccurrence&& other) noexcept;
  Cooccurrence& operator=(Cooccurrence&& other) noexcept;

  Index num_labels() const { return static_cast<Index>(label_counts.size()); }
  Adjacency dense() const;
};

/// How the dense overload counts. All give identical counts; Automatic compares the sparse
/// kernel's pair increments (sum_r k_r^2, k_r = labels in row r) with N L^2 / 512 (the bitset
/// kernel's N L^2 / 128 word popcounts, each about 4 times cheaper), which on real multi-label
/// data (a few labels per row) almost always means Sparse. Figures in bench/README.md.
enum class DenseKernel {
  Automatic,
  Bitset,  ///< columns packed to bits, M_ij = popcount(col_i & col_j); L <= 8192
  Sparse,  ///< convert to SparseLabels, then the sparse algorithm
};

/// M = Y^T Y from a dense 0/1 matrix (any non-zero value is a label). `threads` <= 0 means all
/// hardware threads. `names` may be empty (labels are then named "label_i"), else has L
/// entries.
Cooccurrence count_cooccurrence(const LabelMatrix& labels, const std::vector<std::string>& names,
                                int threads = 0, DenseKernel kernel = DenseKernel::Automatic);
/// Knobs of the sparse algorithm, for tests and benchmarks (the defaults are measured).
struct SparseCountTuning {
  /// Bucket entries held at once (more labels take more passes over Y); 0 = 3 per non-zero of
  /// Y, at least 4 M. A label whose bucket alone is larger gets a pass of its own.
  std::size_t bucket_budget = 0;
};

/// The same from a sparse label matrix, in memory proportional to nnz + co-occurring pairs:
/// a streaming pass scatters each row's labels into a bucket per label it carries (at most
/// 3 entries per non-zero at a time; more labels take more passes over Y), and each bucket is
/// summed in a dense length-L accumulator per thread, then written straight into the result.
/// Needs fewer than 2^32 rows (counts are 32-bit while counting).
Cooccurrence count_cooccurrence(const SparseLabels& labels, const std::vector<std::string>& names,
                                int threads = 0);
Cooccurrence count_cooccurrence(const SparseLabels& labels, const std::vector<std::string>& names,
                                int threads, const SparseCountTuning& tuning);

/// Published counts instead of a data set (ML-GCN style): an L x L co-occurrence CSV (no
/// header), an L-entry label-count CSV (one value per line or one row), and L names (one per
/// line). `rows` = n when known (needed by PMI/NPMI/lift; 0 = unknown). Throws lg::Error naming
/// the file and line for a non-square or negative matrix, a count mismatch, or bad numbers.
///
/// The details:
///   * Values are comma-separated integers or reals (spaces around them are allowed); NaN,
///     infinities and negative values are refused. CRLF line ends are accepted.
///   * There is no header row and no comments: a first line that is not numbers is refused
///     with a message saying that names belong in `names_txt`.
///   * L comes from the first line; every line needs L values and there must be L lines
///     (trailing empty lines are ignored, empty lines between rows are errors).
///   * The matrix must be symmetric, and no M_ij may exceed N_i or N_j (a pair cannot occur
///     more often than either label).
///   * Label counts come from `label_counts_csv`. The matrix's diagonal is either 0 (ML-GCN's
///     files do not record it) or equal to the label count; anything else is an error. The
///     result's diagonal is the label counts, as from count_cooccurrence.
///   * Names: one per line, kept verbatim (spaces included, a trailing CR removed); empty or
///     duplicate names are errors.
///   * `rows`, when given, must be at least the largest label count.
Cooccurrence read_cooccurrence(const std::string& cooccurrence_csv,
                               const std::string& label_counts_csv, const std::string& names_txt,
                               Index rows = 0);

/// Dense L x L statistics (see the header comment). pmi, npmi and lift need c.rows > 0 and
/// throw lg::Error otherwise.
Adjacency conditional_probability(const Cooccurrence& c);  ///< P(j|i) in row i, column j
Adjacency pmi(const Cooccurrence& c);
Adjacency npmi(const Cooccurrence& c);
Adjacency jaccard(const Cooccurrence& c);
Adjacency lift(const Cooccurrence& c);

}  // namespace lg::graph
