// The paper's comparison tables (report/paper_table.hpp) on Demšar's (JMLR 2006) Table 6, and
// the Table features they use: bold best along rows, marks, notes, rules before rows.
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "report/paper_table.hpp"

namespace {
using namespace lg::report;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;

// Demšar 2006, Table 6 (AUC), as in tests/eval/test_significance.cpp (voting's C4.5+cf 0.9751).
MeasureValues demsar() {
  const std::vector<std::vector<double>> auc = {
      {0.763, 0.768, 0.771, 0.798}, {0.599, 0.591, 0.590, 0.569}, {0.954, 0.971, 0.968, 0.967},
      {0.628, 0.661, 0.654, 0.657}, {0.882, 0.888, 0.886, 0.898}, {0.936, 0.931, 0.916, 0.931},
      {0.661, 0.668, 0.609, 0.685}, {0.583, 0.583, 0.563, 0.625}, {0.775, 0.838, 0.866, 0.875},
      {1.000, 1.000, 1.000, 1.000}, {0.940, 0.962, 0.965, 0.962}, {0.619, 0.666, 0.614, 0.669},
      {0.972, 0.981, 0.9751, 0.975}, {0.957, 0.978, 0.946, 0.970}};
  MeasureValues v;
  v.measure = "macro_auc";
  v.algorithms = {"C4.5", "C4.5+m", "C4.5+cf", "C4.5+m+cf"};
  for (std::size_t d = 0; d < auc.size(); ++d) {
    v.datasets.push_back("set_" + std::to_string(d + 1));
    auto& row = v.values.emplace_back();
    for (double x : auc[d]) row.push_back(lg::eval::mean_sd({x}));
  }
  return v;
}

}  // namespace

TEST_CASE("paper table: Demsar's example, Holm against C4.5 and the marks", "[report]") {
  const MeasureValues v = demsar();
  PaperOptions options;  // baseline 0 = C4.5, alpha 0.05
  const MeasureAnalysis a = analyse_measure(v, options);
  REQUIRE(a.has_friedman);
  CHECK_THAT(a.average_ranks[0], WithinAbs(44.0 / 14, 1e-12));
  CHECK_THAT(a.average_ranks[3], WithinAbs(27.5 / 14, 1e-12));
  CHECK(std::round(a.friedman.chi2 * 100) / 100 == 9.28);
  CHECK(std::round(a.friedman.iman_davenport_f * 100) / 100 == 3.69);
  CHECK(std::round(a.critical_difference * 100) / 100 == 1.25);
  // Raw two-sided Wilcoxon p against C4.5: scipy.stats.wilcoxon on the differences
  // (zero_method="zsplit", correction=False, method="approx") after dropping one zero where
  // their number is odd (Demšar; mushroom's for C4.5+cf and C4.5+m+cf): C4.5+m 0.010968
  // (n = 14), C4.5+cf 0.861262 (n = 13), C4.5+m+cf 0.015874 (n = 13).
  // Holm over m = 3, by hand: sorted 0.010968 x 3 = 0.032905; 0.015874 x 2 = 0.031749,
  // raised to the running maximum 0.032905; 0.861262 x 1 = 0.861262.
  CHECK_THAT(a.wilcoxon[1].p_value, WithinAbs(0.01096849656422473, 1e-12));
  CHECK_THAT(a.wilcoxon[2].p_value, WithinAbs(0.861262330095348, 1e-9));
  CHECK_THAT(a.wilcoxon[3].p_value, WithinAbs(0.015874359307532084, 1e-9));
  CHECK_THAT(a.p_holm[1], WithinAbs(3 * 0.01096849656422473, 1e-9));
  CHECK_THAT(a.p_holm[3], WithinAbs(3 * 0.01096849656422473, 1e-9));
  CHECK_THAT(a.p_holm[2], WithinAbs(0.861262330095348, 1e-9));
  // C4.5+m and C4.5+m+cf are significantly better than C4.5, C4.5+cf is not.
  CHECK(a.significant == std::vector<int>{0, 1, 0, 1});
  // C4.5+m vs C4.5 (Demšar's Table 2 differences): 10 better, 2 equal (lung cancer,
  // mushroom), 2 worse (breast cancer, iris); rank sums 93 and 12.
  CHECK(a.wtl[1].wins == 10);
  CHECK(a.wtl[1].ties == 2);
  CHECK(a.wtl[1].losses == 2);
  CHECK(a.r_better[1] == 93.0);
  CHECK(a.r_worse[1] == 12.0);

  const Table t = paper_table(v, a, options);
  REQUIRE(t.rows.size() == 16);  // 14 data sets, average rank, W/T/L
  const std::string latex = to_latex(t);
  // Best per data set (row) in bold: adult's 0.798 (C4.5+m+cf), breast cancer's 0.599 (C4.5).
  CHECK_THAT(latex, Contains("set\\_1 & 0.763 & 0.768 & 0.771 & \\textbf{0.798} \\\\"));
  CHECK_THAT(latex, Contains("set\\_2 & \\textbf{0.599} & 0.591 & 0.590 & 0.569 \\\\"));
  // Ties as printed are all bold (mushroom: 1.000 everywhere).
  CHECK_THAT(latex, Contains("set\\_10 & \\textbf{1.000} & \\textbf{1.000} & \\textbf{1.000} & "
                             "\\textbf{1.000} \\\\"));
  // A rule before the summary rows; the best (lowest) average rank bold.
  CHECK_THAT(latex, Contains("\\midrule\naverage rank & 3.143 & 2.000 & 2.893 & \\textbf{1.964} \\\\"));
  CHECK_THAT(latex, Contains("W/T/L vs C4.5 & baseline & 10/2/2$^{\\circ}$ & "));
  CHECK_THAT(latex, Contains("$^{\\circ}$ \\\\\n\\bottomrule"));
  // The notes: statistics and what the marks mean.
  CHECK_THAT(latex, Contains("Friedman $\\chi^2_F(3)=9.279$"));
  CHECK_THAT(latex, Contains("$F_F(3,39)=3.686$"));
  CHECK_THAT(latex, Contains("\\mathit{CD}=1.254$"));
  CHECK_THAT(latex, Contains("Holm-adjusted $p<0.05$ over the 3 comparisons"));
  CHECK_THAT(latex, Contains("\\end{tabular}\n\\par\\smallskip\n{\\footnotesize\n"));
  // No unescaped unicode in LaTeX (pdflatex without inputenc extras).
  CHECK(latex.find("•") == std::string::npos);
  CHECK(latex.find("∘") == std::string::npos);
  CHECK(latex.find("±") == std::string::npos);

  const std::string md = to_markdown(t);
  CHECK_THAT(md, Contains("| set_1 | 0.763 | 0.768 | 0.771 | **0.798** |"));
  CHECK_THAT(md, Contains("| 10/2/2∘ |"));
  CHECK_THAT(md, Contains("• (∘): C4.5 is significantly better (worse)"));
  // CSV and JSON carry the mark in its own field.
  CHECK_THAT(to_csv(t), Contains("C4.5+m,C4.5+m_mark"));
  const auto json = nlohmann::json::parse(to_json(t));
  CHECK(json[15]["C4.5+m"] == "10/2/2");
  CHECK(json[15]["C4.5+m_mark"] == "∘");
  CHECK_FALSE(json[15].contains("C4.5+cf_mark"));  // no mark in the column: no field

  const Table b = baseline_table(v, a, options);
  REQUIRE(b.rows.size() == 3);
  CHECK(b.rows[0][0].text() == "C4.5+m");
  CHECK(b.rows[0][9].text() == "better");
  CHECK(b.rows[1][9].text() == "no");

  const CdDiagram cd = measure_cd(v, a, options);
  CHECK(cd.names.size() == 4);
  CHECK_THAT(cd.critical_difference, WithinAbs(a.critical_difference, 0));
}

