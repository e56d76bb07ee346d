#include "graph/label_figure.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"
#include "graph/graph_render.hpp"

namespace lg::graph {
namespace {

Index labels_without_edges(const LabelGraph& g) {
  std::vector<bool> has_edge(static_cast<std::size_t>(g.num_labels()), false);
  for (const WeightedEdge& e : g.edges())
    has_edge[static_cast<std::size_t>(e.source)] = has_edge[static_cast<std::size_t>(e.target)] =
        true;
  return static_cast<Index>(std::count(has_edge.begin(), has_edge.end(), false));
}

}  // namespace

std::string describe_weighting(const LabelGraphSpec& spec) {
  std::string what;
  if (spec.weighting == "counts")
    what = "co-occurrence counts";
  else if (spec.weighting == "conditional")
    what = "conditional probability P(j | i)";
  else if (spec.weighting == "pmi")
    what = "PMI";
  else if (spec.weighting == "npmi")
    what = "NPMI";
  else if (spec.weighting == "jaccard")
    what = "Jaccard";
  else if (spec.weighting == "lift")
    what = "lift";
  else if (spec.weighting == "mlgcn-binary")
    what = fmt::format("ML-GCN binary, P(j | i) ≥ τ = {}", spec.tau);
  else if (spec.weighting == "mlgcn-reweighted")
    what = fmt::format("ML-GCN re-weighted, τ = {}, p = {}", spec.tau, spec.p);
  else if (spec.weighting == "mlgcn-reference")
    what = fmt::format("ML-GCN propagation matrix (reference code), τ = {}", spec.tau);
  else
    what = spec.weighting;
  if (spec.normalization == "symmetric") what += ", D^-1/2 A D^-1/2";
  if (spec.normalization == "row") what += ", row-normalised";
  return what;
}

std::string arrow_meaning(const LabelGraphSpec& spec) {
  std::string what = "weight of (i, j)";
  if (spec.weighting == "conditional")
    what = "P(j | i)";
  else if (spec.weighting == "mlgcn-binary")
    what = "P(j | i) ≥ τ";
  else if (spec.weighting == "mlgcn-reweighted")
    what = "re-weighted A'(i, j)";
  else if (spec.weighting == "mlgcn-reference")
    what = "Â(i, j)";
  if (spec.top_k > 0) what += fmt::format(", j among the {} strongest of i", spec.top_k);
  return what;
}

// Pruned by the user (top-k, min-support: `g` is pruned already) and, unless the user chose a
// top-k, by default when more than kMaxDrawnEdges edges remain: the top kDefaultTopK per label,
// drawn with the weighting's own direction (a symmetric weighting shows the union). Hidden
// edges are counted against the unpruned matrix.
PreparedFigure prepare_figure(const Cooccurrence& stats, const LabelGraphSpec& spec,
                              const LabelGraph& g, const std::optional<Communities>& communities,
                              const FigureOptions& options) {
  const std::vector<std::string>& engines = layout_engines();
  if (options.engine != "auto" &&
      std::find(engines.begin(), engines.end(), options.engine) == engines.end())
    throw Error(fmt::format("unknown layout engine '{}': expected auto or one of {}",
                            options.engine, fmt::join(engines, ", ")));
  if (options.color != "auto" && options.color != "community" && options.color != "irlbl" &&
      options.color != "none")
    throw Error(fmt::format("the node colour must be auto, community, irlbl or none, not '{}'",
                            options.color));

  PreparedFigure f;
  const bool directed = g.directed();
  const bool by_default = options.prune_by_default && g.num_edges() > kMaxDrawnEdges;
  Index isolated = 0;
  if (by_default || spec.top_k > 0 || spec.min_support > 0) {
    LabelGraphSpec display = spec;
    if (by_default) {
      display.top_k = kDefaultTopK;
      f.pruned.emplace(build_adjacency(stats, display), stats, directed);
      if (communities) f.pruned->set_communities(communities->membership);
    }
    const LabelGraph& drawn = f.pruned ? *f.pruned : g;
    LabelGraphSpec unpruned = spec;
    unpruned.top_k = 0;
    unpruned.min_support = 0;
    const Index total = LabelGraph(build_adjacency(stats, unpruned), stats, directed).num_edges();
    std::vector<std::string> what;
    if (spec.min_support > 0)
      what.push_back(fmt::format("pairs seen fewer than {} times", spec.min_support));
    if (by_default)
      what.push_back(fmt::format("top-{} edges per label (default above {} edges; a top-k of 0 "
                                 "draws all)",
                                 kDefaultTopK, kMaxDrawnEdges));
    else if (spec.top_k > 0)
      what.push_back(fmt::format("top-{} edges per label", spec.top_k));
    f.style.hide_isolated = true;
    isolated = labels_without_edges(drawn);
    std::string note = fmt::format("{}: {} of {} edges hidden", fmt::join(what, ", "),
                                   total - drawn.num_edges(), total);
    if (isolated > 0) note += fmt::format("; {} labels without edges hidden", isolated);
    f.notes.push_back(note);
    f.style.notes.push_back(note);
  }
  // At most kMaxFigureEdges drawn edges, the strongest (a figure of 2,000 labels with every
  // edge drawn had 33,000: unreadable, and slow to draw as PNG).
  {
    const LabelGraph& drawn = f.pruned ? *f.pruned : g;
    if (drawn.num_edges() > kMaxFigureEdges) {
      std::vector<WeightedEdge> edges = drawn.edges();
      const Index total = static_cast<Index>(edges.size());
      std::stable_sort(edges.begin(), edges.end(), [](const WeightedEdge& a, const WeightedEdge& b) {
        return std::abs(a.weight) > std::abs(b.weight);
      });
      Adjacency kept = Adjacency::Zero(drawn.num_labels(), drawn.num_labels());
      for (Index k = 0; k < kMaxFigureEdges; ++k) {
        const WeightedEdge& e = edges[static_cast<std::size_t>(k)];
        kept(e.source, e.target) = e.weight;
        if (!directed) kept(e.target, e.source) = e.weight;
      }
      LabelGraph capped(kept, stats, directed);
      if (communities) capped.set_communities(communities->membership);
      f.pruned.emplace(std::move(capped));
      f.style.hide_isolated = true;
      isolated = labels_without_edges(*f.pruned);
      const std::string note = fmt::format(
          "a figure draws at most {} edges: the {} weakest of {} not drawn (the .json, .graphml "
          "and .csv outputs hold them all)",
          kMaxFigureEdges, total - kMaxFigureEdges, total);
      f.notes.push_back(note);
      f.style.notes.push_back(note);
    }
  }
  const LabelGraph& figure = f.pruned ? *f.pruned : g;

  f.style.title = options.title;
  f.style.weighting = describe_weighting(spec);
  f.style.arrow_meaning = arrow_meaning(spec);
  f.style.legend = options.legend;
  if (options.color == "community" || (options.color == "auto" && communities))
    f.style.color = NodeColor::Community;
  else if (options.color == "none")
    f.style.color = NodeColor::None;
  else
    f.style.color = NodeColor::Irlbl;
  if (communities) f.style.modularity = communities->modularity;
  if (options.engine == "auto") {
    const Index drawn =
        f.style.hide_isolated ? figure.num_labels() - isolated : figure.num_labels();
    f.style.engine = drawn <= kNeatoLimit ? "neato" : "sfdp";
  } else {
    f.style.engine = options.engine;
  }
  return f;
}

}  // namespace lg::graph
