// Critical-difference diagrams: the groups of Demšar's example (JMLR 2006, §3.2.2) at both
// levels, and the SVG / PDF / PNG files: SVG parses as XML and names every algorithm, the PDF's
// text (pdftotext, when installed) holds every name, the PNG has the PNG signature and size.
#include <catch2/catch.hpp>

#include <tinyxml2.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "helpers.hpp"
#include "report/cd_diagram.hpp"

namespace {
using namespace lg::report;
namespace fs = std::filesystem;

// Demšar 2006 §3.2.2: average ranks of C4.5, C4.5+m, C4.5+cf, C4.5+m+cf over 14 data sets
// (rank sums 44, 28, 40.5, 27.5); CD = q_alpha sqrt(4·5/(6·14)) with q = 2.569 / 2.291.
const std::vector<double> kRanks = {44.0 / 14, 28.0 / 14, 40.5 / 14, 27.5 / 14};
const std::vector<std::string> kNames = {"C4.5", "C4.5+m", "C4.5+cf", "C4.5+m+cf"};
const double kCd05 = 2.569 * std::sqrt(20.0 / 84.0);  // 1.254
const double kCd10 = 2.291 * std::sqrt(20.0 / 84.0);  // 1.118

CdDiagram demsar(double cd) {
  CdDiagram d;
  d.names = kNames;
  d.average_ranks = kRanks;
  d.critical_difference = cd;
  d.title = "AUC over 14 data sets";
  return d;
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename());
  return out;
}

}  // namespace

TEST_CASE("cd diagram: groups of Demsar's example", "[report]") {
  // By rank: m+cf 1.964, m 2.000, cf 2.893, C4.5 3.143 (indices 3, 1, 2, 0).
  // At 0.05 (CD 1.254) the whole span 3.143 − 1.964 = 1.179 < CD: one group of all four.
  CHECK(cd_groups(kRanks, kCd05) == std::vector<std::vector<std::size_t>>{{3, 1, 2, 0}});
  // At 0.10 (CD 1.118): from m+cf, 2.893 − 1.964 = 0.929 < CD but 1.179 is not: {m+cf, m, cf};
  // from m, 3.143 − 2.000 = 1.143 >= CD: {m, cf} lies inside the first; from cf: {cf, C4.5}.
  CHECK(cd_groups(kRanks, kCd10) == std::vector<std::vector<std::size_t>>{{3, 1, 2}, {2, 0}});
  // No CD, or one smaller than every gap: no groups (single algorithms get no bar).
  CHECK(cd_groups(kRanks, 0.0).empty());
  CHECK(cd_groups(kRanks, 0.03).empty());  // the closest pair differs by 0.036
  CHECK(cd_groups(kRanks, 0.04) == std::vector<std::vector<std::size_t>>{{3, 1}});
}

TEST_CASE("cd diagram: SVG parses, names every algorithm, written atomically", "[report]") {
  lg::test::TempDir dir;
  CdDiagram d = demsar(kCd10);
  d.names[0] = "C4.5 <plain> & \"default\"";  // XML specials survive
  write_cd_diagram(d, dir / "cd.svg");
  CHECK(files_in(dir.path()) == std::vector<fs::path>{"cd.svg"});  // no temporary left

  tinyxml2::XMLDocument doc;
  REQUIRE(doc.LoadFile((dir / "cd.svg").string().c_str()) == tinyxml2::XML_SUCCESS);
  const tinyxml2::XMLElement* svg = doc.RootElement();
  REQUIRE(svg);
  CHECK(std::string(svg->Name()) == "svg");
  CHECK(std::string(svg->Attribute("width")).find("pt") != std::string::npos);
  const tinyxml2::XMLElement* title = svg->FirstChildElement("title");
  const tinyxml2::XMLElement* desc = svg->FirstChildElement("desc");
  REQUIRE(title);
  REQUIRE(desc);
  CHECK(std::string(title->GetText()) == "AUC over 14 data sets");
  const std::string text = desc->GetText();
  for (const std::string& name : d.names) CHECK_THAT(text, Catch::Contains(name));
  CHECK_THAT(text, Catch::Contains("C4.5+m+cf (1.96)"));
  CHECK_THAT(text, Catch::Contains("critical difference 1.118"));

  // The drawing itself: cairo draws text as glyphs placed with <use>; the names, ranks, axis
  // numbers, title and CD label hold far more than 50 glyphs.
  int uses = 0;
  const std::string raw = lg::test::read_file(dir / "cd.svg");
  for (std::size_t at = raw.find("<use"); at != std::string::npos; at = raw.find("<use", at + 1))
    ++uses;
  CHECK(uses > 50);
}

