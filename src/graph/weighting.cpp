#include "graph/weighting.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>

#include "core/error.hpp"

namespace lg::graph {
namespace {

using Builder = std::function<Adjacency(const Cooccurrence&, const LabelGraphSpec&, BuildNotes&)>;

struct Weighting {
  std::string name;
  bool directed = false;
  Builder build;
};

Adjacency without_diagonal(Adjacency a) {
  a.diagonal().setZero();
  return a;
}

Index off_diagonal_edges(const Adjacency& a) {
  Index edges = 0;
  for (Index i = 0; i < a.rows(); ++i)
    for (Index j = 0; j < a.cols(); ++j) edges += i != j && a(i, j) != 0.0;
  return edges;
}



/// A_ij = [M_ij / N_i >= tau] off the diagonal, in the authors' arithmetic (divide, then
/// compare; never multiply tau by N_i, which rounds differently).
Adjacency binary(const Cooccurrence& c, double tau) {
  const Index num_labels = c.num_labels();
  Adjacency a = Adjacency::Zero(num_labels, num_labels);
  for (Index i = 0; i < num_labels; ++i) {
    if (c.label_counts[i] <= 0.0) continue;
    for (CountMatrix::InnerIterator it(c.counts, i); it; ++it)
      if (it.col() != i && it.value() / c.label_counts[i] >= tau) a(i, it.col()) = 1.0;
  }
  return a;
}

void note_labels_never_seen(const Cooccurrence& c, BuildNotes& notes) {
  std::vector<std::string> missing;
  for (Index i = 0; i < c.num_labels(); ++i)
    if (c.label_counts[i] <= 0.0)
      missing.push_back(i < static_cast<Index>(c.names.size()) ? c.names[i]
                                                               : fmt::format("label_{}", i));
  if (missing.empty()) return;
  std::string list;
  for (std::size_t k = 0; k < missing.size() && k < 10; ++k) list += (k ? ", " : "") + missing[k];
  if (missing.size() > 10) list += ", ...";
  notes.notes.push_back(fmt::format("{} label(s) never occur in the counts and have no edges: {}",
                                    missing.size(), list));
}

Adjacency mlgcn_binary(const Cooccurrence& c, const LabelGraphSpec& spec, BuildNotes& notes) {
  Adjacency a = binary(c, spec.tau);
  notes.notes.push_back(
      fmt::format("mlgcn-binary at tau = {}: {} directed edges", spec.tau, off_diagonal_edges(a)));
  return a;
}

Adjacency mlgcn_reweighted(const Cooccurrence& c, const LabelGraphSpec& spec, BuildNotes& notes) {
  Adjacency a = binary(c, spec.tau);
  Index isolated = 0;
  for (Index i = 0; i < a.rows(); ++i) {
    const double neighbours = a.row(i).sum();  // the diagonal is 0 here
    if (neighbours > 0.0) {
      a.row(i) *= spec.p / neighbours;
    } else {
      ++isolated;
    }
    a(i, i) = 1.0 - spec.p;
  }
  notes.notes.push_back(fmt::format("mlgcn-reweighted at tau = {}, p = {}: {} directed edges",
                                    spec.tau, spec.p, off_diagonal_edges(a)));
  if (isolated > 0)
    notes.notes.push_back(fmt::format(
        "{} label(s) have no neighbour at tau = {}: their rows hold only 1 - p = {} on the "
        "diagonal (the paper's formula)",
        isolated, spec.tau, 1.0 - spec.p));
  return a;
}

Adjacency mlgcn_reference(const Cooccurrence& c, const LabelGraphSpec& spec, BuildNotes& notes) {
  Adjacency a = binary(c, spec.tau);
  const Index num_labels = a.rows();
  const Index edges = off_diagonal_edges(a);
  // A' = A * 0.25 / (column sums + 1e-6) + I, in the authors' order of operations.
  const Eigen::RowVectorXd column_sums = a.colwise().sum();
  for (Index i = 0; i < num_labels; ++i)
    for (Index j = 0; j < num_labels; ++j)
      a(i, j) = a(i, j) * 0.25 / (column_sums(j) + 1e-6) + (i == j ? 1.0 : 0.0);
  // D = diag(row sums of A')^-1/2; result (A' D)^T D, i.e. entry (i, j) = A'_ji d_i d_j.
  Eigen::VectorXd d(num_labels);
  for (Index i = 0; i < num_labels; ++i) d(i) = std::pow(a.row(i).sum(), -0.5);
  a.transposeInPlace();
  for (Index i = 0; i < num_labels; ++i)
    for (Index j = 0; j < num_labels; ++j) a(i, j) = a(i, j) * d(i) * d(j);
  notes.notes.push_back(fmt::format(
      "mlgcn-reference at tau = {}: {} directed edges before re-weighting; the authors' "
      "propagation matrix D A'^T D (0.25 re-weighting by column sums, + I)",
      spec.tau, edges));
  return a;
}

const std::vector<Weighting>& weightings() {
  static const std::vector<Weighting> all = {
      {"counts", false,
       [](const Cooccurrence& c, const LabelGraphSpec&, BuildNotes&) { return c.dense(); }},
      {"conditional", true,
       [](const Cooccurrence& c, const LabelGraphSpec&, BuildNotes&) {
         return without_diagonal(conditional_probability(c));
       }},
      {"pmi", false,
       [](const Cooccurrence& c, const LabelGraphSpec&, BuildNotes&) {
         return without_diagonal(pmi(c));
       }},
      {"npmi", false,
       [](const Cooccurrence& c, const LabelGraphSpec&, BuildNotes&) {
         return without_diagonal(npmi(c));
       }},
      {"jaccard", false,
       [](const Cooccurrence& c, const LabelGraphSpec&, BuildNotes&) {
         return without_diagonal(jaccard(c));
       }},
      {"lift", false,
       [](const Cooccurrence& c, const LabelGraphSpec&, BuildNotes&) {
         return without_diagonal(lift(c));
       }},
      {"mlgcn-binary", true, mlgcn_binary},
      {"mlgcn-reweighted", true, mlgcn_reweighted},
      {"mlgcn-reference", true, mlgcn_reference},
      {"identity", false,
       [](const Cooccurrence& c, const LabelGraphSpec&, BuildNotes&) {
         return Adjacency(Adjacency::Identity(c.num_labels(), c.num_labels()));
       }},
  };
  return all;
}

const Weighting& find_weighting(const std::string& name) {
  for (const Weighting& w : weightings())
    if (w.name == name) return w;
  std::string known;
  for (const std::string& n : weighting_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error(fmt::format("unknown weighting '{}' (known: {})", name, known));
}

// ---- post-steps ----

Index prune_by_support(Adjacency& a, const Cooccurrence& c, double min_support) {
  Index pruned = 0;
  Eigen::VectorXd m_row = Eigen::VectorXd::Zero(a.cols());
  for (Index i = 0; i < a.rows(); ++i) {
    for (CountMatrix::InnerIterator it(c.counts, i); it; ++it) m_row(it.col()) = it.value();
    for (Index j = 0; j < a.cols(); ++j)
      if (j != i && a(i, j) != 0.0 && m_row(j) < min_support) {
        a(i, j) = 0.0;
        ++pruned;
      }
    for (CountMatrix::InnerIterator it(c.counts, i); it; ++it) m_row(it.col()) = 0.0;
  }
  return pruned;
}

Index keep_top_k(Adjacency& a, Index k) {
  Index pruned = 0;
  std::vector<std::pair<double, Index>> edges;
  for (Index i = 0; i < a.rows(); ++i) {
    edges.clear();
    for (Index j = 0; j < a.cols(); ++j)
      if (j != i && a(i, j) != 0.0) edges.emplace_back(a(i, j), j);
    if (static_cast<Index>(edges.size()) <= k) continue;
    // Largest weight first; among equal weights the lower column index.
    std::nth_element(edges.begin(), edges.begin() + k, edges.end(),
                     [](const auto& x, const auto& y) {
                       return x.first > y.first || (x.first == y.first && x.second < y.second);
                     });
    for (auto e = edges.begin() + k; e != edges.end(); ++e) {
      a(i, e->second) = 0.0;
      ++pruned;
    }
  }
  return pruned;
}

enum class Normalization { None, Symmetric, Row };

Normalization normalization_of(const std::string& name) {
  if (name == "symmetric") return Normalization::Symmetric;
  if (name == "row") return Normalization::Row;
  return Normalization::None;  // "none"; LabelGraphSpec::validate refuses anything else
}

void normalize(Adjacency& a, Normalization normalization, const std::string& name,
               BuildNotes& notes) {
  if (normalization == Normalization::None) return;
  for (Index i = 0; i < a.rows(); ++i)
    for (Index j = 0; j < a.cols(); ++j)
      if (a(i, j) < 0.0)
        throw Error(fmt::format(
            "weighting {}: {} normalisation needs non-negative weights, but entry ({}, {}) is {}",
            name, normalization == Normalization::Symmetric ? "symmetric" : "row", i, j, a(i, j)));
  const Eigen::VectorXd degree = a.rowwise().sum();
  Index empty_rows = 0;
  Eigen::VectorXd scale(a.rows());
  for (Index i = 0; i < a.rows(); ++i) {
    empty_rows += degree(i) == 0.0;
    const double inverse = degree(i) > 0.0 ? 1.0 / degree(i) : 0.0;
    scale(i) = normalization == Normalization::Symmetric ? std::sqrt(inverse) : inverse;
  }
  if (normalization == Normalization::Symmetric) {
    a = scale.asDiagonal() * a * scale.asDiagonal();
  } else {
    a = scale.asDiagonal() * a;
  }
  if (empty_rows > 0)
    notes.notes.push_back(
        fmt::format("{} row(s) sum to 0 and stay 0 after normalisation", empty_rows));
}

}  // namespace

const std::vector<std::string>& weighting_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const Weighting& w : weightings()) n.push_back(w.name);
    return n;
  }();
  return names;
}

