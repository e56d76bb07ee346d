// The label graph on hand-made adjacency matrices: edges and the undirected merge, vertex
// figures, components, the maximum spanning forest and its chain order, centralities, GraphML.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <tinyxml2.h>
#include <vector>

#include "core/error.hpp"
#include "graph/label_graph.hpp"
#include "helpers.hpp"

namespace {
using lg::Adjacency;
using lg::Index;
using lg::graph::Cooccurrence;
using lg::graph::LabelGraph;
using lg::graph::WeightedEdge;

// Only what LabelGraph reads: names, counts, rows (the co-occurrence matrix is not used).
Cooccurrence stats_of(const std::vector<double>& counts, Index rows,
                      std::vector<std::string> names = {}) {
  Cooccurrence c;
  c.rows = rows;
  c.label_counts = counts;
  if (names.empty())
    for (std::size_t i = 0; i < counts.size(); ++i) names.push_back(std::string(1, char('a' + i)));
  c.names = std::move(names);
  return c;
}

Adjacency adjacency(std::initializer_list<std::initializer_list<double>> rows) {
  return lg::test::matrix(rows);
}

bool same(const WeightedEdge& e, Index s, Index t, double w) {
  return e.source == s && e.target == t && e.weight == w;
}

// Four labels a b c d with counts 10 5 2 0 out of 20 rows; an asymmetric matrix with a
// diagonal entry (ignored) and d isolated.
Adjacency asymmetric() {
  return adjacency({{3.0, 0.5, 0.2, 0.0},  //
                    {1.0, 0.0, 0.0, 0.0},
                    {0.0, 0.0, 0.0, 0.0},
                    {0.0, 0.0, 0.0, 0.0}});
}

}  // namespace

TEST_CASE("label graph: directed edges are the non-zero off-diagonal entries", "[graph]") {
  const LabelGraph g(asymmetric(), stats_of({10, 5, 2, 0}, 20), true);
  CHECK(g.directed());
  CHECK(g.num_labels() == 4);
  REQUIRE(g.num_edges() == 3);
  const auto e = g.edges();
  REQUIRE(e.size() == 3);
  CHECK(same(e[0], 0, 1, 0.5));
  CHECK(same(e[1], 0, 2, 0.2));
  CHECK(same(e[2], 1, 0, 1.0));
  // The undirected view merges (a,b) and (b,a) with the larger weight: max(0.5, 1.0) = 1.0.
  const auto u = g.undirected_edges();
  REQUIRE(u.size() == 2);
  CHECK(same(u[0], 0, 1, 1.0));
  CHECK(same(u[1], 0, 2, 0.2));
}

TEST_CASE("label graph: undirected merge takes the larger non-zero weight", "[graph]") {
  const LabelGraph g(asymmetric(), stats_of({10, 5, 2, 0}, 20), false);
  CHECK_FALSE(g.directed());
  REQUIRE(g.num_edges() == 2);
  CHECK(same(g.edges()[0], 0, 1, 1.0));
  // A negative entry against a missing one stays (max(0, -0.3) would lose the edge).
  const LabelGraph neg(adjacency({{0, -0.3}, {0, 0}}), stats_of({1, 1}, 2), false);
  REQUIRE(neg.num_edges() == 1);
  CHECK(same(neg.edges()[0], 0, 1, -0.3));
  // Two negative directions: the larger (closer to 0).
  const LabelGraph both(adjacency({{0, -0.3}, {-0.1, 0}}), stats_of({1, 1}, 2), false);
  CHECK(same(both.edges()[0], 0, 1, -0.1));
}

TEST_CASE("label graph: vertex name, count, frequency and IRLbl", "[graph]") {
  const LabelGraph g(asymmetric(), stats_of({10, 5, 2, 0}, 20), true);
  // frequency = N_i / n: 10/20, 5/20, 2/20, 0; IRLbl = 10 / N_i: 1, 2, 5, and 0 for N_d = 0.
  CHECK(g.label(0).name == "a");
  CHECK(g.label(3).name == "d");
  CHECK(g.label(0).count == 10);
  CHECK(g.label(0).frequency == Approx(0.5));
  CHECK(g.label(2).frequency == Approx(0.1));
  CHECK(g.label(0).irlbl == Approx(1.0));
  CHECK(g.label(1).irlbl == Approx(2.0));
  CHECK(g.label(2).irlbl == Approx(5.0));
  CHECK(g.label(3).irlbl == 0.0);
  CHECK(g.label(0).community == -1);
  // Unknown n (published counts): frequency is NaN, IRLbl still defined.
  const LabelGraph unknown(asymmetric(), stats_of({10, 5, 2, 0}, 0), true);
  CHECK(std::isnan(unknown.label(0).frequency));
  CHECK(unknown.label(2).irlbl == Approx(5.0));
  CHECK_THROWS_AS(g.label(4), lg::Error);
}

