// report::Table and its writers: exact expected text for each format, CSV quoting (RFC 4180),
// LaTeX escaping, JSON full precision.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "report/table.hpp"

namespace {
using namespace lg::report;

Table sample() {
  Table t;
  t.columns = {{"method", ColumnKind::Text},
               {"n", ColumnKind::Integer},
               {"score", ColumnKind::Real, 2}};
  t.add_row({"br", 12, 0.123456789});
  t.add_row({"ml-knn", 7, 10.5});
  return t;
}

}  // namespace

TEST_CASE("table: text aligns columns, numbers right, reals to the column's decimals",
          "[report]") {
  CHECK(to_text(sample()) ==
        "method   n  score\n"
        "------  --  -----\n"
        "br      12   0.12\n"
        "ml-knn   7  10.50\n");
  Table t = sample();
  t.title = "Results";
  CHECK(to_text(t).rfind("Results\nmethod", 0) == 0);
}

TEST_CASE("table: markdown", "[report]") {
  Table t = sample();
  t.add_row({"a|b", 1, Cell()});
  CHECK(to_markdown(t) ==
        "| method | n | score |\n"
        "|---|---:|---:|\n"
        "| br | 12 | 0.12 |\n"
        "| ml-knn | 7 | 10.50 |\n"
        "| a\\|b | 1 |  |\n");
}

TEST_CASE("table: csv quotes per RFC 4180 and keeps full precision", "[report]") {
  Table t = sample();
  t.add_row({"say \"hi\", twice", -3, 1.0 / 3.0});
  t.add_row({"two\nlines", 0, Cell()});
  CHECK(to_csv(t) ==
        "method,n,score\n"
        "br,12,0.123456789\n"
        "ml-knn,7,10.5\n"
        "\"say \"\"hi\"\", twice\",-3,0.3333333333333333\n"
        "\"two\nlines\",0,\n");
  // Full precision means the value reads back exactly.
  CHECK(std::stod("0.3333333333333333") == 1.0 / 3.0);
}

TEST_CASE("table: latex booktabs with escaped specials", "[report]") {
  Table t;
  t.columns = {{"name_1", ColumnKind::Text}, {"value", ColumnKind::Real, 1}};
  t.add_row({"50% & $x$ #1 {a} ~ ^ \\", 2.75});
  CHECK(to_latex(t) ==
        "\\begin{tabular}{lr}\n"
        "\\toprule\n"
        "name\\_1 & value \\\\\n"
        "\\midrule\n"
        "50\\% \\& \\$x\\$ \\#1 \\{a\\} \\textasciitilde{} \\textasciicircum{} "
        "\\textbackslash{} & 2.8 \\\\\n"
        "\\bottomrule\n"
        "\\end{tabular}\n");
  t.title = "A_b";
  const std::string with_caption = to_latex(t);
  CHECK(with_caption.rfind("\\begin{table}[ht]\n\\centering\n\\caption{A\\_b}\n", 0) == 0);
  CHECK(with_caption.find("\\end{table}\n") != std::string::npos);
}

TEST_CASE("table: json is an array of row objects, full precision", "[report]") {
  Table t = sample();
  t.add_row({"none", Cell(), 0.1 + 0.2});
  const auto j = nlohmann::json::parse(to_json(t));
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 3);
  CHECK(j[0]["method"] == "br");
  CHECK(j[0]["n"].is_number_integer());
  CHECK(j[0]["n"] == 12);
  CHECK(j[0]["score"].get<double>() == 0.123456789);
  CHECK(j[2]["n"].is_null());
  CHECK(j[2]["score"].get<double>() == 0.1 + 0.2);  // round-trips exactly
  CHECK(j[1].size() == 3);
}

TEST_CASE("table: a row of the wrong size is an error", "[report]") {
  Table t = sample();
  CHECK_THROWS_AS(t.add_row({"x", 1}), lg::Error);
  CHECK(t.rows.size() == 2);
}

TEST_CASE("table: format names", "[report]") {
  CHECK(parse_table_format("text") == TableFormat::Text);
  CHECK(parse_table_format("md") == TableFormat::Markdown);
  CHECK(parse_table_format("csv") == TableFormat::Csv);
  CHECK(parse_table_format("latex") == TableFormat::Latex);
  CHECK(parse_table_format("json") == TableFormat::Json);
  CHECK_THROWS_WITH(parse_table_format("xls"), Catch::Contains("xls") && Catch::Contains("md"));
  for (const std::string& name : table_format_names())
    CHECK_FALSE(render(sample(), parse_table_format(name)).empty());
}

// ---- measure directions, mean ± sd, best values ----

namespace {

// Two measures over three methods. micro_f1 0.8124 and 0.8121 both print 0.812: a tie as
// printed, so both are best; hamming_loss: 0.100 is best (lower), the empty cell takes no part.
Table measure_table() {
  Table t;
  t.columns = {{"method", ColumnKind::Text},
               {"micro_f1", ColumnKind::Real, 3, Better::Higher},
               {"hamming_loss", ColumnKind::Real, 3, Better::Lower}};
  t.add_row({"br", Cell::mean_sd(0.8124, 0.0101), 0.1});
  t.add_row({"cc", Cell::mean_sd(0.8121, 0.02), 0.12});
  t.add_row({"ml-knn", Cell::mean_sd(0.75, 0.005), Cell()});
  return t;
}

}  // namespace

