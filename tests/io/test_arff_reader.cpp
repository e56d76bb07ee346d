// ARFF reader: every grammar feature on small hand-written files, values checked exactly.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.hpp"
#include "helpers.hpp"
#include "io/arff_reader.hpp"
#include "io/read_dataset.hpp"

using lg::Dataset;
using lg::Index;
using lg::ReadOptions;
using lg::test::fixture;
using lg::test::TempDir;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

using Strings = std::vector<std::string>;

ReadOptions impute() {
  ReadOptions o;
  o.missing = lg::MissingPolicy::ImputeMean;
  return o;
}

ReadOptions with_count(int n) {
  ReadOptions o;
  o.labels.count = n;
  return o;
}

// Features as a dense matrix whatever the storage.
lg::DenseFeatures features(const Dataset& d) {
  if (!d.sparse) return d.dense;
  return lg::DenseFeatures(d.csr.toDense());
}

void check_row(const Dataset& d, Index r, const std::vector<float>& x, const std::vector<int>& y) {
  const lg::DenseFeatures f = features(d);
  REQUIRE(f.cols() == static_cast<Index>(x.size()));
  REQUIRE(d.labels.cols() == static_cast<Index>(y.size()));
  for (Index c = 0; c < f.cols(); ++c) {
    INFO("row " << r << " feature " << c << " (" << d.feature_names[c] << ")");
    if (std::isnan(x[c])) CHECK(std::isnan(f(r, c)));
    else CHECK(f(r, c) == x[c]);
  }
  for (Index j = 0; j < d.labels.cols(); ++j) {
    INFO("row " << r << " label " << j << " (" << d.label_names[j] << ")");
    CHECK(int(d.labels(r, j)) == y[j]);
  }
}