bool is_directed(const std::string& weighting) { return find_weighting(weighting).directed; }

bool is_directed(const LabelGraphSpec& spec) {
  return is_directed(spec.weighting) || spec.top_k > 0 || spec.normalization == "row";
}

void LabelGraphSpec::validate() const {
  find_weighting(weighting);  // "unknown weighting 'X' (known: ...)"
  if (!(tau > 0.0 && tau <= 1.0))
    throw Error(fmt::format("weighting {}: tau must be in (0, 1], not {}", weighting, tau));
  if (!(p >= 0.0 && p <= 1.0))
    throw Error(fmt::format("weighting {}: p must be in [0, 1], not {}", weighting, p));
  if (!(min_support >= 0.0) || !std::isfinite(min_support))
    throw Error(fmt::format("weighting {}: min_support must be a finite number >= 0, not {}",
                            weighting, min_support));
  if (top_k < 0)
    throw Error(fmt::format("weighting {}: top_k must be >= 0 (0 = keep all), not {}", weighting,
                            top_k));
  if (normalization != "none" && normalization != "symmetric" && normalization != "row")
    throw Error(fmt::format("normalization must be \"none\", \"symmetric\" or \"row\", not \"{}\"",
                            normalization));
  if (propagation != "auto" && propagation != "none" && propagation != "kipf" && propagation != "row")
    throw Error(fmt::format(
        "propagation must be \"auto\", \"none\", \"kipf\" or \"row\", not \"{}\"", propagation));
}

