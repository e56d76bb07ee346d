#pragma once
// The label graph as data for an interactive view (report.html, report/report_html.hpp): every
// label with a position in the plane, its count, IRLbl and community, and the strongest edges.
//
// Positions come from a force-directed layout (Fruchterman & Reingold 1991) computed here, so
// the page only draws. Each connected component is laid out on its own, pulled along each
// label's strongest few edges (a dense graph laid out along all of its edges is one ball),
// every pair of its labels pushed apart; the components are then packed in rows, largest
// first (labels without an edge last, one unit apart). y grows downwards.
// Deterministic: the start positions come from the seed, the arithmetic is sequential.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/label_graph.hpp"

namespace lg::graph {

struct ViewOptions {
  std::string title;                ///< heading of the view (e.g. the data set and its rows)
  std::string weighting;            ///< what an edge weight is (legend)
  std::vector<std::string> notes;   ///< shown under the view
  std::uint64_t seed = 1;           ///< start positions of the layout
  /// Edges kept in the view, the strongest; a note says how many were left out. Moving the
  /// weight slider re-processes every edge in the page (about 0.1 s for 10,000 with software
  /// WebGL), and the file grows by ~30 bytes an edge.
  std::size_t max_edges = 10000;
  int layout_edges_per_label = 5;   ///< strongest edges of each label the layout pulls along
  /// Layout iterations; 0 = 300, fewer for large components (3e8 / labels^2, at least 50)
  int iterations = 0;
};

struct Point {
  double x = 0;  ///< horizontal position (arbitrary units)
  double y = 0;  ///< vertical position
};

/// Force-directed positions of the labels (graph.num_labels() points).
std::vector<Point> force_layout(const LabelGraph& graph, const ViewOptions& options = {});

/// {"title", "weighting", "directed", "notes": [...], "nodes": [{name, count, frequency, irlbl,
/// community, x, y}], "edges": [[source, target, weight], ...]}: edges as compact triples of
/// label indices and weight, strongest first; frequency / community null when unknown. Names
/// with invalid UTF-8 get U+FFFD. Positions rounded to 4 significant decimals.
std::string view_json(const LabelGraph& graph, const ViewOptions& options);

}  // namespace lg::graph
