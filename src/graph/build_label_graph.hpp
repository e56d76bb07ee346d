#pragma once
// The one place a label graph is built: training labels -> co-occurrence counts -> weighting
// and post-steps (graph/weighting.hpp) -> the weights every user reads (figures, chain orders,
// communities) and the propagation matrix a graph network multiplies with. The runner's
// figure, classifier chains' MST order, lp-communities, the nets' label inputs and GCN and the
// `graph` command all call build_label_graph().
#include <string>
#include <vector>

#include "core/context.hpp"
#include "core/layout.hpp"
#include "graph/cooccurrence.hpp"
#include "graph/label_graph.hpp"
#include "graph/weighting.hpp"

namespace lg::graph {

struct BuiltLabelGraph {
  LabelGraphSpec spec;       ///< what was built
  Cooccurrence stats;        ///< the counts it came from
  Adjacency weights;         ///< builder + post-steps; entry (i, j) = edge i -> j
  BuildNotes notes;          ///< pruned edges, isolated labels, ... (one fact a sentence)
  bool directed = false;     ///< is_directed(spec)
  std::string propagation;   ///< spec.propagation with "auto" resolved: none | kipf | row

  /// What a graph network multiplies with: `weights` for propagation none, else with
  /// self-loops and normalised (graph/weighting.hpp, propagation_matrix).
  Adjacency propagation_matrix() const;
  /// The BGL view for components, spanning forests, communities and figures.
  LabelGraph label_graph() const;
};

/// The graph of `labels` (N x L training labels; `names` empty or L names). Counting uses
/// ctx.threads. Throws lg::Error for a bad spec (LabelGraphSpec::validate) or names.
BuiltLabelGraph build_label_graph(const LabelMatrix& labels, const std::vector<std::string>& names,
                                  const LabelGraphSpec& spec, const Context& ctx);
/// The same from counts already in hand (published co-occurrence files, `labelgraph graph`).
BuiltLabelGraph build_label_graph(Cooccurrence stats, const LabelGraphSpec& spec);

}  // namespace lg::graph
