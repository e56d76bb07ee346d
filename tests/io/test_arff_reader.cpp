// ARFF reader: every grammar feature on small hand-written files, values checked exactly.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

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

TEST_CASE("ARFF MEKA -C n with options after it, numeric 0/1 labels", "[io][arff]") {
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

// ---------------------------------------------------------------- parallel parsing

namespace {

// Several threads and pieces of a few lines each, whatever the file size.
lg::ArffTuning split(unsigned threads) {
  lg::ArffTuning t;
  t.threads = threads;
  t.min_bytes_per_thread = 1;
  return t;
}

lg::ArffTuning one_thread() {
  lg::ArffTuning t;
  t.threads = 1;
  return t;
}

template <typename Matrix>
bool same_bits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(*a.data()) * static_cast<std::size_t>(a.size())) == 0);
}

// Bit for bit (NaNs included): names, notes, matrices, CSR arrays.
void require_identical(const Dataset& a, const Dataset& b) {
  REQUIRE(a.name == b.name);
  REQUIRE(a.sources == b.sources);
  REQUIRE(a.feature_names == b.feature_names);
  REQUIRE(a.label_names == b.label_names);
  REQUIRE(a.notes == b.notes);
  REQUIRE(a.sparse == b.sparse);
  REQUIRE(same_bits(a.labels, b.labels));
  REQUIRE(same_bits(a.dense, b.dense));
  REQUIRE(a.csr.rows() == b.csr.rows());
  REQUIRE(a.csr.cols() == b.csr.cols());
  REQUIRE(a.csr.nonZeros() == b.csr.nonZeros());
  REQUIRE(a.csr.isCompressed());
  REQUIRE(b.csr.isCompressed());
  const auto n = static_cast<std::size_t>(a.csr.nonZeros());
  const auto outer = static_cast<std::size_t>(a.csr.rows()) + 1;
  if (a.sparse) {
    REQUIRE(std::memcmp(a.csr.outerIndexPtr(), b.csr.outerIndexPtr(), outer * sizeof(Index)) == 0);
    REQUIRE(std::memcmp(a.csr.innerIndexPtr(), b.csr.innerIndexPtr(), n * sizeof(Index)) == 0);
    REQUIRE(std::memcmp(a.csr.valuePtr(), b.csr.valuePtr(), n * sizeof(float)) == 0);
  }
}

std::string arff_error(const fs::path& path, const lg::ArffTuning& tuning, const ReadOptions& options = {}) {
  try {
    lg::read_arff(path, options, tuning);
  } catch (const lg::Error& e) {
    return e.what();
  }
  return "(no error)";
}

// A dense MEKA file (-C 3): 3 labels, 6 numeric features and a nominal one, `rows` rows with
// values in many spellings, comment and blank lines between them. Returns the file text and,
// per row, its line number.
std::string dense_text(int rows, std::vector<int>* lines = nullptr) {
  std::string s =
      "% parallel test\n"  // 1
      "@relation 'par: -C 3'\n"
      "@attribute y0 {0,1}\n"
      "@attribute y1 {1,0}\n"
      "@attribute y2 numeric\n"
      "@attribute a numeric\n"
      "@attribute b numeric\n"
      "@attribute c numeric\n"
      "@attribute d numeric\n"
      "@attribute e numeric\n"
      "@attribute f numeric\n"
      "@attribute g {red,'light blue',green}\n"
      "@data\n";  // 13
  int line = 13;
  const char* formats[] = {"{:.6g}", "{:.9g}", "{:.3f}", "{:.7e}", "{:.2E}", "{:g}"};
  std::uint64_t x = 12345;
  auto next = [&x] { return x = x * 6364136223846793005ULL + 1442695040888963407ULL; };
  for (int r = 0; r < rows; ++r) {
    if (r % 37 == 5) { s += "% a comment line\n"; ++line; }
    if (r % 53 == 7) { s += "\n"; ++line; }
    s += fmt::format("{},{},{}", next() % 2, next() % 2, next() % 2);
    for (int j = 0; j < 6; ++j) {
      const double v = (static_cast<double>(next() >> 11) / 9007199254740992.0 - 0.5) *
                       std::pow(10.0, static_cast<int>(next() % 13) - 6);
      if (j == 5 && r % 11 == 3) s += ", '1.5'";
      else if (j == 2 && r % 17 == 2) s += ",+2.5e3";
      else if (j == 4 && r % 19 == 4) s += ",-0";
      else s += "," + fmt::format(fmt::runtime(formats[(r + j) % 6]), v);
    }
    s += r % 3 == 0 ? ",'light blue'" : r % 3 == 1 ? ",red" : ",green";
    s += r % 13 == 0 ? "\r\n" : "\n";
    if (lines) lines->push_back(++line);
    else ++line;
  }
  return s;
}

}  // namespace

