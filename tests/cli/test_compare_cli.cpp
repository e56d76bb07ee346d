// labelgraph compare: Demšar's worked example end to end (from a table of published values),
// small real runs merged into one table, the refusals (other data, other split, one label
// twice), another tool's prediction file alongside a run, and the LaTeX output.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>

#include "helpers.hpp"
#include "io/score_reader.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
namespace fs = std::filesystem;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

nlohmann::json json_of(const fs::path& file) {
  const std::string text = lg::test::read_file(file);
  REQUIRE_FALSE(text.empty());
  return nlohmann::json::parse(text);
}

// Demšar 2006, Table 6 (AUC), voting's C4.5+cf 0.9751 as in tests/eval/test_significance.cpp.
std::string demsar_csv() {
  const char* sets[] = {"adult", "breast_cancer", "wisconsin", "cmc", "ionosphere",
                        "iris", "liver", "lung_cancer", "lymphography", "mushroom",
                        "primary_tumor", "rheum", "voting", "wine"};
  const double auc[14][4] = {
      {0.763, 0.768, 0.771, 0.798}, {0.599, 0.591, 0.590, 0.569}, {0.954, 0.971, 0.968, 0.967},
      {0.628, 0.661, 0.654, 0.657}, {0.882, 0.888, 0.886, 0.898}, {0.936, 0.931, 0.916, 0.931},
      {0.661, 0.668, 0.609, 0.685}, {0.583, 0.583, 0.563, 0.625}, {0.775, 0.838, 0.866, 0.875},
      {1.000, 1.000, 1.000, 1.000}, {0.940, 0.962, 0.965, 0.962}, {0.619, 0.666, 0.614, 0.669},
      {0.972, 0.981, 0.9751, 0.975}, {0.957, 0.978, 0.946, 0.970}};
  const char* algorithms[] = {"C4.5", "C4.5+m", "C4.5+cf", "C4.5+m+cf"};
  std::string csv = "dataset,algorithm,measure,mean\n";
  for (int d = 0; d < 14; ++d)
    for (int a = 0; a < 4; ++a) csv += fmt::format("{},{},macro_auc,{}\n", sets[d], algorithms[a], auc[d][a]);
  return csv;
}

/// A config of two generated data sets (3 folds) with the given algorithms.
std::string config(const fs::path& out, const std::string& algorithms, int folds = 3,
                   int seed = 7) {
  std::string text = fmt::format("[experiment]\nname = \"t\"\nseed = {}\noutput = \"{}\"\n"
                                 "[graph]\nenabled = false\n",
                                 seed, out.string());
  for (const char* name : {"syn1", "syn2"})
    text += fmt::format("[[datasets]]\nname = \"{}\"\n[datasets.synthetic]\nrows = 240\n"
                        "labels = 6\nfeatures = 10\n[datasets.split]\nmethod = \"iterative\"\n"
                        "folds = {}\n",
                        name, folds);
  return text + algorithms;
}

const char* kBrLp = "[[algorithms]]\nname = \"br\"\nlabel = \"BR\"\n"
                    "[[algorithms]]\nname = \"lp\"\nlabel = \"LP\"\n";
const char* kCcKnn = "[[algorithms]]\nname = \"cc\"\nlabel = \"CC\"\n"
                     "[[algorithms]]\nname = \"mlknn\"\nlabel = \"ML-kNN\"\nk = 5\n";
const char* kBr = "[[algorithms]]\nname = \"br\"\nlabel = \"BR\"\n";

void run_config(const lg::test::TempDir& tmp, const std::string& name, const std::string& text) {
  const fs::path file = tmp.write(name + ".toml", text);
  const auto r = lg::test::run_labelgraph("run " + q(file) + " --threads 1");
  INFO(r.err);
  REQUIRE(r.status == 0);
}

}  // namespace

