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

namespace {

struct Spring {
  std::size_t a, b;  ///< indices into the component's positions
  double w;          ///< weight scaled to (0, 1]
};

/// Fruchterman-Reingold on one connected component: repulsion k^2/d between every pair,
/// attraction w d^2/k along the springs, a weak pull to the centre, a cooling step limit.
void fruchterman_reingold(std::vector<Point>& p, const std::vector<Spring>& springs, int iterations,
                          std::uint64_t& state) {
  const std::size_t m = p.size();
  const double side = std::sqrt(static_cast<double>(m));
  for (Point& q : p) {
    q.x = (unit_random(state) - 0.5) * side;
    q.y = (unit_random(state) - 0.5) * side;
  }
  if (m < 2) return;
  if (iterations <= 0)
    iterations = static_cast<int>(std::clamp(3e8 / (static_cast<double>(m) * static_cast<double>(m)), 50.0, 300.0));
  const double k = 1.0;  // ideal distance: area m, one unit a label
  const double gravity = 0.05;
  std::vector<Point> d(m);
  for (int it = 0; it < iterations; ++it) {
    const double temperature = 0.1 * side * (1.0 - static_cast<double>(it) / iterations) + 0.01;
    std::fill(d.begin(), d.end(), Point{});
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = i + 1; j < m; ++j) {
        double dx = p[i].x - p[j].x, dy = p[i].y - p[j].y;
        double dist2 = dx * dx + dy * dy;
        if (dist2 < 1e-9) {  // coincident: a fixed nudge, not a random one
          dx = 1e-3 * (1.0 + static_cast<double>(i % 7));
          dy = 1e-3 * (1.0 + static_cast<double>(j % 5));
          dist2 = dx * dx + dy * dy;
        }
        const double f = k * k / dist2;
        d[i].x += dx * f;
        d[i].y += dy * f;
        d[j].x -= dx * f;
        d[j].y -= dy * f;
      }
    }
    for (const Spring& s : springs) {
      const double dx = p[s.a].x - p[s.b].x, dy = p[s.a].y - p[s.b].y;
      const double f = s.w * std::sqrt(dx * dx + dy * dy) / k;
      d[s.a].x -= dx * f;
      d[s.a].y -= dy * f;
      d[s.b].x += dx * f;
      d[s.b].y += dy * f;
    }
    for (std::size_t i = 0; i < m; ++i) {
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
}

std::size_t find_root(std::vector<std::size_t>& parent, std::size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

}  // namespace

std::vector<Point> force_layout(const LabelGraph& graph, const ViewOptions& options) {
  const std::size_t n = static_cast<std::size_t>(graph.num_labels());
  std::vector<Point> out(n);
  if (n == 0) return out;

  // Connected components (any non-zero edge), each laid out on its own and then packed in
  // rows, largest first: pushed away by the rest, small components and lone labels would
  // otherwise drift into a wide ring that leaves the main graph a dot in the middle.
  std::vector<std::vector<std::pair<std::size_t, double>>> incident(n);
  std::vector<std::size_t> parent(n);
  for (std::size_t i = 0; i < n; ++i) parent[i] = i;
  double max_weight = 0;
  for (const WeightedEdge& e : graph.undirected_edges()) {
    const auto s = static_cast<std::size_t>(e.source), t = static_cast<std::size_t>(e.target);
    if (e.weight == 0 || s == t) continue;
    parent[find_root(parent, s)] = find_root(parent, t);
    if (!(e.weight > 0)) continue;  // only positive weights pull
    incident[s].push_back({t, e.weight});
    incident[t].push_back({s, e.weight});
    max_weight = std::max(max_weight, e.weight);
  }
  std::map<std::size_t, std::vector<std::size_t>> by_root;  // members in label order
  for (std::size_t i = 0; i < n; ++i) by_root[find_root(parent, i)].push_back(i);
  std::vector<std::vector<std::size_t>> components;
  for (auto& [root, members] : by_root) components.push_back(std::move(members));
  std::stable_sort(components.begin(), components.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size() || (a.size() == b.size() && a.front() < b.front()); });
  std::vector<std::size_t> local(n, 0);
  for (const auto& c : components)
    for (std::size_t j = 0; j < c.size(); ++j) local[c[j]] = j;

  // The springs: each label's strongest positive edges (a pair among the strongest of either
  // label is one spring).
  const auto keep = static_cast<std::size_t>(std::max(1, options.layout_edges_per_label));
  std::map<std::size_t, std::map<std::pair<std::size_t, std::size_t>, double>> chosen;  // root ->
  for (std::size_t i = 0; i < n; ++i) {
    auto& list = incident[i];
    const std::size_t k = std::min(keep, list.size());
    std::partial_sort(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(k), list.end(),
                      [](const auto& x, const auto& y) {
                        return x.second > y.second || (x.second == y.second && x.first < y.first);
                      });
    for (std::size_t j = 0; j < k; ++j) {
      const std::size_t a = local[i], b = local[list[j].first];
      chosen[find_root(parent, i)][{std::min(a, b), std::max(a, b)}] = list[j].second / max_weight;
    }
  }

  // Lay out each component, then shelf-pack them: rows as wide as the largest component (or
  // the square root of their total area), 1.5 units apart.
  struct Box {
    std::vector<Point> p;
    double w = 0, h = 0;
  };
  std::vector<Box> boxes;
  double area = 0, widest = 0;
  std::uint64_t state = options.seed;
  for (const auto& c : components) {
    Box box;
    box.p.resize(c.size());
    std::vector<Spring> springs;
    for (const auto& [pair, w] : chosen[find_root(parent, c.front())]) springs.push_back({pair.first, pair.second, w});
    fruchterman_reingold(box.p, springs, options.iterations, state);
    double min_x = box.p[0].x, min_y = box.p[0].y, max_x = min_x, max_y = min_y;
    for (const Point& q : box.p) {
      min_x = std::min(min_x, q.x), max_x = std::max(max_x, q.x);
      min_y = std::min(min_y, q.y), max_y = std::max(max_y, q.y);
    }
    for (Point& q : box.p) q.x -= min_x, q.y -= min_y;
    box.w = max_x - min_x;
    box.h = max_y - min_y;
    area += (box.w + 1.5) * (box.h + 1.5);
    widest = std::max(widest, box.w);
    boxes.push_back(std::move(box));
  }
  const double row_width = std::max(widest, std::sqrt(area));
  double x = 0, y = 0, row_height = 0;
  for (std::size_t c = 0; c < components.size(); ++c) {
    const Box& box = boxes[c];
    if (x > 0 && x + box.w > row_width) {
      x = 0;
      y += row_height + 1.5;
      row_height = 0;
    }
    for (std::size_t j = 0; j < components[c].size(); ++j)
      out[components[c][j]] = Point{x + box.p[j].x, y + box.p[j].y};
    x += box.w + 1.5;
    row_height = std::max(row_height, box.h);
  }
  return out;
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