TEST_CASE("ARFF parallel parse: identical to one thread on a generated dense file", "[io][arff]") {
  TempDir tmp;
  const fs::path path = tmp.write("par.arff", dense_text(3000));
  const Dataset one = lg::read_arff(path, {}, one_thread());
  REQUIRE(one.rows() == 3000);
  REQUIRE_FALSE(one.sparse);
  for (unsigned threads : {2u, 3u, 7u}) {
    INFO(threads << " threads");
    require_identical(one, lg::read_arff(path, {}, split(threads)));
  }
  // The default (all cores; a small file stays on one thread) gives the same too.
  require_identical(one, lg::read_arff(path));
}

TEST_CASE("ARFF parallel parse: numbers are the floats std::from_chars gives", "[io][arff]") {
  TempDir tmp;
  const std::string text = dense_text(400);
  const fs::path path = tmp.write("num.arff", text);
  const Dataset d = lg::read_arff(path, {}, split(2));
  // Re-read the values of the numeric features a..f of every row with from_chars.
  std::size_t pos = text.find("@data\n") + 6;
  Index r = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '%') continue;
    std::vector<std::string> fields;
    for (std::size_t k = 0, c; k <= line.size(); k = c + 1) {
      c = std::min(line.find(',', k), line.size());
      fields.push_back(line.substr(k, c - k));
    }
    REQUIRE(fields.size() == 10);
    for (int j = 0; j < 6; ++j) {
      std::string v = fields[3 + j];
      if (v[0] == '+') v.erase(0, 1);
      if (v[0] == ' ') v = v.substr(2, v.size() - 3);  // " '1.5'"
      float expected = 0;
      std::from_chars(v.data(), v.data() + v.size(), expected);
      const float got = d.dense(r, j);
      INFO("row " << r << " value '" << fields[3 + j] << "'");
      REQUIRE(std::memcmp(&got, &expected, sizeof(float)) == 0);
    }
    ++r;
  }
  CHECK(r == d.rows());
}

TEST_CASE("ARFF parallel parse: identical to one thread on generated sparse and mixed files", "[io][arff]") {
  TempDir tmp;
  std::string s =
      "@relation 'sp: -C 2'\n"
      "@attribute y0 {0,1}\n"
      "@attribute y1 numeric\n"
      "@attribute a numeric\n"
      "@attribute b {1,0}\n"  // omitted = 1
      "@attribute c {p,q,r,s,t}\n"  // omitted = p; '?' = 5 NaN entries
      "@attribute d numeric\n"
      "@attribute e numeric\n"
      "@data\n";
  for (int r = 0; r < 2000; ++r) {
    if (r % 29 == 0) s += "% comment\n\n";
    if (r % 41 == 9) s += fmt::format("{},0,{},0,q,?,1.25\n", r % 2, r);  // a dense row
    else if (r % 97 == 1) s += "{}\n";
    else if (r % 7 == 0) s += fmt::format("{{6 {}.5,2 -1,0 1,4 ?}}\n", r);  // unsorted, one-hot missing
    else s += fmt::format("{{1 {},2 {}e-2,3 {},5 {}}}\n", r % 2, r, r % 2, r % 3 == 0 ? "?" : "3");
  }
  const fs::path path = tmp.write("sp.arff", s);
  const Dataset one = lg::read_arff(path, impute(), one_thread());
  REQUIRE(one.sparse);
  REQUIRE(one.rows() == 2000);
  for (unsigned threads : {2u, 5u}) {
    INFO(threads << " threads");
    require_identical(one, lg::read_arff(path, impute(), split(threads)));
  }
  // Rows whose '?' expands to more entries than the counting pass allows: the pieces run out
  // of room, and the reader parses the file again in one piece.
  std::string many_missing = s.substr(0, s.find("@data\n") + 6);
  for (int r = 0; r < 500; ++r) many_missing += r % 5 ? "{0 1,4 ?}\n" : "{2 7,6 1}\n";
  const fs::path missing = tmp.write("missing.arff", many_missing);
  const Dataset serial = lg::read_arff(missing, impute(), one_thread());
  CHECK(serial.csr.nonZeros() == 400 * 6 + 100 * 4);
  require_identical(serial, lg::read_arff(missing, impute(), split(2)));
}

