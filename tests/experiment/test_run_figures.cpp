// A run's per-data-set figures (experiment/run_figures.hpp): numbers from cells, the
// co-occurrence heat map's community order, and the files of a small run.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "experiment/run_figures.hpp"
#include "helpers.hpp"
#include "report/gnuplot.hpp"

namespace fs = std::filesystem;

namespace {


/// A cell of 2 labels ("x": 30 training rows, "y": 5) with the given curves and APs.
lg::CellResult cell(const std::string& algorithm, int fold, std::vector<double> micro,
                    double ap_x, double ap_y) {
  lg::CellResult c;
  c.dataset = "toy";
  c.algorithm = algorithm;
  c.fold = fold;
  for (const auto& [name, count, ap] : {std::tuple{"x", 30, ap_x}, std::tuple{"y", 5, ap_y}}) {
    lg::eval::LabelRow row;
    row.name = name;
    row.train_count = count;
    row.bucket = count > 10 ? "head" : "tail";
    row.measures.ap = ap;
    row.measures.has_positive = !std::isnan(ap);
    c.imbalance.labels.push_back(row);
  }
  lg::eval::BucketSummary tail, head;
  tail.name = "tail";
  tail.labels = 1;
  tail.min_count = tail.max_count = 5;
  head.name = "head";
  head.labels = 1;
  head.min_count = head.max_count = 30;
  c.imbalance.buckets = {tail, head};
  lg::eval::ScoreCurves k;
  k.recall_levels = {0, 1};
  k.groups = {"tail", "head", "all"};
  k.group_positives = {1, 1, 2};
  k.precision = {1, 0.5, 1, 1, 1, 0.75};
  k.thresholds = {0.25, 0.5};
  k.micro_f1 = std::move(micro);
  k.macro_f1 = {0.5, 0.5};
  k.hamming_loss = {0.1, 0.2};
  c.curves = k;
  return c;
}

}  // namespace

TEST_CASE("run figures: per-label AP and threshold curves are means and sds over cells",
          "[experiment][figures]") {
  lg::test::TempDir tmp;
  std::vector<lg::CellResult> cells = {cell("BR", 0, {0.5, 0.7}, 0.8, std::nan("")),
                                       cell("BR", 1, {0.7, 0.9}, 0.6, 0.2),
                                       cell("CC", 0, {0.6, 0.6}, 0.9, 0.3)};
  // A cell from an older record (no curves) counts for label-ap, not for the curves.
  cells.push_back(cell("CC", 1, {0, 0}, 0.7, 0.1));
  cells.back().curves.reset();
  std::vector<fs::path> written;
  const std::vector<std::string> notes =
      lg::write_cell_figures(cells, {"BR", "CC", "unused"}, "toy", tmp.path(), written);
  REQUIRE(notes.size() >= 1);
  CHECK(notes[0].find("1 of 4 cells have no curves") != std::string::npos);
  for (const char* name : {"label-ap", "pr-buckets", "threshold"})
    for (const char* ext : {".dat", ".gp"}) CHECK(fs::exists(tmp / (std::string(name) + ext)));

  // label-ap: x first (30 training rows); BR's AP of y leaves out the cell without a positive.
  auto rows = lg::test::dat_rows(tmp / "label-ap.dat");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == std::vector<std::string>{"1", "30", "0.7", "0.8", "\"x\""});
  CHECK(rows[1][0] == "2");
  CHECK(rows[1][1] == "5");
  CHECK(std::stod(rows[1][2]) == Approx(0.2));
  CHECK(std::stod(rows[1][3]) == Approx(0.2));  // CC: (0.3 + 0.1) / 2

  // threshold, panel micro-F1: BR over 2 cells: means 0.6, 0.8, sd sqrt(0.02) each; CC one cell
  // with curves: its values, no sd.
  rows = lg::test::dat_rows(tmp / "threshold.dat");
  REQUIRE(rows.size() == 12);  // 3 panels x 2 series x 2 thresholds
  CHECK(std::stod(rows[0][1]) == Approx(0.6));
  CHECK(std::stod(rows[0][2]) == Approx(std::sqrt(0.02)));
  CHECK(std::stod(rows[1][1]) == Approx(0.8));
  CHECK(rows[2] == std::vector<std::string>{"0.25", "0.6", "NaN", "0.6", "0.6"});
  const std::string th = lg::test::read_file(tmp / "threshold.dat");
  CHECK(th.find("series \"BR (2 cells)\"") != std::string::npos);
  CHECK(th.find("series \"CC (1 cell)\"") != std::string::npos);
  // pr-buckets: a panel per bucket and "all", x = the recall levels.
  rows = lg::test::dat_rows(tmp / "pr-buckets.dat");
  REQUIRE(rows.size() == 12);
  CHECK(rows[0][0] == "0");
  CHECK(rows[1] == std::vector<std::string>{"1", "0.5", "0", "0.5", "0.5"});
  CHECK(lg::test::read_file(tmp / "pr-buckets.gp").find("tail (1 label, 5 training rows)") != std::string::npos);
}

