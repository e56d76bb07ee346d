#pragma once
// The label-graph figure as `labelgraph graph` and the experiment runner draw it: what the
// legend says about the weighting, default pruning of crowded graphs, node colours, the layout
// engine. One place, so a run's graphs/<dataset>.svg looks like the command's figure.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "graph/communities.hpp"
#include "graph/cooccurrence.hpp"
#include "graph/graph_export.hpp"
#include "graph/label_graph.hpp"
#include "graph/weighting.hpp"

namespace lg::graph {

/// A figure with more than kMaxDrawnEdges edges, without an explicit top-k, keeps the
/// strongest kDefaultTopK edges per label and hides labels left without an edge: beyond that
/// edges cannot be followed (yeast's conditional graph has 172 edges on 14 labels, Corel5k's
/// thousands on 374).
constexpr Index kMaxDrawnEdges = 150;
constexpr Index kDefaultTopK = 3;
/// A figure draws at most this many edges, the strongest; the legend says how many were left
/// out (beyond this, edges cannot be told apart and a PNG takes seconds to draw).
constexpr Index kMaxFigureEdges = 6000;
/// Up to this many drawn labels engine "auto" uses neato, beyond it sfdp.
constexpr Index kNeatoLimit = 100;

struct FigureOptions {
  bool prune_by_default = true;  ///< false when the user chose a top-k (0 = draw all)
  std::string color = "auto";    ///< community | irlbl | none | auto (community when given)
  std::string engine = "auto";   ///< auto or one of layout_engines()
  std::string title;             ///< legend title
  bool legend = true;            ///< draw the legend
};

/// What to draw: the graph itself or a pruned copy, and its style (legend notes included).
struct PreparedFigure {
  std::optional<LabelGraph> pruned;  ///< the drawn graph when it is not the full one
  FigureStyle style;                 ///< engine, colours, legend
  std::vector<std::string> notes;    ///< what was pruned or hidden, for the terminal too
};

/// Plan the figure of `graph` (built from `stats` with `spec`). Throws lg::Error for an
/// unknown colour or engine.
PreparedFigure prepare_figure(const Cooccurrence& stats, const LabelGraphSpec& spec,
                              const LabelGraph& graph,
                              const std::optional<Communities>& communities,
                              const FigureOptions& options);

/// What an edge weight is, for legends ("conditional probability P(j | i)").
std::string describe_weighting(const LabelGraphSpec& spec);
/// What an arrow i -> j means, for legends.
std::string arrow_meaning(const LabelGraphSpec& spec);

}  // namespace lg::graph