TEST_CASE("label graph: bad matrices are refused", "[graph]") {
  CHECK_THROWS_WITH(LabelGraph(Adjacency::Zero(3, 3), stats_of({1, 1}, 2), false),
                    Catch::Contains("3 x 3") && Catch::Contains("2 labels"));
  Adjacency nan = Adjacency::Zero(2, 2);
  nan(0, 1) = std::nan("");
  CHECK_THROWS_WITH(LabelGraph(nan, stats_of({1, 1}, 2), false), Catch::Contains("non-finite"));
}

TEST_CASE("label graph: communities are stored per label", "[graph]") {
  LabelGraph g(asymmetric(), stats_of({10, 5, 2, 0}, 20), true);
  g.set_communities({1, 1, 0, 2});
  CHECK(g.label(0).community == 1);
  CHECK(g.label(3).community == 2);
  CHECK_THROWS_AS(g.set_communities({0, 1}), lg::Error);
  CHECK_THROWS_AS(g.set_communities({0, 1, -1, 0}), lg::Error);
}

TEST_CASE("label graph: connected components (weak for directed)", "[graph]") {
  // a -> b, a -> c, b -> a; d alone: {a, b, c} and {d}.
  const LabelGraph g(asymmetric(), stats_of({10, 5, 2, 0}, 20), true);
  const auto c = lg::graph::connected_components(g);
  CHECK(c.count == 2);
  CHECK(c.membership == std::vector<int>{0, 0, 0, 1});
  // a -> b and c -> d: weakly connected pairs {a, b} and {c, d}.
  const LabelGraph chain(adjacency({{0, 1, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 1}, {0, 0, 0, 0}}),
                         stats_of({1, 1, 1, 1}, 4), true);
  const auto cc = lg::graph::connected_components(chain);
  CHECK(cc.count == 2);
  CHECK(cc.membership == std::vector<int>{0, 0, 1, 1});
}

TEST_CASE("label graph: maximum spanning forest and chain order", "[graph]") {
  // Labels 0..3 on a cycle 0-1 (5), 1-2 (4), 2-3 (3), 3-0 (2) with a chord 0-2 (1); label 4
  // alone; labels 5-6 joined with weight 1.
  //   tree of {0,1,2,3}: the three strongest edges 5 + 4 + 3 = 12 (no cycle); {5,6}: 1.
  //   counts 1 4 3 2 9 1 7: roots by count: 4 (9), then 6 (7) -> 5, then 1 (4) -> its tree
  //   neighbours by weight 0 (5), 2 (4); then 2's child 3.
  Adjacency w = Adjacency::Zero(7, 7);
  const auto set = [&w](Index i, Index j, double v) { w(i, j) = w(j, i) = v; };
  set(0, 1, 5);
  set(1, 2, 4);
  set(2, 3, 3);
  set(3, 0, 2);
  set(0, 2, 1);
  set(5, 6, 1);
  const LabelGraph g(w, stats_of({1, 4, 3, 2, 9, 1, 7}, 20), false);
  const auto f = lg::graph::maximum_spanning_forest(g);
  REQUIRE(f.edges.size() == 4);  // 7 labels - 3 components
  CHECK(same(f.edges[0], 0, 1, 5));
  CHECK(same(f.edges[1], 1, 2, 4));
  CHECK(same(f.edges[2], 2, 3, 3));
  CHECK(same(f.edges[3], 5, 6, 1));
  CHECK(f.total_weight == 13);
  CHECK(f.chain_order == std::vector<Index>{4, 6, 5, 1, 0, 2, 3});
}

TEST_CASE("label graph: spanning forest of a directed graph uses the merged view", "[graph]") {
  // a -> b 0.5 and b -> a 1.0 merge to 1.0; a -> c 0.2. Counts 10 5 2 0: root a, then b
  // (1.0) before c (0.2), then d alone.
  const LabelGraph g(asymmetric(), stats_of({10, 5, 2, 0}, 20), true);
  const auto f = lg::graph::maximum_spanning_forest(g);
  REQUIRE(f.edges.size() == 2);
  CHECK(f.total_weight == Approx(1.2));
  CHECK(f.chain_order == std::vector<Index>{0, 1, 2, 3});
}