TEST_CASE("cd diagram: PDF with the names as text", "[report]") {
  lg::test::TempDir dir;
  write_cd_diagram(demsar(kCd05), dir / "cd.PDF");  // the extension in any case
  const std::string pdf = lg::test::read_file(dir / "cd.PDF");
  REQUIRE(pdf.rfind("%PDF", 0) == 0);
  if (std::system("command -v pdftotext >/dev/null 2>&1") != 0) {
    WARN("SKIPPED: pdftotext not found (poppler-utils): the PDF's text is not checked");
    return;
  }
  const std::string cmd = "pdftotext '" + (dir / "cd.PDF").string() + "' '" +
                          (dir / "cd.txt").string() + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string text = lg::test::read_file(dir / "cd.txt");
  for (const std::string& name : kNames) CHECK_THAT(text, Catch::Contains(name));
  CHECK_THAT(text, Catch::Contains("CD = 1.25"));
}

TEST_CASE("cd diagram: PNG at 2 pixels per point", "[report]") {
  lg::test::TempDir dir;
  write_cd_diagram(demsar(kCd05), dir / "cd.png");
  const std::string png = lg::test::read_file(dir / "cd.png");
  REQUIRE(png.size() > 24);
  CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  auto be32 = [&](std::size_t at) {
    unsigned value = 0;
    for (std::size_t i = 0; i < 4; ++i)
      value = value << 8 | static_cast<unsigned char>(png[at + i]);
    return value;
  };
  // IHDR width and height; the SVG of the same figure gives its size in points.
  const std::string svg = render_cd_diagram(demsar(kCd05), CdFormat::Svg);
  const auto w_at = svg.find("width=\"") + 7;
  const double width_pt = std::stod(svg.substr(w_at, svg.find("pt", w_at) - w_at));
  CHECK(be32(16) == static_cast<unsigned>(std::ceil(2 * width_pt)));
  CHECK(be32(20) > 100);
}

TEST_CASE("cd diagram: a long name widens the figure instead of overlapping", "[report]") {
  CdDiagram d = demsar(kCd05);
  const std::string short_svg = render_cd_diagram(d, CdFormat::Svg);
  d.names[3] = "a-very-long-algorithm-name-with-many-parts";  // the best: on the left
  const std::string long_svg = render_cd_diagram(d, CdFormat::Svg);
  auto width = [](const std::string& svg) {
    const auto at = svg.find("width=\"") + 7;
    return std::stod(svg.substr(at, svg.find("pt", at) - at));
  };
  CHECK(width(long_svg) > width(short_svg) + 100);
}

TEST_CASE("cd diagram: bad input is a clear error and writes nothing", "[report]") {
  lg::test::TempDir dir;
  CHECK_THROWS_WITH(write_cd_diagram(demsar(kCd05), dir / "cd.jpg"),
                    Catch::Contains("cd.jpg") && Catch::Contains(".svg, .pdf or .png"));
  CdDiagram d = demsar(kCd05);
  d.average_ranks.pop_back();
  CHECK_THROWS_WITH(write_cd_diagram(d, dir / "cd.svg"), Catch::Contains("4 names but 3"));
  d = demsar(kCd05);
  d.average_ranks[0] = 4.5;
  CHECK_THROWS_WITH(write_cd_diagram(d, dir / "cd.svg"), Catch::Contains("expected 1 to 4"));
  d = demsar(-1.0);
  CHECK_THROWS_WITH(write_cd_diagram(d, dir / "cd.svg"), Catch::Contains("critical difference"));
  d = demsar(kCd05);
  d.names = {"alone"};
  d.average_ranks = {1.0};
  CHECK_THROWS_WITH(write_cd_diagram(d, dir / "cd.svg"), Catch::Contains("at least 2"));
  CHECK(files_in(dir.path()).empty());
}

TEST_CASE("cd diagram: a CD longer than the axis stays inside the figure", "[report]") {
  // k = 2 on one data set: CD = 1.960 sqrt(2·3/6) = 1.96 > k − 1 = 1.
  CdDiagram d;
  d.names = {"x", "y"};
  d.average_ranks = {1.0, 2.0};
  d.critical_difference = 1.96;
  const std::string svg = render_cd_diagram(d, CdFormat::Svg);
  d.critical_difference = 0.5;
  const std::string small = render_cd_diagram(d, CdFormat::Svg);
  auto width = [](const std::string& s) {
    const auto at = s.find("width=\"") + 7;
    return std::stod(s.substr(at, s.find("pt", at) - at));
  };
  // The axis is 180 pt long for k = 2: the CD interval ends 0.96 · 180 pt past rank 2.
  CHECK(width(svg) > width(small) + 50);
}