TEST_CASE("compare: Demsar's worked example from a table of published values", "[cli]") {
  lg::test::TempDir tmp;
  const fs::path values = tmp.write("demsar.csv", demsar_csv());
  const fs::path out = tmp / "out";
  const auto r = lg::test::run_labelgraph("compare --values " + q(values) +
                                          " --measures macro_auc --baseline C4.5 --out " + q(out));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("macro_auc (14 data sets, 4 algorithms, baseline C4.5)"));
  CHECK_THAT(r.out, Contains("published values"));
  for (const char* f : {"macro_auc.tex", "macro_auc.md", "macro_auc.csv", "macro_auc.json",
                        "macro_auc-vs-baseline.tex", "macro_auc-vs-baseline.json", "ranks.json",
                        "friedman.json", "friedman.tex", "cd-macro_auc.svg", "cd-macro_auc.pdf"})
    CHECK(fs::exists(out / f));

  // Demšar §3.2.2: average ranks 3.143, 2.000, 2.893, 1.964; chi2_F = 9.28, F_F = 3.69,
  // CD = 1.25 at 0.05 (k = 4, N = 14).
  const auto friedman = json_of(out / "friedman.json");
  REQUIRE(friedman.size() == 1);
  CHECK(std::round(friedman[0]["chi2"].get<double>() * 100) / 100 == 9.28);
  CHECK(std::round(friedman[0]["iman_davenport_f"].get<double>() * 100) / 100 == 3.69);
  CHECK(std::round(friedman[0]["nemenyi_cd"].get<double>() * 100) / 100 == 1.25);
  CHECK(friedman[0]["datasets"] == 14);
  const auto ranks = json_of(out / "ranks.json");
  REQUIRE(ranks.size() == 4);
  CHECK(ranks[0]["algorithm"] == "C4.5");
  CHECK_THAT(ranks[0]["macro_auc_rank"].get<double>(), WithinAbs(44.0 / 14, 1e-12));
  CHECK_THAT(ranks[1]["macro_auc_rank"].get<double>(), WithinAbs(2.0, 1e-12));
  CHECK_THAT(ranks[2]["macro_auc_rank"].get<double>(), WithinAbs(40.5 / 14, 1e-12));
  CHECK_THAT(ranks[3]["macro_auc_rank"].get<double>(), WithinAbs(27.5 / 14, 1e-12));
  const auto table = json_of(out / "macro_auc.json");
  REQUIRE(table.size() == 16);
  CHECK(table[14]["dataset"] == "average rank");
  CHECK_THAT(table[14]["C4.5+m+cf"].get<double>(), WithinAbs(27.5 / 14, 1e-12));

  // Against C4.5, Holm over 3 comparisons (hand computation in tests/report/
  // test_paper_table.cpp): raw p 0.010968, 0.861262, 0.015874 -> 0.032905, 0.861262, 0.032905.
  const auto versus = json_of(out / "macro_auc-vs-baseline.json");
  REQUIRE(versus.size() == 3);
  CHECK(versus[0]["algorithm"] == "C4.5+m");
  CHECK(versus[0]["wins"] == 10);
  CHECK(versus[0]["ties"] == 2);
  CHECK(versus[0]["losses"] == 2);
  CHECK_THAT(versus[0]["p_holm"].get<double>(), WithinAbs(3 * 0.01096849656422473, 1e-9));
  CHECK_THAT(versus[2]["p_holm"].get<double>(), WithinAbs(3 * 0.01096849656422473, 1e-9));
  CHECK_THAT(versus[1]["p_holm"].get<double>(), WithinAbs(0.861262330095348, 1e-9));
  CHECK(versus[0]["significant"] == "better");
  CHECK(versus[1]["significant"] == "no");

  // The LaTeX: booktabs, escaped names, best per data set bold, marks with their meaning.
  const std::string tex = lg::test::read_file(out / "macro_auc.tex");
  CHECK_THAT(tex, Contains("\\toprule") && Contains("\\bottomrule"));
  CHECK_THAT(tex, Contains("breast\\_cancer & \\textbf{0.599} & 0.591 & 0.590 & 0.569 \\\\"));
  CHECK_THAT(tex, Contains("10/2/2$^{\\circ}$"));
  CHECK_THAT(tex, Contains("$^{\\bullet}$ ($^{\\circ}$): C4.5 is significantly better (worse)"));

  // It compiles (pdflatex with booktabs), when TeX is installed.
  if (std::system("command -v pdflatex >/dev/null 2>&1") == 0) {
    tmp.write("paper.tex", "\\documentclass{article}\n\\usepackage{booktabs}\n"
                           "\\begin{document}\n\\input{out/macro_auc.tex}\n"
                           "\\input{out/macro_auc-vs-baseline.tex}\n\\input{out/friedman.tex}\n"
                           "\\end{document}\n");
    const std::string cmd = "cd " + q(tmp.path()) +
                            " && pdflatex -interaction=nonstopmode -halt-on-error paper.tex "
                            ">latex.log 2>&1";
    const int status = std::system(cmd.c_str());
    INFO(lg::test::read_file(tmp / "latex.log"));
    CHECK(status == 0);
    CHECK(fs::exists(tmp / "paper.pdf"));
  } else {
    WARN("pdflatex not installed: the LaTeX was checked for its structure only");
  }

  // The same input twice: identical files (reproducible).
  const auto again = lg::test::run_labelgraph("compare --values " + q(values) +
                                              " --measures macro_auc --baseline C4.5 --out " +
                                              q(tmp / "again"));
  REQUIRE(again.status == 0);
  for (const char* f : {"macro_auc.tex", "macro_auc.csv", "macro_auc-vs-baseline.md", "friedman.csv"})
    CHECK(lg::test::read_file(out / f) == lg::test::read_file(tmp / "again" / f));
}

