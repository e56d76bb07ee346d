#include "graph/build_label_graph.hpp"

#include <utility>

namespace lg::graph {

Adjacency BuiltLabelGraph::propagation_matrix() const {
  return graph::propagation_matrix(weights, propagation);
}

LabelGraph BuiltLabelGraph::label_graph() const { return LabelGraph(weights, stats, directed); }

BuiltLabelGraph build_label_graph(Cooccurrence stats, const LabelGraphSpec& spec) {
  BuiltLabelGraph g;
  g.spec = spec;
  g.weights = build_adjacency(stats, spec, &g.notes);  // validates the spec first
  g.stats = std::move(stats);
  g.directed = is_directed(spec);
  g.propagation = resolved_propagation(spec);
  return g;
}

BuiltLabelGraph build_label_graph(const LabelMatrix& labels, const std::vector<std::string>& names,
                                  const LabelGraphSpec& spec, const Context& ctx) {
  spec.validate();  // before counting: a bad spec costs nothing
  return build_label_graph(count_cooccurrence(labels, names, ctx.threads), spec);
}

}  // namespace lg::graph
