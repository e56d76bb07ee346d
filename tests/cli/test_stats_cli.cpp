// `labelgraph stats` end to end (the built binary): JSON keys and values, every format,
// --out, errors, the shared input options, and the published figures of emotions, scene and yeast.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/input_options.hpp"
#include "helpers.hpp"

namespace {
using lg::test::run_labelgraph;
using nlohmann::json;

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

std::string tiny() { return quoted(lg::test::fixture("stats/tiny.arff")); }

std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

TEST_CASE("stats cli: json has exactly the documented keys", "[cli]") {
  const auto r = run_labelgraph("stats " + tiny() + " --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json j = json::parse(r.out);
  std::set<std::string> keys;
  for (const auto& item : j.items()) keys.insert(item.key());
  const std::set<std::string> expected = {
      "instances", "features",     "labels", "cardinality", "density",    "distinct_labelsets",
      "meanir",    "maxir",        "cvir",   "scumble",     "tcs",        "empty_rows",
      "empty_labels", "missing_values", "rows_with_missing", "per_label"};
  CHECK(keys == expected);
  REQUIRE(j["per_label"].size() == 4);
  for (const auto& label : j["per_label"]) {
    std::set<std::string> lk;
    for (const auto& item : label.items()) lk.insert(item.key());
    CHECK(lk == std::set<std::string>{"name", "count", "frequency", "irlbl", "minority"});
  }
  // The hand-computed figures of tests/data/test_statistics.cpp, at full precision.
  CHECK(j["instances"] == 6);
  CHECK(j["features"] == 5);
  CHECK(j["missing_values"] == 0);
  CHECK(j["rows_with_missing"] == 0);
  CHECK(j["distinct_labelsets"] == 5);
  CHECK(j["meanir"].get<double>() == Approx(19.0 / 9.0).epsilon(1e-15));
  CHECK(j["tcs"].get<double>() == Approx(std::log(100.0)).epsilon(1e-15));
  CHECK(j["per_label"][2]["name"] == "c");
  CHECK(j["per_label"][2]["minority"] == true);
  CHECK(j["per_label"][3]["irlbl"] == 0.0);
}

TEST_CASE("stats cli: text, md, csv and latex print the summary and the per-label table",
          "[cli]") {
  std::map<std::string, std::string> out;
  for (const std::string format : {"text", "md", "csv", "latex"}) {
    INFO("format " << format);
    const auto r = run_labelgraph("stats " + tiny() + " --format " + format);
    INFO(r.err);
    REQUIRE(r.status == 0);
    for (const char* word : {"cardinality", "scumble", "tcs", "irlbl", "minority"})
      CHECK(r.out.find(word) != std::string::npos);
    out[format] = r.out;
  }
  CHECK(out["text"].find("1.333") != std::string::npos);  // cardinality 4/3 to 3 decimals
  CHECK(out["md"].find("|---:|") != std::string::npos);
  CHECK(out["csv"].find("\n6,5,4,1.3333333333333333,") != std::string::npos);  // full precision
  CHECK(out["latex"].find("\\toprule") != std::string::npos);
  CHECK(out["latex"].find("distinct\\_labelsets") != std::string::npos);
}

TEST_CASE("stats cli: --out writes the file, nothing on stdout", "[cli]") {
  lg::test::TempDir dir;
  const auto out = dir / "stats.json";
  const auto r = run_labelgraph("stats " + tiny() + " --format json --out " + quoted(out));
  REQUIRE(r.status == 0);
  CHECK(r.out.empty());
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(json::parse(ss.str())["instances"] == 6);
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()),
                      std::filesystem::directory_iterator()) == 1);
}

TEST_CASE("stats cli: bad options give a non-zero exit", "[cli]") {
  CHECK(run_labelgraph("stats " + tiny() + " --no-such-option").status != 0);
  CHECK(run_labelgraph("stats " + tiny() + " --format xls").status != 0);
  CHECK(run_labelgraph("stats").status != 0);
  CHECK(run_labelgraph("stats " + tiny() + " --xml a.xml --labels 3").status != 0);
  CHECK(run_labelgraph("stats " + tiny() + " --labels 0").status != 0);
  CHECK(run_labelgraph("stats " + tiny() + " --missing maybe").status != 0);
  const auto help = run_labelgraph("stats --help");
  CHECK(help.status == 0);
  CHECK(help.out.find("--format") != std::string::npos);
  CHECK(help.out.find("SCUMBLE") != std::string::npos);
}

TEST_CASE("stats cli: a missing file is a one-line error naming it", "[cli]") {
  lg::test::TempDir dir;
  const auto missing = dir / "no-such-file.arff";
  const auto r = run_labelgraph("stats " + quoted(missing));
  CHECK(r.status != 0);
  CHECK(r.out.empty());
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find("no-such-file.arff") != std::string::npos);
}

// ---- published figures through the CLI (reference doc §2) ----