TEST_CASE("label graph: strength and betweenness with distances 1/w", "[graph]") {
  // Triangle a-b (1), b-c (1), a-c (w). Path a-c: direct 1/w, via b 1 + 1 = 2.
  //   w = 0.4: direct 2.5 > 2, the shortest a-c path passes b: betweenness(b) = 1.
  //   w = 0.6: direct 1.67 < 2: nothing passes b.
  const auto triangle = [](double ac) { return adjacency({{0, 1, ac}, {1, 0, 1}, {ac, 1, 0}}); };
  const LabelGraph slow(triangle(0.4), stats_of({1, 1, 1}, 3), false);
  const auto c = lg::graph::centrality(slow);
  CHECK(c.betweenness == std::vector<double>{0, 1, 0});
  // strength: a = 1 + 0.4, b = 1 + 1, c = 1 + 0.4
  CHECK(c.strength[0] == Approx(1.4));
  CHECK(c.strength[1] == Approx(2.0));
  CHECK(c.strength[2] == Approx(1.4));
  const LabelGraph fast(triangle(0.6), stats_of({1, 1, 1}, 3), false);
  CHECK(lg::graph::centrality(fast).betweenness == std::vector<double>{0, 0, 0});

  // Directed path a -> b -> c: only the ordered pair (a, c) passes b: 1. Strength in + out:
  // a 1, b 2, c 1.
  const LabelGraph path(adjacency({{0, 1, 0}, {0, 0, 1}, {0, 0, 0}}), stats_of({1, 1, 1}, 3), true);
  const auto d = lg::graph::centrality(path);
  CHECK(d.betweenness == std::vector<double>{0, 1, 0});
  CHECK(d.strength == std::vector<double>{1, 2, 1});
  // Undirected path a - b - c: the unordered pair {a, c} passes b once: 1 (not 2).
  const LabelGraph upath(adjacency({{0, 1, 0}, {1, 0, 1}, {0, 1, 0}}), stats_of({1, 1, 1}, 3),
                         false);
  CHECK(lg::graph::centrality(upath).betweenness == std::vector<double>{0, 1, 0});
}

TEST_CASE("label graph: negative edges take no part in betweenness", "[graph]") {
  // a - b (1), b - c (1), a - c (-5): without the negative edge, a-c passes b.
  const LabelGraph g(adjacency({{0, 1, -5}, {1, 0, 1}, {-5, 1, 0}}), stats_of({1, 1, 1}, 3), false);
  const auto c = lg::graph::centrality(g);
  CHECK(c.betweenness == std::vector<double>{0, 1, 0});
  CHECK(c.strength[0] == Approx(6.0));  // |1| + |-5|
}

TEST_CASE("label graph: GraphML carries names, figures and weights", "[graph]") {
  LabelGraph g(asymmetric(), stats_of({10, 5, 2, 0}, 20, {"a&b", "<b>", "c \"q\"", "d"}), true);
  g.set_communities({0, 0, 0, 1});
  const std::string xml = g.graphml();
  tinyxml2::XMLDocument doc;
  REQUIRE(doc.Parse(xml.c_str()) == tinyxml2::XML_SUCCESS);
  const auto* graph = doc.FirstChildElement("graphml")->FirstChildElement("graph");
  REQUIRE(graph != nullptr);
  CHECK(std::string(graph->Attribute("edgedefault")) == "directed");
  // key ids -> names
  std::map<std::string, std::string> key_name;
  for (const auto* k = doc.FirstChildElement("graphml")->FirstChildElement("key"); k;
       k = k->NextSiblingElement("key"))
    key_name[k->Attribute("id")] = k->Attribute("attr.name");
  std::vector<std::map<std::string, std::string>> nodes;
  for (const auto* n = graph->FirstChildElement("node"); n; n = n->NextSiblingElement("node")) {
    std::map<std::string, std::string> data;
    for (const auto* d = n->FirstChildElement("data"); d; d = d->NextSiblingElement("data"))
      data[key_name[d->Attribute("key")]] = d->GetText() ? d->GetText() : "";
    nodes.push_back(data);
  }
  REQUIRE(nodes.size() == 4);
  CHECK(nodes[0]["name"] == "a&b");
  CHECK(nodes[1]["name"] == "<b>");
  CHECK(nodes[2]["name"] == "c \"q\"");
  CHECK(std::stod(nodes[1]["irlbl"]) == 2.0);
  CHECK(nodes[3]["community"] == "1");
  int edges = 0;
  double total = 0;
  for (const auto* e = graph->FirstChildElement("edge"); e; e = e->NextSiblingElement("edge")) {
    ++edges;
    total += std::stod(e->FirstChildElement("data")->GetText());
  }
  CHECK(edges == 3);
  CHECK(total == Approx(1.7));  // 0.5 + 0.2 + 1.0
  const LabelGraph u(asymmetric(), stats_of({10, 5, 2, 0}, 20), false);
  CHECK_THAT(u.graphml(), Catch::Contains("edgedefault=\"undirected\""));
}
