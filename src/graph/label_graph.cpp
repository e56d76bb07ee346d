#include "graph/label_graph.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/betweenness_centrality.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/kruskal_min_spanning_tree.hpp>
#include <boost/property_map/function_property_map.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <numeric>
#include <sstream>

#include "core/error.hpp"

namespace lg::graph {
namespace {

struct EdgeProps {
  double weight = 0.0;
};

using DirectedBgl =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, LabelVertex, EdgeProps>;
using UndirectedBgl =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, LabelVertex, EdgeProps>;

std::vector<LabelVertex> make_vertices(const Cooccurrence& stats) {
  const Index n = stats.num_labels();
  const double max_count =
      n == 0 ? 0.0 : *std::max_element(stats.label_counts.begin(), stats.label_counts.end());
  std::vector<LabelVertex> out(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) {
    LabelVertex& v = out[static_cast<std::size_t>(i)];
    v.name = i < static_cast<Index>(stats.names.size()) ? stats.names[static_cast<std::size_t>(i)]
                                                        : fmt::format("label_{}", i);
    v.count = stats.label_counts[static_cast<std::size_t>(i)];
    v.frequency = stats.rows > 0 ? v.count / static_cast<double>(stats.rows)
                                 : std::numeric_limits<double>::quiet_NaN();
    v.irlbl = v.count > 0 ? max_count / v.count : 0.0;
  }
  return out;
}

// The larger of the two directions, ignoring a direction that has no edge.
double merged_weight(double a, double b) {
  if (a == 0.0) return b;
  if (b == 0.0) return a;
  return std::max(a, b);
}

template <class Graph>
std::vector<WeightedEdge> edge_list(const Graph& g, bool undirected) {
  std::vector<WeightedEdge> out;
  out.reserve(boost::num_edges(g));
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    WeightedEdge e{static_cast<Index>(boost::source(*it, g)),
                   static_cast<Index>(boost::target(*it, g)), g[*it].weight};
    if (undirected && e.source > e.target) std::swap(e.source, e.target);
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const WeightedEdge& a, const WeightedEdge& b) {
    return a.source != b.source ? a.source < b.source : a.target < b.target;
  });
  return out;
}

}  // namespace

struct LabelGraph::Impl {
  bool directed = false;
  DirectedBgl directed_graph;      ///< one edge per non-zero entry; empty when !directed
  UndirectedBgl undirected_graph;  ///< pairs merged; always built
};

LabelGraph::LabelGraph(const Adjacency& weights, const Cooccurrence& stats, bool directed)
    : impl_(std::make_unique<Impl>()) {
  const Index n = stats.num_labels();
  if (weights.rows() != n || weights.cols() != n)
    throw Error(fmt::format("label graph: the adjacency is {} x {} but there are {} labels",
                            weights.rows(), weights.cols(), n));
  if (!weights.allFinite())
    throw Error("label graph: the adjacency has a non-finite (NaN or infinite) entry");
  impl_->directed = directed;
  const std::vector<LabelVertex> vertices = make_vertices(stats);
  // Sized construction and assignment rather than add_vertex(property, g): GCC 12 warns
  // (-Wmaybe-uninitialized, a false positive inside BGL's named_graph) on the latter.
  const auto n_vertices = static_cast<std::size_t>(n);
  impl_->undirected_graph = UndirectedBgl(n_vertices);
  for (std::size_t v = 0; v < n_vertices; ++v) impl_->undirected_graph[v] = vertices[v];
  if (directed) {
    impl_->directed_graph = DirectedBgl(n_vertices);
    for (std::size_t v = 0; v < n_vertices; ++v) impl_->directed_graph[v] = vertices[v];
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < n; ++j)
        if (i != j && weights(i, j) != 0.0)
          boost::add_edge(static_cast<std::size_t>(i), static_cast<std::size_t>(j),
                          EdgeProps{weights(i, j)}, impl_->directed_graph);
  }
  for (Index i = 0; i < n; ++i)
    for (Index j = i + 1; j < n; ++j) {
      const double w = merged_weight(weights(i, j), weights(j, i));
      if (w != 0.0)
        boost::add_edge(static_cast<std::size_t>(i), static_cast<std::size_t>(j), EdgeProps{w},
                        impl_->undirected_graph);
    }
}

LabelGraph::~LabelGraph() = default;
LabelGraph::LabelGraph(LabelGraph&&) noexcept = default;
LabelGraph& LabelGraph::operator=(LabelGraph&&) noexcept = default;

bool LabelGraph::directed() const { return impl_->directed; }

Index LabelGraph::num_labels() const {
  return static_cast<Index>(boost::num_vertices(impl_->undirected_graph));
}

Index LabelGraph::num_edges() const {
  return static_cast<Index>(impl_->directed ? boost::num_edges(impl_->directed_graph)
                                            : boost::num_edges(impl_->undirected_graph));
}

const LabelVertex& LabelGraph::label(Index i) const {
  if (i < 0 || i >= num_labels())
    throw Error(fmt::format("label graph: no label {} (there are {})", i, num_labels()));
  return impl_->undirected_graph[static_cast<std::size_t>(i)];
}

std::vector<WeightedEdge> LabelGraph::edges() const {
  return impl_->directed ? edge_list(impl_->directed_graph, false) : undirected_edges();
}

std::vector<WeightedEdge> LabelGraph::undirected_edges() const {
  return edge_list(impl_->undirected_graph, true);
}

