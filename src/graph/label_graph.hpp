#pragma once
// The label graph: labels as vertices (name, count, frequency, IRLbl, community), weighted
// edges from an adjacency matrix (reference doc §4), and its analysis with the Boost Graph
// Library: connected components, a maximum spanning forest with a chain order, centralities.
//
// Built from an L x L Adjacency (entry (i, j) = edge i -> j) and the Cooccurrence it came from:
//   * an edge for every i != j with a non-zero weight; the diagonal (self-loops) is ignored;
//   * directed: one edge per non-zero entry;
//   * undirected: (i, j) and (j, i) merge into one edge whose weight is the larger of the
//     non-zero entries (the only one when the other is 0), so an asymmetric matrix drawn
//     undirected shows its stronger direction.
// The BGL graph lives behind the class so that only labelgraph types show here.
#include <memory>
#include <string>
#include <vector>

#include "core/layout.hpp"
#include "graph/cooccurrence.hpp"

namespace lg::graph {

/// What a vertex carries.
struct LabelVertex {
  std::string name;        ///< label name
  double count = 0.0;      ///< N_i, training rows with the label
  double frequency = 0.0;  ///< N_i / n; NaN when n is unknown (published counts without rows)
  double irlbl = 0.0;      ///< max_k N_k / N_i (reference doc §2); 0 when N_i = 0
  int community = -1;      ///< community index after detection; -1 = not computed
};

/// One edge as a plain triple; for undirected graphs source < target.
struct WeightedEdge {
  Index source = 0;   ///< label index
  Index target = 0;   ///< label index
  double weight = 0;  ///< the adjacency entry (merged as above when undirected)
};

class LabelGraph {
 public:
  /// Throws lg::Error if `weights` is not L x L with L = stats.num_labels() or has a
  /// non-finite entry.
  LabelGraph(const Adjacency& weights, const Cooccurrence& stats, bool directed);
  ~LabelGraph();
  LabelGraph(LabelGraph&&) noexcept;
  LabelGraph& operator=(LabelGraph&&) noexcept;
  LabelGraph(const LabelGraph&) = delete;
  LabelGraph& operator=(const LabelGraph&) = delete;

  bool directed() const;
  Index num_labels() const;
  /// Edges as built (directed: one per non-zero entry; undirected: merged pairs).
  Index num_edges() const;
  const LabelVertex& label(Index i) const;
  /// All edges, ordered by source then target.
  std::vector<WeightedEdge> edges() const;
  /// The undirected view (pairs merged with the larger weight): the graph itself when
  /// undirected. Components, the spanning forest and communities use it.
  std::vector<WeightedEdge> undirected_edges() const;

  /// Store a community per label (size L, values >= 0); throws lg::Error otherwise.
  void set_communities(const std::vector<int>& membership);

  /// GraphML through BGL's write_graphml: vertex keys name, count, frequency, irlbl,
  /// community; edge key weight; edgedefault follows directed().
  std::string graphml() const;

  struct Impl;  ///< the BGL graphs (defined in label_graph.cpp)
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

/// Connected components of the undirected view (weakly connected for a directed graph);
/// isolated labels are components of their own.
struct Components {
  int count = 0;                ///< number of components
  std::vector<int> membership;  ///< component index per label, numbered by first label
};
Components connected_components(const LabelGraph& graph);

/// A maximum spanning forest of the undirected view (Kruskal on negated weights) and a chain
/// order for classifier chains: breadth-first through each tree from its most frequent label
/// (ties: lower index), neighbours by decreasing edge weight; trees in decreasing order of
/// their root's count. Every label appears exactly once in `chain_order`.
struct SpanningForest {
  std::vector<WeightedEdge> edges;  ///< L - components edges, source < target
  double total_weight = 0.0;        ///< sum of the edge weights
  std::vector<Index> chain_order;   ///< a permutation of 0 .. L-1
};
SpanningForest maximum_spanning_forest(const LabelGraph& graph);

/// Per-label centralities.
struct Centrality {
  /// Weighted degree: sum of |weight| over incident edges (in + out when directed).
  std::vector<double> strength;
  /// Brandes betweenness over shortest paths with length 1 / weight (a strong edge is a short
  /// one); only edges with positive weight take part. Directed graphs follow edge directions;
  /// undirected values count each unordered pair once.
  std::vector<double> betweenness;
};
Centrality centrality(const LabelGraph& graph);

}  // namespace lg::graph
