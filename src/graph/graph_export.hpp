#pragma once
// Label graphs as files: styled DOT (the figure, also what graph_render lays out in-process),
// GraphML, JSON (nodes + edges) and the full adjacency as CSV.
//
// The DOT text is the whole figure: node area by label count, fill by community or IRLbl,
// edge width by weight, arrows when directed, the layout engine (`layout=`) and a legend as
// the graph label, so `dot -Tsvg exported.dot` draws what `labelgraph graph --out x.svg` does.
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/layout.hpp"
#include "graph/label_graph.hpp"

namespace lg::graph {

/// What fills the nodes.
enum class NodeColor {
  Community,  ///< Paul Tol's colour-blind-safe "light" palette, one colour per community
              ///< (the 8 largest; the rest grey)
  Irlbl,      ///< a sequential yellow-orange ramp over log IRLbl (5 classes)
  None        ///< light grey
};

/// How the figure looks and what its legend says.
struct FigureStyle {
  std::string title;      ///< first legend line, bold (e.g. the data set)
  std::string weighting;  ///< what an edge weight is (e.g. "conditional P(j | i)")
  std::string arrow_meaning = "weight of (i, j)";  ///< legend: what an arrow i -> j says
  std::string engine = "neato";                    ///< Graphviz layout engine, written as `layout=`
  NodeColor color = NodeColor::Irlbl;              ///< node fill
  double modularity = std::numeric_limits<double>::quiet_NaN();  ///< shown with communities
  std::vector<std::string> notes;  ///< legend lines in italics (what was pruned or hidden)
  bool legend = true;              ///< draw the legend (graph label at the bottom)
  bool hide_isolated = false;      ///< leave out labels without a drawn edge
};

/// Edge routing is chosen so that every figure renders in seconds and Graphviz stays safe:
///  - directed figures: straight edges (`splines=false`; neato draws the two edges of a
///    reciprocal pair i -> j, j -> i as two separate lines). Graphviz 2.42's spline router
///    overflows a heap buffer on such pairs (makeMultiSpline, seen with valgrind; "malloc():
///    invalid size" aborts), and `splines=curved` looks for every cycle of the graph to bend
///    its edges, which is exponential (COCO's top-5 conditional graph, 80 labels and 400
///    edges, did not finish in 5 minutes);
///  - undirected figures (one edge per pair): splines routed around the nodes while labels x
///    edges stays within kSplineBudget (the router's cost grows with both: 52 labels x 155
///    edges took 2 s, 80 x 400 took 8 s), straight edges beyond.
constexpr double kSplineBudget = 6000;
/// The `splines` value for a figure of `labels` drawn labels and `edges` drawn edges.
std::string edge_routing(bool directed, Index labels, std::size_t edges);

/// The styled DOT text of the figure.
std::string to_dot(const LabelGraph& graph, const FigureStyle& style);

/// GraphML (see LabelGraph::graphml()).
std::string to_graphml(const LabelGraph& graph);

/// {"directed", "weighting", "notes": [...], "nodes": [{id, name, count, frequency, irlbl,
/// community}], "edges": [{source, target, weight}]}: ids are label indices, frequency null
/// when unknown, community null when not computed; undirected edges once with source < target.
std::string to_json(const LabelGraph& graph, const std::string& weighting,
                    const std::vector<std::string>& notes);

/// The full L x L matrix: a header row `label,<name 1>,...,<name L>`, then one row per label
/// starting with its name; values at full precision (%.17g). Names quoted per RFC 4180.
std::string to_csv(const Adjacency& weights, const std::vector<std::string>& names);

/// A DOT double-quoted string's content: `"` and `\` escaped, control characters and
/// invalid UTF-8 replaced (U+FFFD), so any label name is one literal string.
std::string dot_escape(std::string_view text);
/// Text for Graphviz HTML-like labels: & < > " ' as entities, control characters and invalid
/// UTF-8 replaced as above.
std::string html_escape(std::string_view text);

}  // namespace lg::graph
