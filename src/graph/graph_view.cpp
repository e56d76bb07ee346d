#include "graph/graph_view.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace lg::graph {
namespace {

/// splitmix64: portable pseudo-random start positions (std:: distributions differ between
/// standard libraries).
double unit_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) / 9007199254740992.0;  // [0, 1)
}

double round4(double v) {
  if (v == 0 || !std::isfinite(v)) return 0;
  return std::stod(fmt::format("{:.4g}", v));
}

}  // namespace

std::vector<Point> force_layout(const LabelGraph& graph, const ViewOptions& options) {
  const std::size_t n = static_cast<std::size_t>(graph.num_labels());
  std::vector<Point> p(n);
  if (n == 0) return p;
  std::uint64_t state = options.seed;
  const double side = std::sqrt(static_cast<double>(n));
  for (Point& q : p) {
    q.x = (unit_random(state) - 0.5) * side;
    q.y = (unit_random(state) - 0.5) * side;
  }
  if (n == 1) return {Point{}};

  // The springs: each label's strongest positive edges, weights scaled to (0, 1].
  std::vector<std::vector<std::pair<std::size_t, double>>> incident(n);
  double max_weight = 0;
  for (const WeightedEdge& e : graph.undirected_edges()) {
    if (!(e.weight > 0)) continue;
    const auto s = static_cast<std::size_t>(e.source), t = static_cast<std::size_t>(e.target);
    incident[s].push_back({t, e.weight});
    incident[t].push_back({s, e.weight});
    max_weight = std::max(max_weight, e.weight);
  }
  struct Spring {
    std::size_t a, b;
    double w;
  };
  // A pair among the strongest of either label is one spring.
  std::map<std::pair<std::size_t, std::size_t>, double> chosen;
  const auto keep = static_cast<std::size_t>(std::max(1, options.layout_edges_per_label));
  for (std::size_t i = 0; i < n; ++i) {
    auto& list = incident[i];
    const std::size_t k = std::min(keep, list.size());
    std::partial_sort(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(k), list.end(),
                      [](const auto& x, const auto& y) {
                        return x.second > y.second || (x.second == y.second && x.first < y.first);
                      });
    for (std::size_t j = 0; j < k; ++j)
      chosen[{std::min(i, list[j].first), std::max(i, list[j].first)}] = list[j].second / max_weight;
  }
  std::vector<Spring> springs;
  for (const auto& [pair, w] : chosen) springs.push_back({pair.first, pair.second, w});

  int iterations = options.iterations;
  if (iterations <= 0)
    iterations = static_cast<int>(std::clamp(3e8 / (static_cast<double>(n) * static_cast<double>(n)), 50.0, 300.0));
  const double k = 1.0;  // ideal distance: area n, one unit a label
  const double gravity = 0.05;
  std::vector<Point> d(n);
  for (int it = 0; it < iterations; ++it) {
    const double temperature = 0.1 * side * (1.0 - static_cast<double>(it) / iterations) + 0.01;
    std::fill(d.begin(), d.end(), Point{});
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = i + 1; j < n; ++j) {
        double dx = p[i].x - p[j].x, dy = p[i].y - p[j].y;
        double dist2 = dx * dx + dy * dy;
        if (dist2 < 1e-9) {  // coincident: a fixed nudge, not a random one
          dx = 1e-3 * (1.0 + static_cast<double>(i % 7));
          dy = 1e-3 * (1.0 + static_cast<double>(j % 5));
          dist2 = dx * dx + dy * dy;
        }
        const double f = k * k / dist2;  // repulsion k^2 / d along the unit vector
        d[i].x += dx * f;
        d[i].y += dy * f;
        d[j].x -= dx * f;
        d[j].y -= dy * f;
      }
    }
    for (const Spring& s : springs) {
      const double dx = p[s.a].x - p[s.b].x, dy = p[s.a].y - p[s.b].y;
      const double dist = std::sqrt(dx * dx + dy * dy);
      const double f = s.w * dist / k;  // attraction w d^2 / k along the unit vector
      d[s.a].x -= dx * f;
      d[s.a].y -= dy * f;
      d[s.b].x += dx * f;
      d[s.b].y += dy * f;
    }
    for (std::size_t i = 0; i < n; ++i) {
      d[i].x -= gravity * p[i].x;
      d[i].y -= gravity * p[i].y;
      const double len = std::sqrt(d[i].x * d[i].x + d[i].y * d[i].y);
      if (len > 0) {
        const double step = std::min(len, temperature) / len;
        p[i].x += d[i].x * step;
        p[i].y += d[i].y * step;
      }
    }
  }
  return p;
}

std::string view_json(const LabelGraph& graph, const ViewOptions& options) {
  using nlohmann::json;
  const std::vector<Point> positions = force_layout(graph, options);
  json nodes = json::array();
  for (Index i = 0; i < graph.num_labels(); ++i) {
    const LabelVertex& v = graph.label(i);
    const Point& q = positions[static_cast<std::size_t>(i)];
    nodes.push_back({{"name", v.name},
                     {"count", v.count},
                     {"frequency", std::isfinite(v.frequency) ? json(v.frequency) : json(nullptr)},
                     {"irlbl", v.irlbl},
                     {"community", v.community >= 0 ? json(v.community) : json(nullptr)},
                     {"x", round4(q.x)},
                     {"y", round4(q.y)}});
  }
  std::vector<WeightedEdge> edges = graph.edges();
  std::stable_sort(edges.begin(), edges.end(),
                   [](const WeightedEdge& a, const WeightedEdge& b) { return a.weight > b.weight; });
  std::vector<std::string> notes = options.notes;
  if (edges.size() > options.max_edges) {
    notes.push_back(fmt::format("the {} strongest of {} edges (the weakest {} left out)",
                                options.max_edges, edges.size(), edges.size() - options.max_edges));
    edges.resize(options.max_edges);
  }
  json edge_list = json::array();
  for (const WeightedEdge& e : edges) edge_list.push_back(json::array({e.source, e.target, e.weight}));
  const json doc = {{"title", options.title},         {"weighting", options.weighting},
                    {"directed", graph.directed()},   {"notes", notes},
                    {"nodes", std::move(nodes)},      {"edges", std::move(edge_list)}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace lg::graph
