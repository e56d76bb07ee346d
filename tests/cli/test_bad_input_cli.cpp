// End to end: every bad-input class of the readers reaches the user as ONE line on stderr
// naming the file and the line, with a non-zero exit and nothing on stdout.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>

#include "helpers.hpp"

using Catch::Matchers::Contains;

namespace {

const char* kHeader =
    "@relation t\n"          // 1
    "@attribute f1 numeric\n"  // 2
    "@attribute f2 numeric\n"  // 3
    "@attribute y1 {0,1}\n"    // 4
    "@attribute y2 {0,1}\n"    // 5
    "@data\n";                 // 6

struct Case {
  const char* what;
  std::string text;
  std::string args;      ///< label declaration etc.
  std::string location;  ///< expected "file:line:" suffix after the file name ("" = file only)
};

void check_one_line_error(const lg::test::CliResult& r, const std::string& file, const std::string& location) {
  CHECK(r.status != 0);
  CHECK(r.out.empty());
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_THAT(r.err, Contains("labelgraph: error: "));
  CHECK_THAT(r.err, Contains(file + location));
}

}  // namespace

TEST_CASE("bad input: one-line error naming file and line, non-zero exit", "[cli][io]") {
  lg::test::TempDir tmp;
  const std::string h = kHeader;
  const std::vector<Case> cases = {
      {"missing @data", "@relation t\n@attribute f1 numeric\n@attribute y {0,1}\n1,0\n", "--labels -1", ":4:"},
      {"wrong value count", h + "1,2,0,1\n1,2,0\n", "--labels -2", ":8:"},
      {"label not {0,1}", "@relation t\n@attribute f numeric\n@attribute y {a,b}\n@data\n1,a\n", "--labels -1", ":3:"},
      {"-C beyond attributes", "@relation 'T: -C 9'\n@attribute f numeric\n@attribute y {0,1}\n@data\n1,0\n", "", ":1:"},
      {"non-numeric value", h + "1,2,0,1\n1,abc,0,1\n", "--labels -2", ":8:"},
      {"malformed sparse pair", h + "{0 1,2 1}\n{0 1,1}\n", "--labels -2", ":8:"},
      {"sparse index out of range", h + "{0 1,2 1}\n{0 1,9 1}\n", "--labels -2", ":8:"},
      {"duplicate attribute", "@relation t\n@attribute f numeric\n@attribute f numeric\n@attribute y {0,1}\n@data\n", "--labels -1", ":3:"},
      {"unterminated quote", "@relation t\n@attribute 'f numeric\n@attribute y {0,1}\n@data\n", "--labels -1", ":2:"},
      {"empty file", "", "--labels -1", ""},
  };
  for (const Case& c : cases) {
    SECTION(c.what) {
      const auto file = tmp.write("bad.arff", c.text);
      const auto r = lg::test::run_labelgraph("stats '" + file.string() + "' " + c.args);
      INFO(c.what << ": " << r.err);
      check_one_line_error(r, "bad.arff", c.location);
    }
  }
}

TEST_CASE("bad input: XML label absent from the ARFF", "[cli][io]") {
  lg::test::TempDir tmp;
  const auto arff = tmp.write("set.arff", kHeader + std::string("1,2,0,1\n"));
  const auto xml = tmp.write("set.xml",
                             "<?xml version=\"1.0\"?>\n<labels xmlns=\"http://mulan.sourceforge.net/labels\">\n"
                             "<label name=\"y1\"></label>\n<label name=\"nope\"></label>\n</labels>\n");
  const auto r = lg::test::run_labelgraph("stats '" + arff.string() + "' --xml '" + xml.string() + "'");
  INFO(r.err);
  CHECK(r.status != 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_THAT(r.err, Contains("nope"));
  CHECK(std::regex_search(r.err, std::regex("set\\.(xml|arff):[0-9]+:")));
}

TEST_CASE("bad input: a missing file is named", "[cli][io]") {
  lg::test::TempDir tmp;
  const auto r = lg::test::run_labelgraph("stats '" + (tmp / "absent.arff").string() + "' --labels 2");
  CHECK(r.status != 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_THAT(r.err, Contains("absent.arff"));
}
