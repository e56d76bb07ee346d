// The label graph's interactive-view data (graph/graph_view.hpp): a deterministic
// force-directed layout that puts strongly tied labels together, and its JSON.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "graph/graph_view.hpp"
#include "helpers.hpp"

namespace {
using lg::Adjacency;
using lg::Index;
using lg::graph::Cooccurrence;
using lg::graph::LabelGraph;

Cooccurrence stats_of(Index labels, Index rows) {
  Cooccurrence c;
  c.rows = rows;
  for (Index i = 0; i < labels; ++i) {
    c.label_counts.push_back(static_cast<double>(10 + i));
    c.names.push_back("label " + std::to_string(i));
  }
  return c;
}

/// Two cliques of `half` labels (weight 1 inside) joined by one weak edge (0.05).
LabelGraph two_cliques(Index half) {
  const Index n = 2 * half;
  Adjacency w = Adjacency::Zero(n, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      if (i != j && (i < half) == (j < half)) w(i, j) = 1.0;
  w(0, half) = w(half, 0) = 0.05;
  return LabelGraph(w, stats_of(n, 100), false);
}

double distance(const lg::graph::Point& a, const lg::graph::Point& b) {
  return std::hypot(a.x - b.x, a.y - b.y);
}
}  // namespace

TEST_CASE("graph view: the layout keeps cliques together and apart from each other", "[graph][report-html]") {
  const LabelGraph g = two_cliques(6);
  const auto p = lg::graph::force_layout(g);
  REQUIRE(p.size() == 12);
  double inside = 0, across = 0;
  int n_in = 0, n_across = 0;
  for (std::size_t i = 0; i < 12; ++i) {
    CHECK(std::isfinite(p[i].x));
    CHECK(std::isfinite(p[i].y));
    for (std::size_t j = i + 1; j < 12; ++j) {
      if ((i < 6) == (j < 6)) inside += distance(p[i], p[j]), ++n_in;
      else across += distance(p[i], p[j]), ++n_across;
    }
  }
  CHECK(inside / n_in * 1.5 < across / n_across);
}

TEST_CASE("graph view: same seed same layout, another seed another one", "[graph][report-html]") {
  const LabelGraph g = two_cliques(5);
  lg::graph::ViewOptions a, b;
  b.seed = 2;
  const auto p1 = lg::graph::force_layout(g, a), p2 = lg::graph::force_layout(g, a);
  const auto p3 = lg::graph::force_layout(g, b);
  bool differs = false;
  for (std::size_t i = 0; i < p1.size(); ++i) {
    CHECK(p1[i].x == p2[i].x);
    CHECK(p1[i].y == p2[i].y);
    differs = differs || p1[i].x != p3[i].x;
  }
  CHECK(differs);
  CHECK(lg::graph::view_json(g, a) == lg::graph::view_json(g, a));
}

TEST_CASE("graph view: JSON has every label and the strongest edges, with a note when cut", "[graph][report-html]") {
  Adjacency w = Adjacency::Zero(4, 4);
  w(0, 1) = 0.9;
  w(1, 2) = 0.5;
  w(2, 3) = 0.1;
  w(0, 3) = 0.7;
  Cooccurrence stats = stats_of(4, 50);
  stats.names[2] = "</script><b>\"x\"</b>";
  const LabelGraph g(w, stats, true);
  lg::graph::ViewOptions options;
  options.title = "t";
  options.max_edges = 2;
  const auto doc = nlohmann::json::parse(lg::graph::view_json(g, options));
  REQUIRE(doc["nodes"].size() == 4);
  CHECK(doc["nodes"][2]["name"] == "</script><b>\"x\"</b>");
  CHECK(doc["nodes"][1]["count"] == 11.0);
  CHECK(doc["nodes"][0]["community"].is_null());
  CHECK(doc["directed"] == true);
  REQUIRE(doc["edges"].size() == 2);
  CHECK(doc["edges"][0] == nlohmann::json::array({0, 1, 0.9}));
  CHECK(doc["edges"][1] == nlohmann::json::array({0, 3, 0.7}));
  REQUIRE(doc["notes"].size() == 1);
  CHECK(doc["notes"][0].get<std::string>().find("2 strongest of 4 edges") != std::string::npos);
}

TEST_CASE("graph view: no labels, one label, labels without edges", "[graph][report-html]") {
  CHECK(lg::graph::force_layout(LabelGraph(Adjacency::Zero(0, 0), stats_of(0, 1), false)).empty());
  CHECK(lg::graph::force_layout(LabelGraph(Adjacency::Zero(1, 1), stats_of(1, 1), false)).size() == 1);
  const auto p = lg::graph::force_layout(LabelGraph(Adjacency::Zero(30, 30), stats_of(30, 1), false));
  REQUIRE(p.size() == 30);
  for (std::size_t i = 0; i < p.size(); ++i)
    for (std::size_t j = i + 1; j < p.size(); ++j) CHECK(distance(p[i], p[j]) > 0.05);  // spread, none on another
}