TEST_CASE("paper table: lower-is-better measures, a worse algorithm marked, few data sets",
          "[report]") {
  // hamming_loss, lower is better; B is worse than A on all 6 data sets: exact Wilcoxon
  // p = 2/2^6 = 0.03125; one comparison, so Holm leaves it: B gets •.
  MeasureValues v;
  v.measure = "hamming_loss";
  v.direction = lg::eval::Direction::LowerIsBetter;
  v.algorithms = {"A", "B"};
  for (int d = 0; d < 6; ++d) {
    v.datasets.push_back("d" + std::to_string(d));
    v.values.push_back({lg::eval::mean_sd({0.10 + 0.01 * d, 0.11 + 0.01 * d}),
                        lg::eval::mean_sd({0.20 + 0.02 * d, 0.22 + 0.02 * d})});
  }
  PaperOptions options;
  const MeasureAnalysis a = analyse_measure(v, options);
  CHECK(a.wilcoxon[1].exact);
  CHECK_THAT(a.p_holm[1], WithinAbs(2.0 / 64, 1e-15));
  CHECK(a.significant[1] == -1);
  CHECK(a.wtl[1].losses == 6);
  const std::string latex = to_latex(paper_table(v, a, options));
  // mean ± sd cells; the best of a lower-is-better row is the smaller mean.
  CHECK_THAT(latex, Contains("d0 & $\\mathbf{0.105 \\pm 0.007}$ & $0.210 \\pm 0.014$ \\\\"));
  CHECK_THAT(latex, Contains("0/0/6$^{\\bullet}$"));
  CHECK_THAT(latex, Contains("(lower is better)"));

  // Five data sets: the smallest exact two-sided p is 2/32 = 0.0625 >= 0.05, said in a note.
  v.datasets.pop_back();
  v.values.pop_back();
  const MeasureAnalysis five = analyse_measure(v, options);
  CHECK(five.significant[1] == 0);
  CHECK_THAT(to_markdown(paper_table(v, five, options)),
             Contains("smallest two-sided Wilcoxon p is 0.0625"));

  // One data set: no Friedman, no CD diagram; the table still comes.
  v.datasets.resize(1);
  v.values.resize(1);
  const MeasureAnalysis one = analyse_measure(v, options);
  CHECK_FALSE(one.has_friedman);
  CHECK_THAT(to_text(paper_table(v, one, options)), Contains("One data set"));
  CHECK_THROWS_AS(measure_cd(v, one, options), lg::Error);

  // One algorithm or a baseline out of range: errors.
  MeasureValues single = v;
  single.algorithms = {"A"};
  single.values = {{lg::eval::mean_sd({0.1})}};
  CHECK_THROWS_AS(analyse_measure(single, options), lg::Error);
  options.baseline = 2;
  CHECK_THROWS_AS(analyse_measure(v, options), lg::Error);
}
