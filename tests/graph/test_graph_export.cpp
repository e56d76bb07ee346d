// Graph export: escaping, the CSV matrix at full precision, JSON nodes + edges, and the
// styled DOT (attributes, arrows, scaling, hidden labels).
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "graph/graph_export.hpp"
#include "graph/label_graph.hpp"
#include "helpers.hpp"

namespace {
using lg::Adjacency;
using lg::Index;
using lg::graph::Cooccurrence;
using lg::graph::FigureStyle;
using lg::graph::LabelGraph;

Cooccurrence stats_of(const std::vector<double>& counts, Index rows,
                      std::vector<std::string> names) {
  Cooccurrence c;
  c.rows = rows;
  c.label_counts = counts;
  c.names = std::move(names);
  return c;
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(line);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

// Three labels; a -> b 0.5, b -> a 1.0, a -> c 0.2 (weights 0.2 .. 1.0); d isolated.
LabelGraph small(bool directed) {
  const Adjacency w =
      lg::test::matrix({{0, 0.5, 0.2, 0}, {1.0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}});
  return LabelGraph(w, stats_of({100, 25, 4, 0}, 200, {"a", "b \"quoted\"", "c\\d", "d"}),
                    directed);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("export: DOT and HTML escaping", "[graph]") {
  using lg::graph::dot_escape;
  using lg::graph::html_escape;
  CHECK(dot_escape(R"(a"b\c)") == R"(a\"b\\c)");
  CHECK(dot_escape("two\nlines\ttab") == "two lines tab");
  CHECK(dot_escape("caf\xC3\xA9") == "caf\xC3\xA9");    // valid UTF-8 kept
  CHECK(dot_escape("bad\xFFx") == "bad\xEF\xBF\xBDx");  // invalid byte -> U+FFFD
  CHECK(dot_escape("cut\xC3") == "cut\xEF\xBF\xBD");    // truncated sequence
  CHECK(dot_escape("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  CHECK(html_escape(R"(<a & 'b' "c">)") == "&lt;a &amp; &#39;b&#39; &quot;c&quot;&gt;");
}

TEST_CASE("export: CSV is the full matrix at 17 significant digits", "[graph]") {
  Adjacency w(2, 2);
  w << 1.0 / 3.0, 0.1, 0.0, -2.5e-300;
  const std::string csv = lg::graph::to_csv(w, {"a", "b,c"});
  std::istringstream in(csv);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  REQUIRE(lines.size() == 3);  // header + L rows
  CHECK(lines[0] == "label,a,\"b,c\"");
  // %.17g of 1/3 and 0.1 (IEEE doubles): 0.33333333333333331, 0.10000000000000001
  CHECK(lines[1] == "a,0.33333333333333331,0.10000000000000001");
  CHECK(lines[2].rfind("\"b,c\",0,", 0) == 0);
  // Every value reads back to the same double.
  const auto row0 = split(lines[1], ',');
  CHECK(std::stod(row0[1]) == w(0, 0));
  CHECK(std::stod(row0[2]) == w(0, 1));
  CHECK(std::stod(split(lines[2], ',').back()) == w(1, 1));
  CHECK_THROWS_AS(lg::graph::to_csv(w, {"a"}), lg::Error);
}

TEST_CASE("export: JSON nodes and edges", "[graph]") {
  LabelGraph g = small(true);
  g.set_communities({0, 0, 1, 2});
  const auto j = nlohmann::json::parse(lg::graph::to_json(g, "conditional", {"a note"}));
  CHECK(j["directed"] == true);
  CHECK(j["weighting"] == "conditional");
  CHECK(j["notes"] == nlohmann::json::array({"a note"}));
  REQUIRE(j["nodes"].size() == 4);
  CHECK(j["nodes"][1]["name"] == "b \"quoted\"");
  CHECK(j["nodes"][1]["id"] == 1);
  CHECK(j["nodes"][1]["count"] == 25);
  CHECK(j["nodes"][1]["frequency"].get<double>() == Approx(0.125));  // 25 / 200
  CHECK(j["nodes"][1]["irlbl"].get<double>() == Approx(4.0));        // 100 / 25
  CHECK(j["nodes"][2]["community"] == 1);
  REQUIRE(j["edges"].size() == 3);
  CHECK(j["edges"][2]["source"] == 1);
  CHECK(j["edges"][2]["target"] == 0);
  CHECK(j["edges"][2]["weight"] == 1.0);

  // Undirected: each pair once; frequency null for unknown n; community null when not set.
  const LabelGraph u(lg::test::matrix({{0, 0.5}, {1.0, 0}}), stats_of({3, 1}, 0, {"x", "y"}),
                     false);
  const auto ju = nlohmann::json::parse(lg::graph::to_json(u, "jaccard", {}));
  CHECK(ju["directed"] == false);
  REQUIRE(ju["edges"].size() == 1);
  CHECK(ju["edges"][0]["weight"] == 1.0);
  CHECK(ju["nodes"][0]["frequency"].is_null());
  CHECK(ju["nodes"][0]["community"].is_null());
}

TEST_CASE("export: DOT carries the figure's attributes", "[graph]") {
  FigureStyle style;
  style.title = "tiny <set>";
  style.weighting = "conditional P(j | i)";
  style.engine = "circo";
  style.notes = {"top-k = 1 per label: 3 of 9 edges hidden"};
  const std::string dot = lg::graph::to_dot(small(true), style);
  CHECK(dot.rfind("digraph \"labelgraph\" {", 0) == 0);
  CHECK_THAT(dot, Catch::Contains("layout=circo"));
  // one node statement per label (d too: hide_isolated is off), names escaped
  CHECK(count(dot, "  n0 [label=\"a\"") == 1);
  CHECK_THAT(dot, Catch::Contains(R"(n1 [label="b \"quoted\"")"));
  CHECK_THAT(dot, Catch::Contains(R"(n2 [label="c\\d")"));
  CHECK_THAT(dot, Catch::Contains("n3 [label=\"d\""));
  // three arrows; widths scale |w| from 0.2 .. 1.0 onto 0.3 .. 4: 0.5 -> 0.3 + 3.7 * 0.375
  CHECK(count(dot, " -> ") == 3);
  CHECK_THAT(dot, Catch::Contains("n1 -> n0 [penwidth=4.00"));
  CHECK_THAT(dot, Catch::Contains("n0 -> n2 [penwidth=0.30"));
  CHECK_THAT(dot, Catch::Contains("n0 -> n1 [penwidth=1.69"));
  // node width: area by count, 0.9 inch for the most frequent, sqrt(25/100) * 0.9 = 0.45,
  // the floor 0.12 for d (count 0)
  CHECK_THAT(dot, Catch::Contains("n0 [label=\"a\", width=0.900"));
  CHECK_THAT(dot, Catch::Contains("width=0.450"));
  CHECK_THAT(dot, Catch::Contains("n3 [label=\"d\", width=0.120"));
  // legend: escaped title, the note, the arrow meaning
  CHECK_THAT(dot, Catch::Contains("<B>tiny &lt;set&gt;</B>"));
  CHECK_THAT(dot, Catch::Contains("top-k = 1 per label: 3 of 9 edges hidden"));
  CHECK_THAT(dot, Catch::Contains("arrow i → j"));

  // Undirected: `graph`, `--`, two merged edges; hiding isolated labels drops d.
  style.hide_isolated = true;
  style.legend = false;
  const std::string u = lg::graph::to_dot(small(false), style);
  CHECK(u.rfind("graph \"labelgraph\" {", 0) == 0);
  CHECK(count(u, " -- ") == 2);
  CHECK(count(u, " -> ") == 0);
  CHECK(count(u, "n3 [") == 0);
  CHECK(count(u, "label=<") == 0);
}

TEST_CASE("export: DOT colours by community or IRLbl", "[graph]") {
  LabelGraph g = small(false);
  g.set_communities({1, 0, 1, 9});
  FigureStyle style;
  style.color = lg::graph::NodeColor::Community;
  style.modularity = 0.25;
  const std::string dot = lg::graph::to_dot(g, style);
  // Paul Tol light: community 0 #77AADD, 1 #EE8866; beyond the palette grey.
  CHECK_THAT(dot, Catch::Contains("n0 [label=\"a\", width=0.900, fillcolor=\"#EE8866\""));
  CHECK_THAT(dot, Catch::Contains("fillcolor=\"#77AADD\""));
  CHECK_THAT(dot, Catch::Contains("n3 [label=\"d\", width=0.120, fillcolor=\"#DDDDDD\""));
  CHECK_THAT(dot, Catch::Contains("modularity 0.250"));
  // IRLbl: a has IRLbl 1 (first class), c has the largest (25, last class), d count 0 grey.
  style.color = lg::graph::NodeColor::Irlbl;
  const std::string irl = lg::graph::to_dot(g, style);
  CHECK_THAT(irl, Catch::Contains("n0 [label=\"a\", width=0.900, fillcolor=\"#FFF7BC\""));
  // (c's width: sqrt(4 / 100) * 0.9 = 0.18)
  CHECK_THAT(irl, Catch::Contains(R"(n2 [label="c\\d", width=0.180, fillcolor="#EC7014")"));
  CHECK_THAT(irl, Catch::Contains("fillcolor=\"#DDDDDD\""));
}