TEST_CASE("ARFF parallel parse: identical to one thread on the shared emotions, yeast and enron", "[io][arff]") {
  for (const char* name : {"emotions/emotions.arff", "yeast/yeast.arff", "enron/enron.arff"}) {
    const auto path = lg::test::shared_file(name);
    if (!path) return;
    INFO(name);
    const Dataset one = lg::read_arff(*path, {}, one_thread());
    for (unsigned threads : {2u, 3u}) {
      INFO(threads << " threads");
      require_identical(one, lg::read_arff(*path, {}, split(threads)));
    }
  }
}

TEST_CASE("ARFF parallel parse: an error in the second half names its exact line", "[io][arff]") {
  TempDir tmp;
  std::vector<int> lines;
  std::string text = dense_text(2000, &lines);
  // Row 1500: its fourth value (feature a) becomes "x7".
  std::size_t at = 0;
  for (int line = 1; line < lines[1500]; ++line) at = text.find('\n', at) + 1;
  text.replace(text.find(',', text.find(',', text.find(',', at) + 1) + 1) + 1, 0, "x");
  const fs::path path = tmp.write("bad.arff", text);
  const std::string where = fmt::format("bad.arff:{}:", lines[1500]);
  const std::string serial = arff_error(path, one_thread());
  CHECK_THAT(serial, Contains(where) && Contains("attribute 'a'") && Contains("expected a number"));
  for (unsigned threads : {2u, 4u}) {
    INFO(threads << " threads");
    CHECK(arff_error(path, split(threads)) == serial);
  }
}

TEST_CASE("ARFF parallel parse: errors in several pieces report the first line of the file", "[io][arff]") {
  TempDir tmp;
  std::vector<int> lines;
  std::string text = dense_text(2000, &lines);
  // Row 300 gets an extra value, row 1700 loses its first value: with 2 threads and more, the two
  // errors fall into different pieces; the earlier one is reported whichever thread meets
  // its error first.
  auto line_start = [&](int line) {
    std::size_t at = 0;
    for (int l = 1; l < line; ++l) at = text.find('\n', at) + 1;
    return at;
  };
  const std::size_t late = line_start(lines[1700]);
  text.erase(late, text.find(',', late) + 1 - late);
  const std::size_t early = line_start(lines[300]);
  text.insert(text.find_first_of("\r\n", early), ",9");
  const fs::path path = tmp.write("two.arff", text);
  const std::string serial = arff_error(path, one_thread());
  CHECK_THAT(serial, Contains(fmt::format("two.arff:{}:", lines[300])) && Contains("found 11"));
  for (unsigned threads : {2u, 3u, 8u}) {
    INFO(threads << " threads");
    CHECK(arff_error(path, split(threads)) == serial);
  }
  // Without the early error, the late one is reported, at its own line.
  text.erase(text.find(",9", early), 2);
  const fs::path late_only = tmp.write("late.arff", text);
  CHECK_THAT(arff_error(late_only, split(2)),
             Contains(fmt::format("late.arff:{}:", lines[1700])) && Contains("found 'green'"));
}
