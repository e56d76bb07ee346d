// ARFF reader errors: one test per bad-input class, each naming the file and the line.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "helpers.hpp"
#include "io/arff_reader.hpp"

using lg::ReadOptions;
using lg::test::TempDir;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::string error_of(const fs::path& path, const ReadOptions& options = {}) {
  try {
    lg::read_arff(path, options);
  } catch (const lg::Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Five attributes, the first two labels (MEKA -C 2); line 7 is @data, rows from line 8.
const std::string kHeader =
    "@relation 'bad: -C 2'\n"      // 1
    "@attribute y1 {0,1}\n"        // 2
    "@attribute y2 {0,1}\n"        // 3
    "@attribute a numeric\n"       // 4
    "@attribute b numeric\n"       // 5
    "@attribute c {x,y}\n"         // 6
    "@data\n";                     // 7

}  // namespace

TEST_CASE("ARFF error: missing @data", "[io][arff]") {
  TempDir tmp;
  const auto msg = error_of(tmp.write("nodata.arff", "@relation r\n@attribute a numeric\n% end\n"));
  CHECK_THAT(msg, Contains("nodata.arff:3:") && Contains("@data"));
  // Rows without @data before them.
  const auto msg2 = error_of(tmp.write("nodata2.arff", "@relation r\n@attribute a numeric\n1\n"));
  CHECK_THAT(msg2, Contains("nodata2.arff:3:") && Contains("missing @data"));
}

TEST_CASE("ARFF error: wrong value count in a row", "[io][arff]") {
  TempDir tmp;
  CHECK_THAT(error_of(tmp.write("few.arff", kHeader + "1,0,1.5,2,x\n0,1,2\n")),
             Contains("few.arff:9:") && Contains("expected 5 values") && Contains("found 3"));
  CHECK_THAT(error_of(tmp.write("many.arff", kHeader + "1,0,1.5,2,x,7,8\n")),
             Contains("many.arff:8:") && Contains("expected 5 values") && Contains("found 7"));
}

TEST_CASE("ARFF error: label attribute not {0,1}", "[io][arff]") {
  TempDir tmp;
  const std::string text = "@relation 'r: -C 1'\n@attribute y {a,b}\n@attribute f numeric\n@data\na,1\n";
  CHECK_THAT(error_of(tmp.write("label.arff", text)),
             Contains("label.arff:2:") && Contains("'y'") && Contains("{0,1}") && Contains("{a,b}"));
  const std::string str = "@relation 'r: -C -1'\n@attribute f numeric\n@attribute y string\n@data\n1,a\n";
  CHECK_THAT(error_of(tmp.write("label2.arff", str)), Contains("label2.arff:3:") && Contains("string"));
}

TEST_CASE("ARFF error: label value other than 0/1, or missing", "[io][arff]") {
  TempDir tmp;
  const std::string numeric = "@relation 'r: -C 1'\n@attribute y numeric\n@attribute f numeric\n@data\n1,1\n2,1\n";
  CHECK_THAT(error_of(tmp.write("value.arff", numeric)), Contains("value.arff:6:") && Contains("expected 0 or 1"));
  ReadOptions impute;
  impute.missing = lg::MissingPolicy::ImputeMean;
  CHECK_THAT(error_of(tmp.write("qlabel.arff", kHeader + "?,0,1,2,x\n"), impute),
             Contains("qlabel.arff:8:") && Contains("label 'y1'") && Contains("'?'"));
}

TEST_CASE("ARFF error: XML label absent from the ARFF", "[io][arff]") {
  TempDir tmp;
  const fs::path arff = tmp.write("absent.arff", kHeader + "1,0,1,2,x\n");
  tmp.write("absent.xml", "<labels>\n<label name=\"y1\"/>\n<label name=\"zz\"/>\n</labels>\n");
  const auto msg = error_of(arff);
  CHECK_THAT(msg, Contains("absent.xml:3:") && Contains("'zz'") && Contains("absent.arff"));
}

TEST_CASE("ARFF error: -C beyond the attribute count", "[io][arff]") {
  TempDir tmp;
  const std::string text = "% c\n@relation 'r: -C 9 -R'\n@attribute y {0,1}\n@attribute f numeric\n@data\n1,2\n";
  CHECK_THAT(error_of(tmp.write("count.arff", text)),
             Contains("count.arff:2:") && Contains("9 labels") && Contains("2 attributes"));
  const std::string neg = "@relation 'r: -C -3'\n@attribute y {0,1}\n@attribute f numeric\n@data\n1,2\n";
  CHECK_THAT(error_of(tmp.write("count2.arff", neg)), Contains("count2.arff:1:") && Contains("3 labels"));
  const std::string junk = "@relation 'r: -C x'\n@attribute y {0,1}\n@data\n1\n";
  CHECK_THAT(error_of(tmp.write("count3.arff", junk)), Contains("count3.arff:1:") && Contains("integer after -C"));
}

TEST_CASE("ARFF error: no label declaration at all", "[io][arff]") {
  TempDir tmp;
  const auto msg = error_of(tmp.write("nolabels.arff", "@relation r\n@attribute y {0,1}\n@data\n1\n"));
  CHECK_THAT(msg, Contains("nolabels.arff") && Contains("no label declaration") && Contains("--xml") &&
                      Contains("--labels n") && Contains("-C n"));
}

TEST_CASE("ARFF error: non-numeric value", "[io][arff]") {
  TempDir tmp;
  CHECK_THAT(error_of(tmp.write("nan.arff", kHeader + "1,0,1.5,2,x\n\n1,0,abc,2,y\n")),
             Contains("nan.arff:10:") && Contains("'a'") && Contains("expected a number") && Contains("'abc'"));
  CHECK_THAT(error_of(tmp.write("nan2.arff", kHeader + "1,0,1.5e,2,x\n")), Contains("nan2.arff:8:") && Contains("'1.5e'"));
  CHECK_THAT(error_of(tmp.write("empty_value.arff", kHeader + "1,0,,2,x\n")),
             Contains("empty_value.arff:8:") && Contains("found nothing"));
}

TEST_CASE("ARFF error: malformed sparse pair", "[io][arff]") {
  TempDir tmp;
  CHECK_THAT(error_of(tmp.write("pair.arff", kHeader + "{0 1,2 1.5}\n{0 1,3}\n")),
             Contains("pair.arff:9:") && Contains("malformed sparse pair"));
  CHECK_THAT(error_of(tmp.write("pair2.arff", kHeader + "{0 1,x 1}\n")),
             Contains("pair2.arff:8:") && Contains("malformed sparse pair"));
  CHECK_THAT(error_of(tmp.write("pair3.arff", kHeader + "{0 1,2 1.5\n")),
             Contains("pair3.arff:8:") && Contains("expected ',' or '}'"));
  CHECK_THAT(error_of(tmp.write("pair4.arff", kHeader + "{0 1,0 0}\n")),
             Contains("pair4.arff:8:") && Contains("given twice"));
}

TEST_CASE("ARFF error: sparse index out of range", "[io][arff]") {
  TempDir tmp;
  CHECK_THAT(error_of(tmp.write("range.arff", kHeader + "{0 1}\n% x\n{0 1,5 2}\n")),
             Contains("range.arff:10:") && Contains("index 5 out of range") && Contains("0 to 4"));
}

TEST_CASE("ARFF error: duplicate attribute name", "[io][arff]") {
  TempDir tmp;
  const std::string text = "@relation r\n@attribute a numeric\n\n@attribute 'a' real\n@data\n";
  CHECK_THAT(error_of(tmp.write("dup.arff", text)),
             Contains("dup.arff:4:") && Contains("duplicate attribute name 'a'") && Contains("line 2"));
}

TEST_CASE("ARFF error: unterminated quote", "[io][arff]") {
  TempDir tmp;
  CHECK_THAT(error_of(tmp.write("quote.arff", "@relation r\n@attribute 'a b numeric\n@data\n")),
             Contains("quote.arff:2:") && Contains("unterminated quote"));
  CHECK_THAT(error_of(tmp.write("quote2.arff", kHeader + "1,0,1,2,'x\n")),
             Contains("quote2.arff:8:") && Contains("unterminated quote"));
  CHECK_THAT(error_of(tmp.write("quote3.arff", "@relation 'r\n@attribute a numeric\n@data\n")),
             Contains("quote3.arff:1:") && Contains("unterminated quote"));
}

TEST_CASE("ARFF error: empty file", "[io][arff]") {
  TempDir tmp;
  CHECK_THAT(error_of(tmp.write("empty.arff", "")), Contains("empty.arff: ") && Contains("empty file"));
  CHECK_THAT(error_of(tmp.write("comments.arff", "% only\n\n% comments\n")),
             Contains("comments.arff: ") && Contains("empty file"));
}

TEST_CASE("ARFF error: missing file", "[io][arff]") {
  TempDir tmp;
  CHECK_THAT(error_of(tmp / "absent.arff"), Contains("absent.arff: ") && Contains("no such file"));
  CHECK_THAT(error_of(tmp.path()), Contains("expected an ARFF file"));
  ReadOptions o;
  o.labels.xml = tmp / "gone.xml";
  CHECK_THAT(error_of(tmp.write("ok.arff", kHeader), o), Contains("gone.xml: ") && Contains("no such file"));
}

TEST_CASE("ARFF error: unknown attribute type", "[io][arff]") {
  TempDir tmp;
  CHECK_THAT(error_of(tmp.write("type.arff", "@relation r\n@attribute a numeric\n@attribute b relational\n@data\n")),
             Contains("type.arff:3:") && Contains("unknown type") && Contains("'relational'"));
  CHECK_THAT(error_of(tmp.write("type2.arff", "@relation r\n@attribute a\n@data\n")),
             Contains("type2.arff:2:") && Contains("expected a type"));
  CHECK_THAT(error_of(tmp.write("kw.arff", "@relation r\n@attrib a numeric\n@data\n")),
             Contains("kw.arff:2:") && Contains("'@attrib'"));
  CHECK_THAT(error_of(tmp.write("nominal.arff", "@relation r\n@attribute a {x,y\n@data\n")),
             Contains("nominal.arff:2:") && Contains("expected ',' or '}'"));
}

TEST_CASE("ARFF error: value not among a nominal's values", "[io][arff]") {
  TempDir tmp;
  CHECK_THAT(error_of(tmp.write("nominal_value.arff", kHeader + "1,0,1,2,z\n")),
             Contains("nominal_value.arff:8:") && Contains("'c'") && Contains("{x,y}") && Contains("'z'"));
  CHECK_THAT(error_of(tmp.write("label_value.arff", kHeader + "{0 1,1 2}\n")),
             Contains("label_value.arff:8:") && Contains("'y2'") && Contains("'2'"));
}

TEST_CASE("ARFF error: missing value under the error policy", "[io][arff]") {
  TempDir tmp;
  CHECK_THAT(error_of(tmp.write("missing.arff", kHeader + "1,0,?,2,x\n")),
             Contains("missing.arff:8:") && Contains("'a'") && Contains("'?'"));
}
