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
