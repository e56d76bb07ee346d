// Label graphs of 80, 160 and 1,000 labels render to SVG, PDF and PNG (the figure plan of
// `labelgraph graph`: engine, edge routing and the edge cap chosen by size). Before, COCO's
// top-5 conditional graph (80 labels, 400 edges) did not finish in 5 minutes (curved edges) and
// Graphviz's spline router aborted on reciprocal pairs. These test cases run under a ctest
// TIMEOUT (tests/CMakeLists.txt, tag [render-size]); no timing is asserted here.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "graph/communities.hpp"
#include "graph/cooccurrence.hpp"
#include "graph/graph_render.hpp"
#include "graph/label_figure.hpp"
#include "graph/weighting.hpp"

namespace {
using lg::Index;
using namespace lg::graph;

/// Labels in groups of 8 that co-occur (a row picks a group and takes each of its labels with
/// probability 0.35), plus one anchor label per row so that every label occurs.
lg::LabelMatrix generated_labels(Index labels, unsigned seed) {
  const Index rows = std::max<Index>(2000, 12 * labels);
  std::mt19937 rng(seed);
  std::bernoulli_distribution take(0.35), stray(0.02);
  const Index groups = (labels + 7) / 8;
  lg::LabelMatrix y = lg::LabelMatrix::Zero(rows, labels);
  for (Index r = 0; r < rows; ++r) {
    const Index g = static_cast<Index>(rng() % static_cast<unsigned>(groups));
    for (Index l = 8 * g; l < std::min(labels, 8 * g + 8); ++l) y(r, l) = take(rng);
    y(r, r % labels) = 1;
    if (stray(rng)) y(r, static_cast<Index>(rng() % static_cast<unsigned>(labels))) = 1;
  }
  return y;
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

void render_all(Index labels, const std::string& weighting, Index top_k, bool with_communities) {
  std::vector<std::string> names;
  for (Index l = 0; l < labels; ++l) names.push_back("label " + std::to_string(l));
  const Cooccurrence stats = count_cooccurrence(generated_labels(labels, 7), names, 1);
  LabelGraphSpec spec;
  spec.weighting = weighting;
  spec.top_k = top_k;
  const lg::Adjacency a = build_adjacency(stats, spec);
  LabelGraph g(a, stats, is_directed(spec));
  std::optional<Communities> communities;
  if (with_communities) {
    communities = detect_communities(g);
    g.set_communities(communities->membership);
  }
  FigureOptions options;
  options.prune_by_default = false;  // as `--topk K` given
  const PreparedFigure plan = prepare_figure(stats, spec, g, communities, options);
  const LabelGraph& figure = plan.pruned ? *plan.pruned : g;
  const std::string dot = to_dot(figure, plan.style);
  INFO(labels << " labels, " << weighting << " top-" << top_k << ", "
              << (plan.pruned ? plan.pruned->num_edges() : g.num_edges()) << " drawn edges");
  CHECK(dot.find("splines=curved") == std::string::npos);
  if (g.directed()) CHECK(dot.find("splines=false") != std::string::npos);

  std::vector<std::string> warnings;
  const std::string svg = render_dot(dot, plan.style.engine, "svg", &warnings);
  // One node per label: every generated label has an edge, so none is hidden.
  CHECK(count(svg, "<g id=\"node") == labels);
  CHECK(count(svg, "class=\"node\"") == labels);
  const std::string pdf = render_dot(dot, plan.style.engine, "pdf", &warnings);
  CHECK(pdf.rfind("%PDF", 0) == 0);
  const std::string png = render_dot(dot, plan.style.engine, "png", &warnings);
  REQUIRE(png.size() > 24);
  CHECK(png.compare(1, 3, "PNG") == 0);
  // Width and height (big-endian at bytes 16 and 20): the longer side is limited.
  const auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<unsigned>(static_cast<unsigned char>(png[at + 3]));
  };
  CHECK(std::max(be32(16), be32(20)) <= kMaxPngPixels + 100);
}

}  // namespace

TEST_CASE("render sizes: 80 labels, COCO's case (conditional top-5, communities)",
          "[graph][render-size]") {
  render_all(80, "conditional", 5, true);
  render_all(80, "jaccard", 0, false);
}

TEST_CASE("render sizes: 160 labels conditional top-3 and every Jaccard edge", "[graph][render-size]") {
  render_all(160, "conditional", 3, true);
  render_all(160, "jaccard", 0, true);
}

TEST_CASE("render sizes: 1000 labels conditional top-5 and every Jaccard edge capped",
          "[graph][render-size]") {
  render_all(1000, "conditional", 5, true);
  render_all(1000, "jaccard", 0, false);
}