TEST_CASE("table: mean ± sd cells", "[report]") {
  const Cell c = Cell::mean_sd(0.5, 0.25);
  CHECK(c.is_number());
  CHECK(c.has_sd());
  CHECK(c.number() == 0.5);
  CHECK(c.sd() == 0.25);
  CHECK_FALSE(Cell(0.5).has_sd());
  CHECK(Cell(0.5).sd() == 0.0);
}

TEST_CASE("table: text shows arrows and mean ± sd, aligned by characters not bytes",
          "[report]") {
  // "0.812 ± 0.010" is 13 characters (± is 2 bytes), "micro_f1 ↑" 10 (↑ is 3 bytes).
  CHECK(to_text(measure_table()) ==
        "method     micro_f1 ↑  hamming_loss ↓\n"
        "------  -------------  --------------\n"
        "br      0.812 ± 0.010           0.100\n"
        "cc      0.812 ± 0.020           0.120\n"
        "ml-knn  0.750 ± 0.005\n");
}

TEST_CASE("table: markdown bolds the best value per column, ties all bold", "[report]") {
  CHECK(to_markdown(measure_table()) ==
        "| method | micro_f1 ↑ | hamming_loss ↓ |\n"
        "|---|---:|---:|\n"
        "| br | **0.812 ± 0.010** | **0.100** |\n"
        "| cc | **0.812 ± 0.020** | 0.120 |\n"
        "| ml-knn | 0.750 ± 0.005 |  |\n");
  Table t = measure_table();
  t.highlight_best = false;
  CHECK(to_markdown(t).find("**") == std::string::npos);
}

TEST_CASE("table: csv and json carry the sd as <header>_sd", "[report]") {
  CHECK(to_csv(measure_table()) ==
        "method,micro_f1,micro_f1_sd,hamming_loss\n"
        "br,0.8124,0.0101,0.1\n"
        "cc,0.8121,0.02,0.12\n"
        "ml-knn,0.75,0.005,\n");
  Table t = measure_table();
  t.add_row({"plain", 0.5, 0.2});  // no sd: an empty sd field / null
  const auto j = nlohmann::json::parse(to_json(t));
  REQUIRE(j.size() == 4);
  CHECK(j[0]["micro_f1"].get<double>() == 0.8124);
  CHECK(j[0]["micro_f1_sd"].get<double>() == 0.0101);
  CHECK(j[0].size() == 4);  // method, micro_f1, micro_f1_sd, hamming_loss
  CHECK_FALSE(j[0].contains("hamming_loss_sd"));
  CHECK(j[2]["hamming_loss"].is_null());
  CHECK(j[3]["micro_f1"].get<double>() == 0.5);
  CHECK(j[3]["micro_f1_sd"].is_null());
  CHECK(to_csv(t).find("\nplain,0.5,,0.2\n") != std::string::npos);
  // Keys in column order, the sd right after its mean.
  const std::string text = to_json(t);
  CHECK(text.find("\"micro_f1\"") < text.find("\"micro_f1_sd\""));
  CHECK(text.find("\"micro_f1_sd\"") < text.find("\"hamming_loss\""));
}

TEST_CASE("table: best values per group of rows", "[report]") {
  Table t;
  t.columns = {{"dataset", ColumnKind::Text},
               {"method", ColumnKind::Text},
               {"loss", ColumnKind::Real, 2, Better::Lower},
               {"errors", ColumnKind::Integer, 0, Better::Lower},
               {"note", ColumnKind::Text, 0, Better::Higher}};  // text: never bold
  t.add_row({"a", "x", 0.30, 3, "z"});
  t.add_row({"a", "y", 0.20, 3, "z"});
  t.add_row({"b", "x", 0.50, 1, "z"});
  t.add_row({"b", "y", NAN, 2, "z"});  // not finite: never best
  // One group: the best loss is 0.20 (row 2), the best errors 1 (row 3).
  auto best = best_cells(t);
  CHECK(best[1][2]);
  CHECK_FALSE(best[0][2]);
  CHECK_FALSE(best[2][2]);
  CHECK(best[2][3]);
  CHECK_FALSE(best[0][3]);
  CHECK_FALSE(best[0][4]);
  // Grouped by dataset: a has 0.20 and a tie at 3 errors; b has 0.50 (the NaN is skipped).
  t.group_by = "dataset";
  best = best_cells(t);
  CHECK(best[1][2]);
  CHECK(best[2][2]);
  CHECK_FALSE(best[3][2]);
  CHECK(best[0][3]);
  CHECK(best[1][3]);
  CHECK(best[2][3]);
  CHECK_FALSE(best[3][3]);
  for (const auto& row : best) CHECK_FALSE(row[0]);

  t.group_by = "nope";
  CHECK_THROWS_WITH(best_cells(t), Catch::Contains("nope"));
}