bool has_note(const Dataset& d, const std::string& part) {
  for (const std::string& n : d.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("ARFF grammar: comments, quoting, case, nominal, string, date, missing", "[io][arff]") {
  const fs::path path = fixture("arff/grammar.arff");
  const Dataset d = lg::read_arff(path, impute());
  d.check_consistent();
  CHECK(d.name == "grammar test");
  CHECK(d.sources == Strings{path.string()});
  CHECK_FALSE(d.sparse);
  CHECK(d.feature_names == Strings{"a b", "x", "Swainson's x", "color=red", "color=light blue",
                                   "color=dark green", "bin"});
  // grammar.xml beside the file declares the labels, in its own order (lab2 before lab1),
  // and wins over the stale -C 2 in @relation.
  CHECK(d.label_names == Strings{"lab2", "lab1"});
  REQUIRE(d.rows() == 3);
  check_row(d, 0, {1.5f, -2.0f, 3.0f, 1, 0, 0, 1}, {0, 1});
  check_row(d, 1, {25.0f, NAN, 4.0f, 0, 1, 0, 0}, {1, 0});
  check_row(d, 2, {0.1f, 1e-3f, -7.0f, 0, 0, 1, 1}, {1, 1});
  CHECK(has_note(d, "grammar.xml"));
  CHECK(has_note(d, "-C option in @relation was ignored"));
  CHECK(has_note(d, "one-hot encoded as 'attr=value' columns: color (3 values)"));
  CHECK(has_note(d, "kept out of the features: note (string), when (date)"));
  CHECK(has_note(d, "1 nominal {0,1} feature attribute(s) read as one 0/1 column"));
}

TEST_CASE("ARFF missing values: an error by default, NaN then the training mean when imputing", "[io][arff]") {
  const fs::path path = fixture("arff/grammar.arff");
  CHECK_THROWS_WITH(lg::read_arff(path), Contains("grammar.arff:21:") && Contains("'x'") && Contains("'?'"));
  const Dataset d = lg::read_datasets({path}, impute());
  REQUIRE_FALSE(d.dense.hasNaN());
  CHECK(d.dense(1, 1) == Approx((-2.0 + 1e-3) / 2));
}

TEST_CASE("ARFF CRLF line endings, a BOM, blank lines and tabs", "[io][arff]") {
  TempDir tmp;
  const fs::path p = tmp.write("crlf.arff",
                               "\xEF\xBB\xBF%comment\r\n\r\n@relation crlf\r\n@attribute f\tnumeric\r\n"
                               "@attribute 'g h' numeric\r\n\r\n@attribute y {0,1}\r\n@data\r\n"
                               "1,\t2,1\r\n\r\n  3 ,4,0\r\n");
  const Dataset d = lg::read_arff(p, with_count(-1));
  CHECK(d.name == "crlf");
  CHECK(d.feature_names == Strings{"f", "g h"});
  REQUIRE(d.rows() == 2);
  check_row(d, 0, {1, 2}, {1});
  check_row(d, 1, {3, 4}, {0});
}

TEST_CASE("ARFF sparse rows: CSR, omitted = first nominal value, unsorted pairs, empty rows", "[io][arff]") {
  const Dataset d = lg::read_arff(fixture("arff/sparse.arff"));
  d.check_consistent();
  CHECK(d.sparse);
  CHECK(d.name == "sparse");
  CHECK(d.feature_names == Strings{"f0", "f1", "shape=circle", "shape=square", "f3"});
  CHECK(d.label_names == Strings{"y0", "y1"});  // -C -2: the last two attributes
  REQUIRE(d.rows() == 4);
  check_row(d, 0, {1.5f, 0, 1, 0, -2}, {1, 1});  // y1 is {1,0}: omitted means 1
  check_row(d, 1, {0, 0, 1, 0, 0}, {0, 1});
  check_row(d, 2, {0, 0.25f, 0, 1, 7}, {0, 0});
  check_row(d, 3, {0, 0, 1, 0, 0}, {1, 1});
  // CSR columns are sorted within each row, zeros are not stored.
  CHECK(d.csr.isCompressed());
  CHECK(d.csr.nonZeros() == 3 + 1 + 3 + 1);
  for (Index r = 0; r < d.csr.outerSize(); ++r) {
    Index last = -1;
    for (lg::SparseFeatures::InnerIterator it(d.csr, r); it; ++it) {
      CHECK(it.col() > last);
      last = it.col();
    }
  }
}

TEST_CASE("ARFF dense and sparse rows mixed in one file give sparse features", "[io][arff]") {
  TempDir tmp;
  const fs::path p = tmp.write("mixed.arff",
                               "@relation mixed\n@attribute y {0,1}\n@attribute a numeric\n@attribute b numeric\n"
                               "@data\n1,0,2.5\n{1 3}\n0,-1,0\n");
  const Dataset d = lg::read_arff(p, with_count(1));
  CHECK(d.sparse);
  REQUIRE(d.rows() == 3);
  check_row(d, 0, {0, 2.5f}, {1});
  check_row(d, 1, {3, 0}, {0});
  check_row(d, 2, {-1, 0}, {0});
}

TEST_CASE("ARFF nested MULAN labels: flattened, parents are labels too", "[io][arff]") {
  const Dataset d = lg::read_arff(fixture("arff/hierarchy.arff"));
  CHECK(d.label_names == Strings{"animal", "cat", "dog", "puppy", "plant"});
  CHECK(d.feature_names == Strings{"f"});
  check_row(d, 0, {0.5f}, {1, 0, 1, 0, 1});
  check_row(d, 1, {-1.0f}, {1, 0, 1, 1, 0});
}

TEST_CASE("ARFF MEKA -C n with options after it; numeric 0/1 labels", "[io][arff]") {
  const Dataset d = lg::read_arff(fixture("arff/meka.arff"));
  CHECK(d.name == "Tiny");
  CHECK(d.label_names == Strings{"happy", "sad"});
  CHECK(d.feature_names == Strings{"f1", "f2"});
  check_row(d, 0, {0.25f, -1}, {1, 0});
  check_row(d, 1, {3, 4}, {0, 1});
}

TEST_CASE("ARFF label precedence: given XML > XML beside > count > -C", "[io][arff]") {
  TempDir tmp;
  const std::string body =
      "@relation 'p: -C 1'\n@attribute a {0,1}\n@attribute b {0,1}\n@attribute c {0,1}\n@data\n1,0,1\n";
  SECTION("-C in @relation") {
    const Dataset d = lg::read_arff(tmp.write("p.arff", body));
    CHECK(d.label_names == Strings{"a"});
    CHECK(d.feature_names == Strings{"b", "c"});
  }
  SECTION("a label count beats -C: n > 0 first n, n < 0 last n") {
    const fs::path p = tmp.write("p.arff", body);
    CHECK(lg::read_arff(p, with_count(2)).label_names == Strings{"a", "b"});
    CHECK(lg::read_arff(p, with_count(-2)).label_names == Strings{"b", "c"});
  }
  SECTION("an XML beside the file beats the count; -train/-test/-sparse are stripped") {
    const fs::path p = tmp.write("p-train-sparse.arff", body);
    tmp.write("p.xml", "<labels><label name=\"c\"/></labels>");
    CHECK(lg::find_label_xml(p) == tmp / "p.xml");
    CHECK(lg::read_arff(p, with_count(2)).label_names == Strings{"c"});
  }
  SECTION("a given XML beats the one beside") {
    const fs::path p = tmp.write("p.arff", body);
    tmp.write("p.xml", "<labels><label name=\"c\"/></labels>");
    ReadOptions o;
    o.labels.xml = tmp.write("other.xml", "<labels><label name=\"b\"/><label name=\"a\"/></labels>");
    const Dataset d = lg::read_arff(p, o);
    CHECK(d.label_names == Strings{"b", "a"});
    check_row(d, 0, {1}, {0, 1});
  }
  SECTION("no XML beside: find_label_xml gives an empty path") {
    CHECK(lg::find_label_xml(tmp.write("q-test.arff", body)).empty());
  }
}

TEST_CASE("ARFF names: unquoted names are literal, quoted ones unescape", "[io][arff]") {
  TempDir tmp;
  const fs::path p = tmp.write("names.arff",
                               "@relation names\n@attribute TAG_m\\'usica {0,1}\n@attribute 0; {0,1}\n"
                               "@attribute 'tab\\there' numeric\n@attribute \"dq \\\"x\\\"\" numeric\n"
                               "@attribute -  numeric\n@data\n1,0,1,2,3\n");
  const Dataset d = lg::read_arff(p, with_count(1));
  CHECK(d.label_names == Strings{"TAG_m\\'usica"});  // as MULAN's delicious.xml spells it
  CHECK(d.feature_names == Strings{"0;", "tab\there", "dq \"x\"", "-"});
  check_row(d, 0, {0, 1, 2, 3}, {1});
}

TEST_CASE("ARFF values: quoted numbers, signs, exponents, tiny and huge floats", "[io][arff]") {
  TempDir tmp;
  const fs::path p = tmp.write("values.arff",
                               "@relation v\n@attribute y integer\n@attribute a real\n@attribute b real\n"
                               "@attribute c real\n@attribute d real\n@data\n"
                               "'1',-0.5,\"2E3\",1e-45,3.4028235e38\n0.0,+.25,-1E-2,1e-50,1e39\n");
  const Dataset d = lg::read_arff(p, with_count(1));
  check_row(d, 0, {-0.5f, 2000.0f, 1e-45f, 3.4028235e38f}, {1});
  check_row(d, 1, {0.25f, -0.01f, 0.0f, INFINITY}, {0});
}

TEST_CASE("ARFF with no data rows reads as an empty set", "[io][arff]") {
  TempDir tmp;
  const Dataset d = lg::read_arff(tmp.write("none.arff", "@relation n\n@attribute a numeric\n@attribute y {0,1}\n@data\n% nothing\n"),
                                  with_count(-1));
  CHECK(d.rows() == 0);
  CHECK(d.num_features() == 1);
  CHECK(d.num_labels() == 1);
  d.check_consistent();
}

TEST_CASE("ARFF long nominal value lists and many attributes", "[io][arff]") {
  // 40 nominal attributes of 12 short values each: values are looked up by hash.
  std::string text = "@relation long\n@attribute y {0,1}\n";
  for (int a = 0; a < 40; ++a) {
    text += "@attribute n" + std::to_string(a) + " {";
    for (int v = 0; v < 12; ++v) text += (v ? "," : "") + std::string("v") + std::to_string(v);
    text += "}\n";
  }
  text += "@data\n1";
  for (int a = 0; a < 40; ++a) text += ",v" + std::to_string(a % 12);
  text += "\n{0 1,40 v11}\n";
  TempDir tmp;
  const Dataset d = lg::read_arff(tmp.write("long.arff", text), with_count(1));
  REQUIRE(d.num_features() == 40 * 12);
  REQUIRE(d.rows() == 2);
  CHECK(d.sparse);
  const lg::DenseFeatures f = features(d);
  for (int a = 0; a < 40; ++a) {
    INFO("attribute n" << a);
    CHECK(f.row(0).segment(12 * a, 12).sum() == 1.0f);
    CHECK(f(0, 12 * a + a % 12) == 1.0f);
    // Row 2 is sparse: omitted nominal attributes take their first value, n39 is v11.
    CHECK(f(1, 12 * a + (a == 39 ? 11 : 0)) == 1.0f);
    CHECK(f.row(1).segment(12 * a, 12).sum() == 1.0f);
  }
  CHECK(d.feature_names[13] == "n1=v1");
}
