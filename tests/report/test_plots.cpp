// report/gnuplot.hpp's four-file figures and the figure kinds of report/plots.hpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "helpers.hpp"
#include "report/gnuplot.hpp"
#include "report/plots.hpp"

namespace fs = std::filesystem;

namespace {


lg::report::BandFigure sample_band() {
  lg::report::BandFigure f;
  f.title = "toy: macro_F1 & more against k";  // '_' and '&' must come out as written
  f.x_label = "k";
  f.panels = {{"first", "macro-F1",
               {{"a", {1, 2, 4}, {0.5, 0.6, 0.55}, {0.1, 0.0, std::nan("")}},
                {"b's", {1, 2, 4}, {0.4, std::nan(""), 0.45}, {}}}},
              {"second", "Hamming loss", {{"a", {1, 2}, {0.2, 0.1}, {0.01, 0.02}}}}};
  return f;
}

/// Run `gnuplot NAME.gp` in `dir` as a user would (no arguments).
int rerun_gnuplot(const fs::path& dir, const std::string& name) {
  const std::string command = "cd '" + dir.string() + "' && gnuplot " + name + ".gp 2>/dev/null";
  return std::system(command.c_str());
}

}  // namespace

TEST_CASE("band figure: data blocks, deterministic files, and a script that re-makes the SVG",
          "[report][figures]") {
  lg::test::TempDir tmp;
  const lg::report::WrittenFigure w = lg::report::write_band_figure(tmp / "fig", "sweep", sample_band());
  const fs::path dat = tmp / "fig" / "sweep.dat";
  const fs::path gp = tmp / "fig" / "sweep.gp";
  REQUIRE(fs::exists(dat));
  REQUIRE(fs::exists(gp));
  // x mean sd mean-sd mean+sd; a NaN sd (or no sd) gives a band of zero width.
  const auto rows = lg::test::dat_rows(dat);
  REQUIRE(rows.size() == 8);
  CHECK(rows[0] == std::vector<std::string>{"1", "0.5", "0.1", "0.4", "0.6"});
  CHECK(rows[1] == std::vector<std::string>{"2", "0.6", "0", "0.6", "0.6"});
  CHECK(rows[2] == std::vector<std::string>{"4", "0.55", "NaN", "0.55", "0.55"});
  CHECK(rows[4] == std::vector<std::string>{"2", "NaN", "NaN", "NaN", "NaN"});
  CHECK(rows[6] == std::vector<std::string>{"1", "0.2", "0.01", "0.19", "0.21000000000000002"});
  const std::string script = lg::test::read_file(gp);
  CHECK(script.find("datafile = (exists(\"ARG3\") && ARG3 ne \"\") ? ARG3 : 'sweep.dat'") != std::string::npos);
  CHECK(script.find("'toy: macro\\_F1 \\& more against k'") != std::string::npos);
  CHECK(script.find("'b''s'") != std::string::npos);
  // Same inputs, same bytes.
  const std::string dat_text = lg::test::read_file(dat);
  lg::report::write_band_figure(tmp / "fig", "sweep", sample_band());
  CHECK(lg::test::read_file(dat) == dat_text);
  CHECK(lg::test::read_file(gp) == script);
  if (lg::report::find_gnuplot().empty()) {
    WARN("gnuplot not installed: the SVG and PDF parts are not checked");
    CHECK(!w.drawn);
    return;
  }
  REQUIRE(w.drawn);
  REQUIRE(w.files.size() == 4);
  const fs::path svg = tmp / "fig" / "sweep.svg";
  const std::string svg_text = lg::test::read_file(svg);
  CHECK(svg_text.find("<svg") != std::string::npos);
  CHECK(svg_text.find("macro_F1 &amp; more") != std::string::npos);
  CHECK(lg::test::read_file(tmp / "fig" / "sweep.pdf").rfind("%PDF", 0) == 0);
  // The user's rerun, in the folder, without arguments: the same SVG.
  fs::remove(svg);
  fs::remove(tmp / "fig" / "sweep.pdf");
  REQUIRE(rerun_gnuplot(tmp / "fig", "sweep") == 0);
  CHECK(lg::test::read_file(svg) == svg_text);
  CHECK(fs::file_size(tmp / "fig" / "sweep.pdf") > 0);
  // No temporary file is left.
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(tmp / "fig")) {
    ++files;
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
  }
  CHECK(files == 4);
  // Writing the same figure again keeps the drawn files (a rerun of a finished grid); other
  // numbers draw again.
  lg::report::write_band_figure(tmp / "fig", "sweep", sample_band());
  std::ofstream(svg) << "marker";
  lg::report::write_band_figure(tmp / "fig", "sweep", sample_band());
  CHECK(lg::test::read_file(svg) == "marker");
  lg::report::BandFigure other = sample_band();
  other.panels[0].series[0].mean[0] = 0.25;
  lg::report::write_band_figure(tmp / "fig", "sweep", other);
  CHECK(lg::test::read_file(svg).find("<svg") != std::string::npos);
}