void LabelGraph::set_communities(const std::vector<int>& membership) {
  if (static_cast<Index>(membership.size()) != num_labels())
    throw Error(fmt::format("label graph: {} community indices for {} labels", membership.size(),
                            num_labels()));
  for (std::size_t i = 0; i < membership.size(); ++i) {
    if (membership[i] < 0)
      throw Error(fmt::format("label graph: negative community index for label {}", i));
    impl_->undirected_graph[i].community = membership[i];
    if (impl_->directed) impl_->directed_graph[i].community = membership[i];
  }
}

namespace {
template <class Graph>
std::string write_graphml_text(Graph& g) {
  boost::dynamic_properties dp(boost::ignore_other_properties);
  dp.property("name", boost::get(&LabelVertex::name, g));
  dp.property("count", boost::get(&LabelVertex::count, g));
  dp.property("frequency", boost::get(&LabelVertex::frequency, g));
  dp.property("irlbl", boost::get(&LabelVertex::irlbl, g));
  dp.property("community", boost::get(&LabelVertex::community, g));
  dp.property("weight", boost::get(&EdgeProps::weight, g));
  std::ostringstream out;
  out.precision(17);
  boost::write_graphml(out, g, dp, true);
  return out.str();
}
}  // namespace

std::string LabelGraph::graphml() const {
  // write_graphml takes the graph by const reference but the property maps need a mutable one.
  return impl_->directed ? write_graphml_text(impl_->directed_graph)
                         : write_graphml_text(impl_->undirected_graph);
}

Components connected_components(const LabelGraph& graph) {
  const UndirectedBgl& g = graph.impl().undirected_graph;
  Components out;
  out.membership.resize(boost::num_vertices(g));
  if (out.membership.empty()) return out;
  out.count = boost::connected_components(g, out.membership.data());
  return out;
}

SpanningForest maximum_spanning_forest(const LabelGraph& graph) {
  const UndirectedBgl& g = graph.impl().undirected_graph;
  using EdgeDesc = boost::graph_traits<UndirectedBgl>::edge_descriptor;
  std::vector<EdgeDesc> tree;
  // Kruskal minimises: negate so the strongest edges are taken first.
  auto negated = boost::make_function_property_map<EdgeDesc, double>(
      [&g](const EdgeDesc& e) { return -g[e].weight; });
  boost::kruskal_minimum_spanning_tree(g, std::back_inserter(tree), boost::weight_map(negated));

  SpanningForest out;
  const std::size_t n = boost::num_vertices(g);
  std::vector<std::vector<std::pair<double, std::size_t>>> neighbours(n);
  for (const EdgeDesc& e : tree) {
    WeightedEdge w{static_cast<Index>(boost::source(e, g)), static_cast<Index>(boost::target(e, g)),
                   g[e].weight};
    if (w.source > w.target) std::swap(w.source, w.target);
    out.edges.push_back(w);
    out.total_weight += w.weight;
    neighbours[static_cast<std::size_t>(w.source)].push_back(
        {w.weight, static_cast<std::size_t>(w.target)});
    neighbours[static_cast<std::size_t>(w.target)].push_back(
        {w.weight, static_cast<std::size_t>(w.source)});
  }
  std::sort(out.edges.begin(), out.edges.end(), [](const WeightedEdge& a, const WeightedEdge& b) {
    return a.source != b.source ? a.source < b.source : a.target < b.target;
  });
  for (auto& list : neighbours)
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });

  // Roots: labels by decreasing count (stable, so ties go to the lower index); each unvisited
  // one starts the next tree.
  std::vector<std::size_t> by_count(n);
  std::iota(by_count.begin(), by_count.end(), std::size_t{0});
  std::stable_sort(by_count.begin(), by_count.end(),
                   [&g](std::size_t a, std::size_t b) { return g[a].count > g[b].count; });
  std::vector<bool> seen(n, false);
  out.chain_order.reserve(n);
  for (std::size_t root : by_count) {
    if (seen[root]) continue;
    std::deque<std::size_t> queue{root};
    seen[root] = true;
    while (!queue.empty()) {
      const std::size_t v = queue.front();
      queue.pop_front();
      out.chain_order.push_back(static_cast<Index>(v));
      for (const auto& [w, u] : neighbours[v])
        if (!seen[u]) {
          seen[u] = true;
          queue.push_back(u);
        }
    }
  }
  return out;
}

namespace {
// Betweenness over the positive edges with length 1 / weight.
template <class Graph>
std::vector<double> betweenness_of(const std::vector<WeightedEdge>& edges, std::size_t n) {
  Graph g(n);
  for (const WeightedEdge& e : edges)
    if (e.weight > 0.0)
      boost::add_edge(static_cast<std::size_t>(e.source), static_cast<std::size_t>(e.target),
                      EdgeProps{1.0 / e.weight}, g);
  std::vector<double> values(n, 0.0);
  boost::brandes_betweenness_centrality(
      g, boost::centrality_map(
             boost::make_iterator_property_map(values.begin(), boost::get(boost::vertex_index, g)))
             .weight_map(boost::get(&EdgeProps::weight, g)));
  return values;
}
}  // namespace

Centrality centrality(const LabelGraph& graph) {
  const std::size_t n = static_cast<std::size_t>(graph.num_labels());
  Centrality out;
  out.strength.assign(n, 0.0);
  const std::vector<WeightedEdge> edges = graph.edges();
  for (const WeightedEdge& e : edges) {
    out.strength[static_cast<std::size_t>(e.source)] += std::abs(e.weight);
    out.strength[static_cast<std::size_t>(e.target)] += std::abs(e.weight);
  }
  // BGL counts an unordered pair once on undirected graphs (it halves internally).
  out.betweenness = graph.directed() ? betweenness_of<DirectedBgl>(edges, n)
                                     : betweenness_of<UndirectedBgl>(edges, n);
  return out;
}

}  // namespace lg::graph
