// `labelgraph graph` end to end (the built binary): --stats on ML-GCN's COCO counts (111 edges
// at tau = 0.4, reference doc §4), figures that parse back with one node per label, the CSV
// matrix at full precision, JSON / GraphML / DOT outputs, pruning notes, and clear errors for
// bad counts files, names, engines and extensions.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <tinyxml2.h>
#include <vector>

#include "graph/graph_render.hpp"
#include "helpers.hpp"

using Catch::Matchers::Contains;

namespace {
using lg::test::run_labelgraph;
using nlohmann::json;
namespace fs = std::filesystem;

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

std::string tiny() { return quoted(lg::test::fixture("stats/tiny.arff")); }

// --cooccurrence/--label-counts/--names for ML-GCN's COCO files, or "" when they are missing.
std::string coco_counts() {
  const auto c = lg::test::shared_file("mlgcn-adj/coco_cooccurrence.csv");
  const auto n = lg::test::shared_file("mlgcn-adj/coco_label_counts.csv");
  const auto l = lg::test::shared_file("mlgcn-adj/coco_labels.txt");
  if (!c || !n || !l) return {};
  return "--cooccurrence " + quoted(*c) + " --label-counts " + quoted(*n) + " --names " +
         quoted(*l);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The text of every <g class="node"> of a Graphviz SVG, in document order.
std::vector<std::string> svg_node_texts(const std::string& svg) {
  tinyxml2::XMLDocument doc;
  REQUIRE(doc.Parse(svg.data(), svg.size()) == tinyxml2::XML_SUCCESS);
  std::vector<std::string> out;
  std::vector<const tinyxml2::XMLElement*> stack = {doc.RootElement()};
  while (!stack.empty()) {
    const auto* e = stack.back();
    stack.pop_back();
    const char* cls = e->Attribute("class");
    if (std::string(e->Name()) == "g" && cls != nullptr && std::string(cls) == "node") {
      std::string text;
      std::vector<const tinyxml2::XMLElement*> inner = {e};
      while (!inner.empty()) {
        const auto* t = inner.back();
        inner.pop_back();
        if (std::string(t->Name()) == "text" && t->GetText() != nullptr) text += t->GetText();
        for (const auto* c = t->FirstChildElement(); c; c = c->NextSiblingElement())
          inner.push_back(c);
      }
      out.push_back(text);
    }
    std::vector<const tinyxml2::XMLElement*> children;
    for (const auto* c = e->FirstChildElement(); c; c = c->NextSiblingElement())
      children.push_back(c);
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
  return out;
}

void check_one_line_error(const lg::test::CliResult& r) {
  CHECK(r.status != 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_THAT(r.err, Contains("labelgraph: error: "));
}

}  // namespace

TEST_CASE("graph cli: COCO counts at tau 0.4 have 111 directed edges", "[cli]") {
  const std::string counts = coco_counts();
  if (counts.empty()) return;
  const auto r = run_labelgraph("graph " + counts + " --weighting mlgcn-binary --tau 0.4 --stats");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json j = json::parse(r.out);
  std::set<std::string> keys;
  for (const auto& item : j.items()) keys.insert(item.key());
  CHECK(keys == std::set<std::string>{"nodes", "edges", "density", "components", "top_pairs"});
  CHECK(j["nodes"] == 80);
  CHECK(j["edges"] == 111);  // reference doc §4: "COCO 111"
  CHECK(j["density"].get<double>() == Approx(111.0 / (80.0 * 79.0)).epsilon(1e-15));
  REQUIRE(j["top_pairs"].size() == 10);
  for (const auto& p : j["top_pairs"]) CHECK(p["weight"] == 1.0);
  // Weak components of the binary graph are at least 1 and at most 80.
  CHECK(j["components"].get<int>() >= 1);
  CHECK(j["components"].get<int>() < 80);
}

TEST_CASE("graph cli: the mlgcn-coco catalog entry reads the same counts", "[cli]") {
  if (coco_counts().empty()) return;
  const auto r = run_labelgraph("graph mlgcn-coco --weighting mlgcn-binary --stats");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(json::parse(r.out)["edges"] == 111);
}

TEST_CASE("graph cli: --communities adds modularity, CSV is the L x L matrix", "[cli]") {
  const std::string counts = coco_counts();
  if (counts.empty()) return;
  lg::test::TempDir tmp;
  const auto r = run_labelgraph("graph " + counts +
                                " --weighting mlgcn-reference --communities "
                                "--stats --out " +
                                quoted(tmp / "coco.csv"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json j = json::parse(r.out);
  CHECK(j["modularity"].get<double>() > 0.0);
  CHECK(j["modularity"].get<double>() < 1.0);
  CHECK(j["communities"].get<int>() >= 2);
  const auto rows = lines_of(lg::test::read_file(tmp / "coco.csv"));
  REQUIRE(rows.size() == 81);  // header + 80 labels
  CHECK(rows[0].rfind("label,airplane,apple,backpack,", 0) == 0);
  for (std::size_t i = 1; i < rows.size(); ++i)
    CHECK(std::count(rows[i].begin(), rows[i].end(), ',') == 80);
  // airplane has no edge at tau = 0.4: its row of A' is the identity's (row sum 1, D = 1), so
  // its diagonal entry of D A'^T D is exactly 1 and the rest of its row 0.
  std::string airplane = "airplane,1";
  for (int k = 1; k < 80; ++k) airplane += ",0";
  CHECK(rows[1] == airplane);
}

TEST_CASE("graph cli: the CSV holds P(j|i) at 17 significant digits", "[cli]") {
  // tests/fixtures/stats/tiny.arff: counts a 4, b 3, c 1, d 0; {a,b} twice, {a,c} once.
  //   P(b|a) = 2/4, P(c|a) = 1/4, P(a|b) = 2/3, P(a|c) = 1/1; everything else 0.
  lg::test::TempDir tmp;
  const auto r =
      run_labelgraph("graph " + tiny() + " --weighting conditional --out " + quoted(tmp / "p.csv"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto rows = lines_of(lg::test::read_file(tmp / "p.csv"));
  REQUIRE(rows.size() == 5);
  CHECK(rows[0] == "label,a,b,c,d");
  CHECK(rows[1] == "a,0,0.5,0.25,0");
  CHECK(rows[2] == "b,0.66666666666666663,0,0,0");  // %.17g of 2/3
  CHECK(rows[3] == "c,1,0,0,0");
  CHECK(rows[4] == "d,0,0,0,0");
}

TEST_CASE("graph cli: JSON and GraphML of the tiny graph", "[cli]") {
  lg::test::TempDir tmp;
  auto r = run_labelgraph("graph " + tiny() + " --weighting jaccard --communities --out " +
                          quoted(tmp / "g.json"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json j = json::parse(lg::test::read_file(tmp / "g.json"));
  CHECK(j["directed"] == false);
  CHECK(j["weighting"] == "jaccard");
  REQUIRE(j["nodes"].size() == 4);
  CHECK(j["nodes"][0]["name"] == "a");
  CHECK(j["nodes"][0]["count"] == 4);
  CHECK(j["nodes"][0]["frequency"].get<double>() == Approx(4.0 / 6.0));
  CHECK(j["nodes"][2]["irlbl"] == 4.0);  // 4 / 1
  CHECK(j["nodes"][3]["irlbl"] == 0.0);  // d never occurs
  CHECK(j["nodes"][0]["community"].is_number());
  // Jaccard: a-b 2 / (4 + 3 - 2) = 0.4, a-c 1 / (4 + 1 - 1) = 0.25, once each (undirected).
  REQUIRE(j["edges"].size() == 2);
  CHECK(j["edges"][0]["source"] == 0);
  CHECK(j["edges"][0]["target"] == 1);
  CHECK(j["edges"][0]["weight"].get<double>() == Approx(0.4));
  CHECK(j["edges"][1]["weight"].get<double>() == Approx(0.25));

  r = run_labelgraph("graph " + tiny() + " --weighting conditional --out " +
                     quoted(tmp / "g.graphml"));
  REQUIRE(r.status == 0);
  tinyxml2::XMLDocument doc;
  const std::string xml = lg::test::read_file(tmp / "g.graphml");
  REQUIRE(doc.Parse(xml.c_str()) == tinyxml2::XML_SUCCESS);
  const auto* graph = doc.FirstChildElement("graphml")->FirstChildElement("graph");
  CHECK(std::string(graph->Attribute("edgedefault")) == "directed");
  int nodes = 0, edges = 0;
  for (const auto* n = graph->FirstChildElement("node"); n; n = n->NextSiblingElement("node"))
    ++nodes;
  for (const auto* e = graph->FirstChildElement("edge"); e; e = e->NextSiblingElement("edge"))
    ++edges;
  CHECK(nodes == 4);
  CHECK(edges == 4);  // a->b, a->c, b->a, c->a
}

TEST_CASE("graph cli: scene's figure has one node per label", "[cli]") {
  const auto train = lg::test::shared_file("scene/scene-train.arff");
  if (!train) return;
  lg::test::TempDir tmp;
  const auto r =
      run_labelgraph("graph " + quoted(*train) + " --weighting conditional --communities --out " +
                     quoted(tmp / "s.svg"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  // No Graphviz warnings, no test-file note: only the reader's notes.
  CHECK_THAT(r.err, !Contains("Graphviz") && !Contains("test file") && !Contains("Warning"));
  const auto names = svg_node_texts(lg::test::read_file(tmp / "s.svg"));
  CHECK(std::set<std::string>(names.begin(), names.end()) ==
        std::set<std::string>{"Beach", "Sunset", "FallFoliage", "Field", "Mountain", "Urban"});
  CHECK(names.size() == 6);
}

TEST_CASE("graph cli: the exported DOT renders to the same SVG", "[cli]") {
  lg::test::TempDir tmp;
  for (const char* engine : {"neato", "circo"}) {
    INFO(engine);
    const std::string base = "graph " + tiny() + " --weighting conditional --engine " + engine;
    REQUIRE(run_labelgraph(base + " --out " + quoted(tmp / "g.dot")).status == 0);
    REQUIRE(run_labelgraph(base + " --out " + quoted(tmp / "g.svg")).status == 0);
    const std::string dot = lg::test::read_file(tmp / "g.dot");
    CHECK_THAT(dot, Contains(std::string("layout=") + engine));
    CHECK(lg::graph::render_dot(dot, engine, "svg") == lg::test::read_file(tmp / "g.svg"));
  }
}

TEST_CASE("graph cli: PDF and PNG figures", "[cli]") {
  lg::test::TempDir tmp;
  REQUIRE(run_labelgraph("graph " + tiny() + " --weighting npmi --out " + quoted(tmp / "g.pdf"))
              .status == 0);
  REQUIRE(run_labelgraph("graph " + tiny() + " --weighting counts --engine fdp --out " +
                         quoted(tmp / "g.png"))
              .status == 0);
  CHECK(lg::test::read_file(tmp / "g.pdf").rfind("%PDF", 0) == 0);
  CHECK(lg::test::read_file(tmp / "g.png").rfind("\x89PNG", 0) == 0);
}

TEST_CASE("graph cli: large graphs are pruned for figures, with a note", "[cli]") {
  const auto train = lg::test::shared_file("yeast/yeast-train.arff");
  if (!train) return;
  lg::test::TempDir tmp;
  // yeast's conditional graph has 172 edges (> 150): the top 3 per label are drawn.
  auto r = run_labelgraph("graph " + quoted(*train) + " --weighting conditional --stats --out " +
                          quoted(tmp / "y.svg"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(json::parse(r.out)["edges"] == 172);  // --stats describes the whole matrix
  CHECK_THAT(r.err, Contains("top-3 edges per label") && Contains("130 of 172 edges hidden"));
  const std::string svg = lg::test::read_file(tmp / "y.svg");
  CHECK_THAT(svg, Contains("130 of 172 edges hidden"));  // the legend says so too
  CHECK(svg_node_texts(svg).size() == 14);
  // --topk 0 draws everything; CSV is never pruned.
  r = run_labelgraph("graph " + quoted(*train) + " --weighting conditional --topk 0 --out " +
                     quoted(tmp / "all.svg"));
  REQUIRE(r.status == 0);
  CHECK_THAT(r.err, !Contains("hidden"));
  r = run_labelgraph("graph " + quoted(*train) + " --weighting conditional --out " +
                     quoted(tmp / "y.csv"));
  REQUIRE(r.status == 0);
  CHECK(lines_of(lg::test::read_file(tmp / "y.csv")).size() == 15);
}

TEST_CASE("graph cli: a test file gets a note", "[cli]") {
  lg::test::TempDir tmp;
  fs::copy_file(lg::test::fixture("stats/tiny.arff"), tmp / "tiny-test.arff");
  const auto r =
      run_labelgraph("graph " + quoted(tmp / "tiny-test.arff") + " --weighting counts --stats");
  REQUIRE(r.status == 0);
  CHECK_THAT(r.err, Contains("tiny-test.arff looks like a test file"));
}

TEST_CASE("graph cli: bad counts files are one-line errors naming file and line", "[cli]") {
  lg::test::TempDir tmp;
  const auto names = tmp.write("names.txt", "a\nb\n");
  const auto counts = tmp.write("counts.csv", "5\n4\n");
  const auto run = [&](const fs::path& c, const fs::path& n, const fs::path& l) {
    return run_labelgraph("graph --cooccurrence " + quoted(c) + " --label-counts " + quoted(n) +
                          " --names " + quoted(l) + " --weighting conditional --stats");
  };
  SECTION("not square") {
    const auto r = run(tmp.write("c.csv", "0,1\n1,0,3\n"), counts, names);
    check_one_line_error(r);
    CHECK_THAT(r.err, Contains((tmp / "c.csv").string() + ":2:"));
    CHECK(r.out.empty());
  }
  SECTION("negative") {
    const auto r = run(tmp.write("c.csv", "0,-1\n-1,0\n"), counts, names);
    check_one_line_error(r);
    CHECK_THAT(r.err, Contains((tmp / "c.csv").string() + ":1:") && Contains("negative"));
  }
  SECTION("names do not match the matrix") {
    const auto r = run(tmp.write("c.csv", "0,1\n1,0\n"), counts, tmp.write("l.txt", "a\nb\nc\n"));
    check_one_line_error(r);
    CHECK_THAT(r.err, Contains((tmp / "l.txt").string()) && Contains("3 label names, expected 2"));
  }
  SECTION("half of the counts options") {
    const auto r = run_labelgraph("graph --cooccurrence " + quoted(tmp / "c.csv") +
                                  " --weighting conditional --stats");
    check_one_line_error(r);
    CHECK_THAT(r.err, Contains("--cooccurrence, --label-counts and --names"));
  }
  SECTION("counts and data files together") {
    const auto r = run_labelgraph("graph " + tiny() + " --cooccurrence " + quoted(tmp / "c.csv") +
                                  " --label-counts x --names y --weighting conditional --stats");
    check_one_line_error(r);
    CHECK_THAT(r.err, Contains("not both"));
  }
}

TEST_CASE("graph cli: unknown weighting, engine, colour or extension", "[cli]") {
  lg::test::TempDir tmp;
  const std::string base = "graph " + tiny();
  auto r = run_labelgraph(base + " --weighting cosine --stats");
  check_one_line_error(r);
  CHECK_THAT(r.err, Contains("unknown weighting 'cosine'") && Contains("conditional") &&
                        Contains("mlgcn-reference"));
  r = run_labelgraph(base + " --weighting counts --engine twopi --out " + quoted(tmp / "g.svg"));
  check_one_line_error(r);
  CHECK_THAT(r.err,
             Contains("unknown layout engine 'twopi'") && Contains("neato, sfdp, dot, circo, fdp"));
  r = run_labelgraph(base + " --weighting counts --out " + quoted(tmp / "g.jpg"));
  check_one_line_error(r);
  CHECK_THAT(r.err, Contains("g.jpg") && Contains(".svg, .pdf, .png, .dot, .graphml, .json, .csv"));
  CHECK_FALSE(fs::exists(tmp / "g.jpg"));
  r = run_labelgraph(base + " --weighting counts --color rainbow --out " + quoted(tmp / "g.svg"));
  check_one_line_error(r);
  CHECK_THAT(r.err, Contains("--color"));
  r = run_labelgraph(base + " --weighting counts");
  check_one_line_error(r);
  CHECK_THAT(r.err, Contains("--out FILE, --stats"));
  CHECK(fs::is_empty(tmp.path()));
}