TEST_CASE("band figure: bad series are refused", "[report][figures]") {
  lg::test::TempDir tmp;
  lg::report::BandFigure f = sample_band();
  f.panels[0].series[0].mean.pop_back();
  CHECK_THROWS_WITH(lg::report::write_band_figure(tmp.path(), "x", f),
                    Catch::Contains("series 'a' has 3 x values, 2 means"));
  f = sample_band();
  f.panels[1].series[0].x = {2, 1};
  CHECK_THROWS_WITH(lg::report::write_band_figure(tmp.path(), "x", f), Catch::Contains("must increase"));
  CHECK_THROWS_WITH(lg::report::write_band_figure(tmp.path(), "x", lg::report::BandFigure{}),
                    Catch::Contains("no panels"));
  CHECK_THROWS_WITH(lg::report::write_band_figure(tmp.path(), "../x", sample_band()),
                    Catch::Contains("only letters"));
}

TEST_CASE("label figure: labels by training count, bars or points with a running mean",
          "[report][figures]") {
  lg::test::TempDir tmp;
  lg::report::LabelValueFigure f;
  f.title = "toy";
  f.y_label = "AP";
  f.labels = {"rare", "often", "mid dle", "also_often"};
  f.train_count = {2, 50, 10, 50};
  f.series_names = {"BR", "CC"};
  f.values = {{0.1, 0.9, 0.5, 0.8}, {0.2, std::nan(""), 0.4, 0.7}};
  lg::report::write_label_value_figure(tmp.path(), "ap", f);
  // Most frequent first, ties in label order: often, also_often, mid dle, rare.
  auto rows = lg::test::dat_rows(tmp / "ap.dat");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == std::vector<std::string>{"1", "50", "0.9", "NaN", "\"often\""});
  CHECK(rows[1] == std::vector<std::string>{"2", "50", "0.8", "0.7", "\"also_often\""});
  CHECK(rows[2] == std::vector<std::string>{"3", "10", "0.5", "0.4", "\"mid", "dle\""});
  CHECK(rows[3] == std::vector<std::string>{"4", "2", "0.1", "0.2", "\"rare\""});
  CHECK(lg::test::read_file(tmp / "ap.gp").find("histogram") != std::string::npos);
  // Above the bar limit: points and a running mean (window 5, centred, over defined values).
  f.bar_limit = 3;
  lg::report::write_label_value_figure(tmp.path(), "ap", f);
  rows = lg::test::dat_rows(tmp / "ap.dat");
  REQUIRE(rows[0].size() == 7);
  // Rank 1's window holds ranks 1..3: BR (0.9 + 0.8 + 0.5) / 3, CC (0.7 + 0.4) / 2.
  CHECK(std::stod(rows[0][4]) == Approx((0.9 + 0.8 + 0.5) / 3));
  CHECK(std::stod(rows[0][5]) == Approx(0.55));
  CHECK(lg::test::read_file(tmp / "ap.gp").find("histogram") == std::string::npos);
  f.train_count.pop_back();
  CHECK_THROWS_WITH(lg::report::write_label_value_figure(tmp.path(), "ap", f),
                    Catch::Contains("3 training counts"));
}

TEST_CASE("heat map: the matrix in the given order, blocks, averaging above the limit",
          "[report][figures]") {
  lg::test::TempDir tmp;
  lg::report::HeatMapFigure f;
  f.title = "toy";
  f.colour_label = "count";
  f.names = {"a", "b", "c", "d"};
  f.values = {std::nan(""), 3, 0, 0, 3, std::nan(""), 0, 1, 0, 0, std::nan(""), 5, 0, 1, 5, std::nan("")};
  f.blocks = {{0, 2}, {2, 4}};
  lg::report::write_heat_map_figure(tmp.path(), "heat", f);
  auto rows = lg::test::dat_rows(tmp / "heat.dat");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == std::vector<std::string>{"0", "3", "0", "0"});
  CHECK(rows[3] == std::vector<std::string>{"0", "1", "5", "0"});
  const std::string dat = lg::test::read_file(tmp / "heat.dat");
  CHECK(dat.find("[0, 2) [2, 4)") != std::string::npos);
  const std::string gp = lg::test::read_file(tmp / "heat.gp");
  CHECK(gp.find("set object 2 rect from 1.5,1.5 to 3.5,3.5") != std::string::npos);
  // Two cells a side: squares of 2 x 2 averaged, block edges scaled.
  f.max_cells = 2;
  lg::report::write_heat_map_figure(tmp.path(), "heat", f);
  rows = lg::test::dat_rows(tmp / "heat.dat");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == std::vector<std::string>{"1.5", "0.25"});
  CHECK(rows[1] == std::vector<std::string>{"0.25", "2.5"});
  CHECK(lg::test::read_file(tmp / "heat.gp").find("set object 2 rect from 0.5,0.5 to 1.5,1.5") != std::string::npos);
  f.blocks = {{3, 5}};
  CHECK_THROWS_WITH(lg::report::write_heat_map_figure(tmp.path(), "heat", f), Catch::Contains("not inside"));
}