namespace {

struct Expect {
  int n, features, labels, distinct;
  double card, dens, meanir, maxir, cvir, scumble, tcs;
};

void check_json(const json& j, const Expect& e, double maxir_margin = 0.0005) {
  const double m = 0.0005;
  CHECK(j["instances"] == e.n);
  CHECK(j["features"] == e.features);
  CHECK(j["labels"] == e.labels);
  CHECK(j["distinct_labelsets"] == e.distinct);
  CHECK(j["cardinality"].get<double>() == Approx(e.card).margin(m));
  CHECK(j["density"].get<double>() == Approx(e.dens).margin(m));
  CHECK(j["meanir"].get<double>() == Approx(e.meanir).margin(m));
  CHECK(j["maxir"].get<double>() == Approx(e.maxir).margin(maxir_margin));
  CHECK(j["cvir"].get<double>() == Approx(e.cvir).margin(m));
  CHECK(j["scumble"].get<double>() == Approx(e.scumble).margin(m));
  CHECK(j["tcs"].get<double>() == Approx(e.tcs).margin(m));
}

/// `stats FILES --format json` on shared files; false if one is missing.
bool stats_json(const std::vector<std::string>& files, json& out, const std::string& extra = "") {
  std::string args = "stats" + extra;
  for (const std::string& f : files) {
    const auto p = lg::test::shared_file(f);
    if (!p) return false;
    args += " " + quoted(*p);
  }
  const auto r = run_labelgraph(args + " --format json");
  INFO(args << "\n" << r.err);
  REQUIRE(r.status == 0);
  out = json::parse(r.out);
  return true;
}

const Expect kEmotions{593, 72, 6, 27, 1.868, 0.311, 1.478, 1.784, 0.180, 0.011, 9.364};
const Expect kScene{2407, 294, 6, 15, 1.074, 0.179, 1.254, 1.464, 0.122, 0.000, 10.183};
const Expect kYeast{2417, 103, 14, 198, 4.237, 0.303, 7.197, 53.41, 1.884, 0.104, 12.562};

}  // namespace

TEST_CASE("stats cli: emotions, scene, yeast (train + test) match the published table",
          "[cli]") {
  json j;
  if (stats_json({"emotions/emotions-train.arff", "emotions/emotions-test.arff"}, j))
    check_json(j, kEmotions);
  if (const auto xml = lg::test::shared_file("emotions/emotions.xml"))
    if (stats_json({"emotions/emotions-train.arff", "emotions/emotions-test.arff"}, j,
                   " --xml " + quoted(*xml)))
      check_json(j, kEmotions);
  if (stats_json({"scene/scene-train.arff", "scene/scene-test.arff"}, j)) check_json(j, kScene);
  if (stats_json({"yeast/yeast-train.arff", "yeast/yeast-test.arff"}, j))
    check_json(j, kYeast, 0.005);
}

TEST_CASE("stats cli: MEKA's Scene and Yeast match the published table", "[cli]") {
  json j;
  if (stats_json({"meka/Scene.arff"}, j)) check_json(j, kScene);
  if (stats_json({"meka/Yeast.arff"}, j)) check_json(j, kYeast, 0.005);
  if (stats_json({"meka/Music.arff"}, j)) CHECK(j["instances"] == 592);
}

// ---- the shared input options, parsed in-process ----

TEST_CASE("input options: command line to reader options", "[cli]") {
  auto parse = [](std::vector<std::string> argv) {
    CLI::App app;
    lg::cli::InputArgs args;
    lg::cli::add_input_options(&app, args);
    std::reverse(argv.begin(), argv.end());  // CLI11 takes the arguments in reverse
    app.parse(argv);
    return std::make_pair(args, lg::cli::to_read_options(args));
  };
  {
    const auto [args, opts] = parse({"a.csv", "--label-columns", "x,y", "b.csv", "--missing", "impute"});
    CHECK(args.inputs == std::vector<std::string>{"a.csv", "b.csv"});
    CHECK(opts.labels.columns == std::vector<std::string>{"x", "y"});
    CHECK(opts.missing == lg::MissingPolicy::ImputeMean);
    CHECK_FALSE(opts.labels.count.has_value());
    CHECK(opts.labels.xml.empty());
  }
  {
    const auto [args, opts] = parse({"--labels", "-14", "Yeast.arff"});
    CHECK(opts.labels.count == -14);
    CHECK(opts.missing == lg::MissingPolicy::Error);
  }
  {
    const auto [args, opts] = parse({"d.arff", "--xml", "d.xml", "--label-prefix", "tag_"});
    CHECK(opts.labels.xml == "d.xml");
    CHECK(opts.labels.prefix == "tag_");
  }
  CHECK_THROWS_AS(parse({"d.arff", "--xml", "d.xml", "--labels", "3"}), CLI::ParseError);
  CHECK_THROWS_AS(parse({"d.arff", "--labels", "0"}), CLI::ParseError);
  CHECK_THROWS_AS(parse({"d.arff", "--missing", "drop"}), CLI::ParseError);
  CHECK_THROWS_AS(parse({}), CLI::ParseError);
}