TEST_CASE("run figures: the co-occurrence heat map follows planted communities",
          "[experiment][figures]") {
  // 9 labels in three planted groups {0, 3, 6}, {1, 4, 7}, {2, 5, 8}: every row carries two
  // labels of one group, never labels of two groups. Group g has 40 + 20 g rows. The three
  // communities are equally large, so they are numbered by their lowest label: {0, 3, 6} first.
  std::mt19937 rng(7);
  std::vector<std::vector<int>> rows;
  for (int g = 0; g < 3; ++g)
    for (int r = 0; r < 40 + 20 * g; ++r) {
      const int a = static_cast<int>(rng() % 3), b = (a + 1 + static_cast<int>(rng() % 2)) % 3;
      rows.push_back({g + 3 * a, g + 3 * b});
    }
  lg::LabelMatrix y = lg::LabelMatrix::Zero(static_cast<lg::Index>(rows.size()), 9);
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (const int l : rows[i]) y(static_cast<lg::Index>(i), l) = 1;
  std::vector<std::string> names;
  for (int l = 0; l < 9; ++l) names.push_back("L" + std::to_string(l));
  lg::test::TempDir tmp;
  lg::Context ctx;
  ctx.threads = 1;
  lg::write_cooccurrence_figure(y, names, lg::graph::LabelGraphSpec{}, 1, ctx, "planted", tmp.path());
  const std::string dat = lg::test::read_file(tmp / "cooccurrence.dat");
  CHECK(dat.find("[0, 3) [3, 6) [6, 9)") != std::string::npos);
  // The order: each block of three positions holds one planted group, the largest first.
  std::vector<int> order;
  std::istringstream in(dat);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("# ", 0) == 0 && line.find(": L") != std::string::npos)
      order.push_back(std::stoi(line.substr(line.find(": L") + 3)));
  REQUIRE(order.size() == 9);
  for (int block = 0; block < 3; ++block) {
    std::set<int> groups;
    for (int i = 0; i < 3; ++i) groups.insert(order[static_cast<std::size_t>(3 * block + i)] % 3);
    CHECK(groups.size() == 1);
  }
  CHECK(order[0] % 3 == 0);
  CHECK(order[8] % 3 == 2);
  // Off-block entries are 0 (no row mixes groups), the diagonal is left out.
  const auto m = lg::test::dat_rows(tmp / "cooccurrence.dat");
  REQUIRE(m.size() == 9);
  for (std::size_t i = 0; i < 9; ++i)
    for (std::size_t j = 0; j < 9; ++j) {
      INFO(i << ", " << j);
      if (i == j || i / 3 != j / 3) CHECK(m[i][j] == "0");
      else CHECK(std::stod(m[i][j]) > 0);
    }
}

TEST_CASE("run figures: community order sorts by community then training count",
          "[experiment][figures]") {
  std::vector<std::pair<std::size_t, std::size_t>> blocks;
  const auto order = lg::community_order({1, 0, 1, 2, 0}, {5, 1, 9, 3, 1}, &blocks);
  CHECK(order == std::vector<std::size_t>{1, 4, 2, 0, 3});
  CHECK(blocks == std::vector<std::pair<std::size_t, std::size_t>>{{0, 2}, {2, 4}, {4, 5}});
}

TEST_CASE("run figures: a small run writes every figure as .dat, .gp, .svg and .pdf",
          "[experiment][figures][cli]") {
  lg::test::TempDir tmp;
  const auto cfg = tmp.write("small.toml", R"(
[experiment]
name = "small"
seed = 3
threads = 1
[split]
method = "kfold"
folds = 2
[[datasets]]
name = "toy set"
[datasets.synthetic]
rows = 200
labels = 6
features = 8
[[algorithms]]
name = "br"
[[algorithms]]
name = "mlknn"
k = 5
)");
  const auto r = lg::test::run_labelgraph("run '" + cfg.string() + "' --out '" + (tmp / "o").string() + "'");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const fs::path dir = tmp / "o" / "figures" / "toy_set";
  const bool drawn = !lg::report::find_gnuplot().empty();
  for (const char* name : {"label-ap", "pr-buckets", "threshold", "cooccurrence"})
    for (const char* ext : {".dat", ".gp", ".svg", ".pdf"}) {
      if (!drawn && (std::string(ext) == ".svg" || std::string(ext) == ".pdf")) continue;
      INFO(name << ext);
      CHECK(fs::file_size(dir / (std::string(name) + ext)) > 0);
    }
  // The cells keep their curves: a second run reuses them and writes the same data.
  const std::string pr = lg::test::read_file(dir / "pr-buckets.dat");
  CHECK(pr.find("br (2 cells)") != std::string::npos);
  const auto again = lg::test::run_labelgraph("run '" + cfg.string() + "' --out '" + (tmp / "o").string() + "'");
  REQUIRE(again.status == 0);
  CHECK(lg::test::read_file(dir / "pr-buckets.dat") == pr);
  if (!drawn) return;
  // Each script, run by hand in the folder, re-makes its SVG byte for byte.
  for (const char* name : {"label-ap", "pr-buckets", "threshold", "cooccurrence"}) {
    INFO(name);
    const std::string svg = lg::test::read_file(dir / (std::string(name) + ".svg"));
    const std::string command = "cd '" + dir.string() + "' && gnuplot " + name + ".gp 2>/dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
    CHECK(lg::test::read_file(dir / (std::string(name) + ".svg")) == svg);
  }
}
