// Communities (igraph Leiden) and Newman modularity: a hand-computed two-triangle graph, a
// planted partition recovered exactly, determinism, negative and missing edges.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "graph/communities.hpp"
#include "graph/label_graph.hpp"

namespace {
using lg::Adjacency;
using lg::Index;
using lg::graph::Cooccurrence;
using lg::graph::LabelGraph;

Cooccurrence uniform_stats(Index labels) {
  Cooccurrence c;
  c.rows = 100;
  c.label_counts.assign(static_cast<std::size_t>(labels), 10.0);
  for (Index i = 0; i < labels; ++i) c.names.push_back("l" + std::to_string(i));
  return c;
}

void connect(Adjacency& w, Index i, Index j, double v) { w(i, j) = w(j, i) = v; }

// Two triangles {0,1,2} and {3,4,5} joined by the edge 2-3, all weights 1.
//   m = 7, degrees 2 2 3 3 2 2 (sum 14 = 2m).
//   Q = sum_c [ L_c / m - (d_c / 2m)^2 ] = 2 (3/7 - (7/14)^2) = 2 (3/7 - 1/4) = 5/14.
Adjacency two_triangles() {
  Adjacency w = Adjacency::Zero(6, 6);
  connect(w, 0, 1, 1);
  connect(w, 1, 2, 1);
  connect(w, 0, 2, 1);
  connect(w, 3, 4, 1);
  connect(w, 4, 5, 1);
  connect(w, 3, 5, 1);
  connect(w, 2, 3, 1);
  return w;
}

// 4 groups of 10 labels: every pair inside a group weight 1; label i also tied to label
// (i + 10) mod 40 with weight 0.2 (each label gets two such ties, 40 in all).
//   W = 4 * 45 + 40 * 0.2 = 188; each label's strength 9 + 2 * 0.2 = 9.4, a group's 94.
//   Q(groups) = 4 (45/188 - (94/376)^2) = 180/188 - 1/4.
Adjacency planted() {
  Adjacency w = Adjacency::Zero(40, 40);
  for (Index g = 0; g < 4; ++g)
    for (Index a = 0; a < 10; ++a)
      for (Index b = a + 1; b < 10; ++b) connect(w, 10 * g + a, 10 * g + b, 1.0);
  for (Index i = 0; i < 40; ++i) connect(w, i, (i + 10) % 40, 0.2);
  return w;
}

}  // namespace

TEST_CASE("communities: Newman modularity of two triangles is 5/14", "[graph]") {
  const LabelGraph g(two_triangles(), uniform_stats(6), false);
  CHECK(lg::graph::modularity(g, {0, 0, 0, 1, 1, 1}) == Approx(5.0 / 14.0).epsilon(1e-12));
  // Everything in one community: L_c / m = 1, (d_c / 2m)^2 = 1 -> Q = 0.
  CHECK(lg::graph::modularity(g, {0, 0, 0, 0, 0, 0}) == Approx(0.0).margin(1e-12));
  const auto c = lg::graph::detect_communities(g);
  CHECK(c.count == 2);
  CHECK(c.membership == std::vector<int>{0, 0, 0, 1, 1, 1});
  CHECK(c.modularity == Approx(5.0 / 14.0).epsilon(1e-12));
  CHECK(c.notes.empty());
}

TEST_CASE("communities: a planted partition is recovered exactly", "[graph]") {
  const LabelGraph g(planted(), uniform_stats(40), false);
  const auto c = lg::graph::detect_communities(g);
  REQUIRE(c.membership.size() == 40);
  CHECK(c.count == 4);
  // Same community exactly when same planted group (up to relabelling).
  for (Index i = 0; i < 40; ++i)
    for (Index j = 0; j < 40; ++j) {
      INFO(i << " " << j);
      CHECK((c.membership[static_cast<std::size_t>(i)] ==
             c.membership[static_cast<std::size_t>(j)]) == (i / 10 == j / 10));
    }
  CHECK(c.modularity == Approx(180.0 / 188.0 - 0.25).epsilon(1e-12));
  // Communities numbered by size, ties by lowest label: group of label 0 is community 0.
  CHECK(c.membership[0] == 0);
  CHECK(c.membership[10] == 1);
  CHECK(c.membership[39] == 3);
}

TEST_CASE("communities: the same seed gives the same result", "[graph]") {
  // A graph with no clear structure, so the outcome could depend on the generator.
  Adjacency w = Adjacency::Zero(30, 30);
  for (Index i = 0; i < 30; ++i)
    for (Index j = i + 1; j < 30; ++j)
      if ((i * 7 + j * 13) % 5 == 0) connect(w, i, j, 1.0 + static_cast<double>((i + j) % 3));
  const LabelGraph g(w, uniform_stats(30), false);
  lg::graph::CommunityOptions options;
  options.seed = 42;
  const auto a = lg::graph::detect_communities(g, options);
  const auto b = lg::graph::detect_communities(g, options);
  CHECK(a.membership == b.membership);
  CHECK(a.modularity == b.modularity);
  CHECK(a.modularity == Approx(lg::graph::modularity(g, a.membership)).epsilon(1e-12));
}

TEST_CASE("communities: directed graphs use the merged undirected view", "[graph]") {
  // The two triangles with only one direction stored per pair: same communities.
  Adjacency w = two_triangles();
  for (Index i = 0; i < 6; ++i)
    for (Index j = 0; j < i; ++j) w(i, j) = 0;
  const LabelGraph g(w, uniform_stats(6), true);
  const auto c = lg::graph::detect_communities(g);
  CHECK(c.membership == std::vector<int>{0, 0, 0, 1, 1, 1});
  CHECK(c.modularity == Approx(5.0 / 14.0).epsilon(1e-12));
}

TEST_CASE("communities: negative edges are left out with a note", "[graph]") {
  // The two triangles plus negative ties across: same result, one note naming 2 edges.
  Adjacency w = two_triangles();
  connect(w, 0, 5, -1.0);
  connect(w, 1, 4, -0.5);
  const LabelGraph g(w, uniform_stats(6), false);
  const auto c = lg::graph::detect_communities(g);
  CHECK(c.membership == std::vector<int>{0, 0, 0, 1, 1, 1});
  CHECK(c.modularity == Approx(5.0 / 14.0).epsilon(1e-12));
  REQUIRE(c.notes.size() == 1);
  CHECK_THAT(c.notes[0], Catch::Contains("2 edge(s)"));
}

TEST_CASE("communities: no edges, every label alone", "[graph]") {
  const LabelGraph g(Adjacency::Zero(3, 3), uniform_stats(3), false);
  const auto c = lg::graph::detect_communities(g);
  CHECK(c.count == 3);
  CHECK(c.membership == std::vector<int>{0, 1, 2});
  CHECK(c.modularity == 0.0);
  CHECK_THROWS_AS(lg::graph::modularity(g, {0, 1}), lg::Error);
  CHECK_THROWS_AS(lg::graph::modularity(g, {0, -1, 0}), lg::Error);
  lg::graph::CommunityOptions bad;
  bad.resolution = 0;
  CHECK_THROWS_AS(lg::graph::detect_communities(g, bad), lg::Error);
}