std::string resolved_propagation(const LabelGraphSpec& spec) {
  if (spec.propagation != "auto") return spec.propagation;
  const std::string& w = spec.weighting;
  return w == "identity" || w == "mlgcn-reweighted" || w == "mlgcn-reference" ? "none" : "kipf";
}

Adjacency propagation_matrix(Adjacency a, const std::string& mode) {
  if (mode != "kipf" && mode != "row") return a;
  for (Index i = 0; i < a.rows(); ++i)
    for (Index j = 0; j < a.cols(); ++j)
      if (a(i, j) < 0) a(i, j) = 0;  // negative PMI is no edge for propagation
  a += Adjacency::Identity(a.rows(), a.cols());
  const Eigen::VectorXd degree = a.rowwise().sum();
  for (Index i = 0; i < a.rows(); ++i)
    for (Index j = 0; j < a.cols(); ++j)
      a(i, j) = mode == "row" ? a(i, j) / degree(i) : a(i, j) / std::sqrt(degree(i) * degree(j));
  return a;
}

Adjacency build_adjacency(const Cooccurrence& c, const LabelGraphSpec& spec, BuildNotes* notes) {
  spec.validate();
  const Weighting& weighting = find_weighting(spec.weighting);
  const Index num_labels = c.num_labels();
  if (c.counts.rows() != num_labels || c.counts.cols() != num_labels)
    throw Error(fmt::format("weighting {}: {} label counts but a {} x {} count matrix", spec.weighting,
                            num_labels, c.counts.rows(), c.counts.cols()));

  BuildNotes local;
  BuildNotes& out = notes ? *notes : local;
  out = BuildNotes();
  if (spec.weighting != "identity") note_labels_never_seen(c, out);
  Adjacency a = weighting.build(c, spec, out);

  const bool post_steps =
      spec.min_support > 0.0 || spec.top_k > 0 || spec.normalization != "none";
  if (post_steps && spec.weighting.rfind("mlgcn-", 0) == 0)
    out.notes.push_back(fmt::format(
        "post-steps applied to {}, which defines its own weighting: the result is no longer "
        "the ML-GCN matrix",
        spec.weighting));
  if (spec.min_support > 0.0) {
    out.pruned_by_support = prune_by_support(a, c, spec.min_support);
    out.notes.push_back(fmt::format("min_support {}: {} edge(s) with fewer co-occurrences removed",
                                    spec.min_support, out.pruned_by_support));
  }
  if (spec.top_k > 0) {
    out.pruned_by_top_k = keep_top_k(a, spec.top_k);
    out.notes.push_back(
        fmt::format("top_k {}: {} weaker edge(s) removed", spec.top_k, out.pruned_by_top_k));
  }
  normalize(a, normalization_of(spec.normalization), spec.weighting, out);
  out.edges = off_diagonal_edges(a);
  return a;
}

}  // namespace lg::graph