TEST_CASE("compare: two real runs in one table; refusals of other data, other splits, a label "
          "twice",
          "[cli][experiment]") {
  lg::test::TempDir tmp;
  const fs::path a = tmp / "runA", b = tmp / "runB", c = tmp / "runC", d = tmp / "runD",
                 e = tmp / "runE";
  run_config(tmp, "a", config(a, kBrLp));
  run_config(tmp, "b", config(b, kCcKnn));

  const fs::path out = tmp / "cmp";
  auto r = lg::test::run_labelgraph("compare " + q(a) + " " + q(b) +
                                    " --baseline BR --measures micro_f1,hamming_loss --format "
                                    "md,json,latex --out " +
                                    q(out));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("micro_f1 (2 data sets, 4 algorithms, baseline BR)"));
  CHECK_THAT(r.out, Contains("hamming_loss (2 data sets, 4 algorithms, baseline BR)"));
  // One table: rows syn1, syn2; columns BR, LP (run A) and CC, ML-kNN (run B), each cell the
  // run's own mean ± sd over its 3 folds.
  const auto table = json_of(out / "micro_f1.json");
  REQUIRE(table.size() == 4);
  CHECK(table[0]["dataset"] == "syn1");
  CHECK(table[1]["dataset"] == "syn2");
  const auto summary_a = json_of(a / "tables/summary.json");
  const auto summary_b = json_of(b / "tables/summary.json");
  auto mean_in = [](const nlohmann::json& summary, const std::string& dataset,
                    const std::string& algorithm, const std::string& measure) {
    for (const auto& row : summary)
      if (row["dataset"] == dataset && row["algorithm"] == algorithm && row["measure"] == measure)
        return row["mean"].get<double>();
    return std::nan("");
  };
  CHECK(table[0]["BR"].get<double>() == mean_in(summary_a, "syn1", "BR", "micro_f1"));
  CHECK(table[1]["ML-kNN"].get<double>() == mean_in(summary_b, "syn2", "ML-kNN", "micro_f1"));
  CHECK(table[0].contains("BR_sd"));
  CHECK(fs::exists(out / "cd-micro_f1.svg"));
  CHECK(fs::exists(out / "hamming_loss-vs-baseline.md"));
  // With 2 data sets no Wilcoxon mark is possible; the note says so.
  CHECK_THAT(lg::test::read_file(out / "micro_f1.md"),
             Contains("With 2 data sets the smallest two-sided Wilcoxon p is 0.5000"));

  // BR again in another folder: the same label twice on the same data set is refused...
  run_config(tmp, "c", config(c, kBr));
  r = lg::test::run_labelgraph("compare " + q(a) + " " + q(c) + " --out " + q(tmp / "x"));
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains("algorithm 'BR' on data set 'syn1' comes from both") &&
                        Contains(a.string()) && Contains(c.string()) && Contains("--rename"));
  CHECK_FALSE(fs::exists(tmp / "x"));
  // ... unless renamed.
  r = lg::test::run_labelgraph("compare " + q(a) + " " + q(c) + " --rename " + q(c.string() + ":BR=BR-2") +
                               " --measures micro_f1 --out " + q(tmp / "renamed"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(json_of(tmp / "renamed/micro_f1.json")[0].contains("BR-2"));
  // A rename of a label the folder does not have is an error.
  r = lg::test::run_labelgraph("compare " + q(a) + " " + q(c) + " --rename " +
                               q(c.string() + ":XX=YY") + " --out " + q(tmp / "y"));
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains("has no algorithm labelled 'XX'"));

  // Another generator seed: other data. Refused, naming both folders and what differs.
  run_config(tmp, "d", config(d, kCcKnn, 3, 8));
  r = lg::test::run_labelgraph("compare " + q(a) + " " + q(d) + " --out " + q(tmp / "z"));
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains("data set 'syn1' differs between " + a.string() + " and " + d.string()) &&
                        Contains("different data checksums") &&
                        Contains("generator_seed = 7") && Contains("generator_seed = 8"));
  CHECK_FALSE(fs::exists(tmp / "z"));

  // Same data, 2 folds instead of 3: another split. Refused.
  run_config(tmp, "e", config(e, kCcKnn, 2));
  r = lg::test::run_labelgraph("compare " + q(a) + " " + q(e) + " --out " + q(tmp / "w"));
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains("differs between " + a.string() + " and " + e.string()) &&
                        Contains("different splits") && Contains("folds = 3") &&
                        Contains("folds = 2"));

  // An algorithm missing on a data set, a folder that is not a result folder, a bad baseline.
  r = lg::test::run_labelgraph("compare " + q(a) + " --baseline SVM --out " + q(tmp / "v"));
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains("--baseline SVM: not among the algorithms compared (BR, LP)"));
  r = lg::test::run_labelgraph("compare " + q(tmp.path()) + " --out " + q(tmp / "v"));
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains("not a labelgraph result folder"));
}

