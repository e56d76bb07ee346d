// In-process Graphviz rendering: the SVG parses back with one node per label and the label
// names intact (escaping), every engine lays out without warnings, PDF and PNG come out, and
// bad engines, formats and DOT give clear errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <tinyxml2.h>
#include <vector>

#include "core/error.hpp"
#include "graph/graph_render.hpp"
#include "graph/label_graph.hpp"
#include "helpers.hpp"

namespace {
using lg::Adjacency;
using lg::Index;
using lg::graph::Cooccurrence;
using lg::graph::FigureStyle;
using lg::graph::LabelGraph;

// Six labels with awkward names; a ring of weights plus one chord, one isolated label.
const std::vector<std::string> kNames = {"beach",          "sun & sea",   "<mountain>",
                                         "field \"open\"", "back\\slash", "caf\xC3\xA9"};

LabelGraph six(bool directed) {
  Cooccurrence c;
  c.rows = 100;
  c.label_counts = {50, 40, 30, 20, 10, 0};
  c.names = kNames;
  Adjacency w = Adjacency::Zero(6, 6);
  for (Index i = 0; i < 5; ++i) w(i, (i + 1) % 5) = 0.1 * static_cast<double>(i + 1);
  w(0, 2) = 0.9;
  if (!directed) w = (w + w.transpose()).eval();
  return LabelGraph(w, c, directed);
}

struct SvgNodes {
  int count = 0;
  std::vector<std::string> texts;  ///< the <text> of each node, in order
};

SvgNodes svg_nodes(const std::string& svg) {
  tinyxml2::XMLDocument doc;
  REQUIRE(doc.Parse(svg.data(), svg.size()) == tinyxml2::XML_SUCCESS);
  SvgNodes out;
  // Depth-first over all elements: Graphviz writes <g class="node"> per node.
  std::vector<const tinyxml2::XMLElement*> stack = {doc.RootElement()};
  std::vector<const tinyxml2::XMLElement*> nodes;
  while (!stack.empty()) {
    const auto* e = stack.back();
    stack.pop_back();
    const char* cls = e->Attribute("class");
    if (std::string(e->Name()) == "g" && cls && std::string(cls) == "node") nodes.push_back(e);
    std::vector<const tinyxml2::XMLElement*> children;
    for (const auto* c = e->FirstChildElement(); c; c = c->NextSiblingElement())
      children.push_back(c);
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
  for (const auto* n : nodes) {
    ++out.count;
    std::string text;
    std::vector<const tinyxml2::XMLElement*> inner = {n};
    while (!inner.empty()) {
      const auto* e = inner.back();
      inner.pop_back();
      if (std::string(e->Name()) == "text" && e->GetText()) text += e->GetText();
      for (const auto* c = e->FirstChildElement(); c; c = c->NextSiblingElement())
        inner.push_back(c);
    }
    out.texts.push_back(text);
  }
  return out;
}

}  // namespace

TEST_CASE("render: the SVG has one node per label, names intact", "[graph]") {
  for (bool directed : {false, true}) {
    INFO("directed " << directed);
    FigureStyle style;
    style.title = "six & <labels>";
    style.notes = {"nothing pruned"};
    std::vector<std::string> warnings;
    const std::string svg =
        lg::graph::render_dot(lg::graph::to_dot(six(directed), style), "neato", "svg", &warnings);
    CHECK(warnings.empty());
    const SvgNodes nodes = svg_nodes(svg);
    CHECK(nodes.count == 6);
    CHECK(nodes.texts == kNames);
    // The legend is the graph label, not a node; its title and note are in the SVG.
    CHECK_THAT(svg, Catch::Contains("six &amp; &lt;labels&gt;"));
    CHECK_THAT(svg, Catch::Contains("nothing pruned"));
  }
}

TEST_CASE("render: every engine lays out without warnings", "[graph]") {
  for (const std::string& engine : lg::graph::layout_engines()) {
    INFO(engine);
    FigureStyle style;
    style.engine = engine;
    std::vector<std::string> warnings;
    const std::string svg =
        lg::graph::render_dot(lg::graph::to_dot(six(true), style), engine, "svg", &warnings);
    CHECK(warnings.empty());
    for (const auto& w : warnings) UNSCOPED_INFO(w);
    CHECK(svg_nodes(svg).count == 6);
  }
}

TEST_CASE("render: PDF and PNG through cairo, written atomically", "[graph]") {
  lg::test::TempDir tmp;
  FigureStyle style;
  std::vector<std::string> warnings;
  lg::graph::render_figure(six(false), style, tmp / "g.pdf", &warnings);
  lg::graph::render_figure(six(false), style, tmp / "g.PNG", &warnings);
  lg::graph::render_figure(six(false), style, tmp / "g.svg", &warnings);
  CHECK(warnings.empty());
  CHECK(lg::test::read_file(tmp / "g.pdf").rfind("%PDF", 0) == 0);
  CHECK(lg::test::read_file(tmp / "g.PNG").rfind("\x89PNG", 0) == 0);
  CHECK(svg_nodes(lg::test::read_file(tmp / "g.svg")).count == 6);
  // nothing but the three figures (no temporary files left)
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(tmp.path())) {
    (void)entry;
    ++files;
  }
  CHECK(files == 3);
}

TEST_CASE("render: hidden isolated labels are not drawn", "[graph]") {
  FigureStyle style;
  style.hide_isolated = true;
  const SvgNodes nodes =
      svg_nodes(lg::graph::render_dot(lg::graph::to_dot(six(false), style), "neato", "svg"));
  CHECK(nodes.count == 5);  // "café" (count 0, no edge) is left out
}

TEST_CASE("render: unknown engine, format or bad DOT are clear errors", "[graph]") {
  const std::string dot = lg::graph::to_dot(six(false), FigureStyle{});
  CHECK_THROWS_WITH(
      lg::graph::render_dot(dot, "twopi2", "svg"),
      Catch::Contains("unknown layout engine 'twopi2'") && Catch::Contains("neato, sfdp"));
  CHECK_THROWS_WITH(
      lg::graph::render_dot(dot, "neato", "gif"),
      Catch::Contains("unknown figure format 'gif'") && Catch::Contains("svg, pdf, png"));
  CHECK_THROWS_WITH(
      lg::graph::render_dot("graph { a -- ", "neato", "svg"),
      Catch::Contains("Graphviz could not read the DOT text") && Catch::Contains("syntax error"));
  lg::test::TempDir tmp;
  CHECK_THROWS_WITH(lg::graph::render_figure(six(false), FigureStyle{}, tmp / "g.jpeg"),
                    Catch::Contains("unknown figure format 'jpeg'"));
  CHECK_FALSE(std::filesystem::exists(tmp / "g.jpeg"));
  // After an error the next render works (state restored).
  CHECK(svg_nodes(lg::graph::render_dot(dot, "neato", "svg")).count == 6);
}