TEST_CASE("compare: another tool's prediction file beside a run on a given split", "[cli][experiment]") {
  lg::test::TempDir tmp;
  for (const auto& [name, seed, rows] : {std::tuple{"train", 1, 200}, std::tuple{"test", 2, 80}}) {
    const auto s = lg::test::run_labelgraph(
        fmt::format("synth --rows {} --labels 5 --features 8 --seed {} --out {}", rows, seed,
                    q(tmp / (std::string(name) + ".arff"))));
    REQUIRE(s.status == 0);
  }
  const fs::path run = tmp / "run";
  run_config(tmp, "given",
             fmt::format("[experiment]\nseed = 3\noutput = \"{}\"\n[graph]\nenabled = false\n"
                         "[split]\nmethod = \"given\"\n[[datasets]]\nname = \"toy\"\n"
                         "files = [\"{}\", \"{}\"]\n{}",
                         run.string(), (tmp / "train.arff").string(),
                         (tmp / "test.arff").string(), kBrLp));

  // "Another tool": perfect scores on the 80 test rows (the truth with 0.9 / 0.1).
  const lg::TruthFile truth = lg::read_truth_matrix((tmp / "test.arff").string());
  REQUIRE(truth.labels.rows() == 80);
  std::string csv;
  for (lg::Index i = 0; i < truth.labels.rows(); ++i)
    for (lg::Index l = 0; l < truth.labels.cols(); ++l)
      csv += (truth.labels(i, l) ? "0.9" : "0.1") + std::string(l + 1 < truth.labels.cols() ? "," : "\n");
  const fs::path scores = tmp.write("oracle.csv", csv);

  auto r = lg::test::run_labelgraph("compare " + q(run) + " --predictions " +
                                    q("Oracle:toy=" + scores.string()) + " --truth " +
                                    q("toy=" + (tmp / "test.arff").string()) +
                                    " --baseline BR --measures micro_f1,hamming_loss --format "
                                    "json,md --out " +
                                    q(tmp / "out"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto table = json_of(tmp / "out/micro_f1.json");
  REQUIRE(table.size() == 3);  // toy, average rank, W/T/L
  CHECK(table[0]["dataset"] == "toy");
  CHECK(table[0]["Oracle"].get<double>() == 1.0);
  CHECK(table[1]["Oracle"].get<double>() == 1.0);  // rank 1
  CHECK(json_of(tmp / "out/hamming_loss.json")[0]["Oracle"].get<double>() == 0.0);
  CHECK_THAT(r.out, Contains("micro_f1 (1 data set, 3 algorithms, baseline BR)"));
  CHECK_FALSE(fs::exists(tmp / "out/cd-micro_f1.svg"));  // one data set: no CD diagram

  // A truth of other rows than the run's test set: refused as another split.
  std::string short_csv = csv.substr(0, csv.find('\n') + 1);
  const fs::path short_scores = tmp.write("short.csv", short_csv);
  std::string short_truth;
  for (lg::Index l = 0; l < truth.labels.cols(); ++l)
    short_truth += std::to_string(truth.labels(0, l)) + (l + 1 < truth.labels.cols() ? "," : "\n");
  const fs::path short_truth_file = tmp.write("short-truth.csv", short_truth);
  r = lg::test::run_labelgraph("compare " + q(run) + " --predictions " +
                               q("Oracle:toy=" + short_scores.string()) + " --truth " +
                               q("toy=" + short_truth_file.string()) + " --out " + q(tmp / "bad"));
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains("different splits") && Contains("one test set of 1 rows") &&
                        Contains("80 test rows"));
  // A prediction without a truth, and a malformed --predictions.
  r = lg::test::run_labelgraph("compare " + q(run) + " --predictions " +
                               q("Oracle:toy=" + scores.string()) + " --out " + q(tmp / "bad"));
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains("no --truth for data set 'toy'"));
  r = lg::test::run_labelgraph("compare " + q(run) + " --predictions " + q(scores) + " --out " +
                               q(tmp / "bad"));
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Contains("expected ALGORITHM:DATASET=SCORES_FILE"));
}
