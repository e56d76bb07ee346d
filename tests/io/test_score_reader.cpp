// Score and truth matrices: .npy (dtypes, orders, versions, bad headers), CSV and whitespace
// text (headers, pandas' index, comments, CRLF), LIBSVM-or-matrix .txt, ARFF truth, every error
// naming file and line, and the chunked multi-threaded text reader against a one-thread read.
//
// The fixtures in tests/fixtures/scores hold one 4 x 3 example in every format (the .npy files
// are written by make_npy_fixtures.py there):
//
//   truth  a b c      scores  a        b        c
//          1 0 1              0.9375   0.25     0.6875
//          0 1 0              0.125    0.8125   0.375
//          1 1 0              0.5625   0.5      0.3125
//          0 0 1              0.0625   0.4375   0.96875
//
// The scores are multiples of 1/64, exact in float32 and float64, so every file must give
// exactly these values. Scores are read as float64 (ScoreMatrixD) and never narrowed: the
// float64 tests below check every bit of values that float32 cannot tell apart.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "core/error.hpp"
#include "helpers.hpp"
#include "io/score_reader.hpp"

namespace {
namespace fs = std::filesystem;
using lg::Index;
using lg::LabelMatrix;
using lg::MatrixFileKind;
using lg::ScoreMatrixD;

fs::path fixture(const std::string& name) { return lg::test::fixture("scores/" + name); }

ScoreMatrixD expected_scores() {
  ScoreMatrixD s(4, 3);
  s << 0.9375, 0.25, 0.6875,  //
      0.125, 0.8125, 0.375,   //
      0.5625, 0.5, 0.3125,    //
      0.0625, 0.4375, 0.96875;
  return s;
}

/// A C-order 2-D float64 .npy (format 1.0) of `values`, as numpy.save writes it.
fs::path write_npy_f8(const lg::test::TempDir& dir, const std::string& name, const ScoreMatrixD& values) {
  std::string header = fmt::format("{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {}), }}",
                                   values.rows(), values.cols());
  header.append((10 + header.size() + 1 + 63) / 64 * 64 - 10 - header.size() - 1, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(values.data()), sizeof(double) * values.size());
  return dir.write(name, bytes);
}

/// Bit-for-bit equality (distinguishes -0 from +0, which == does not).
bool same_bits(const ScoreMatrixD& a, const ScoreMatrixD& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
}

LabelMatrix expected_truth() {
  LabelMatrix y(4, 3);
  y << 1, 0, 1,  //
      0, 1, 0,   //
      1, 1, 0,   //
      0, 0, 1;
  return y;
}

const std::vector<std::string> kNames = {"a", "b", "c"};

/// The lg::Error of reading scores (truth = false) or truth from `path`; fails if none.
lg::Error error_of(const fs::path& path, bool truth, const lg::MatrixReadTuning& tuning = {}) {
  try {
    if (truth)
      lg::read_truth_matrix(path.string(), {}, tuning);
    else
      lg::read_score_matrix(path, tuning);
  } catch (const lg::Error& e) {
    return e;
  }
  FAIL("no error reading " << path);
  return lg::Error("");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

// ---- .npy ----

TEST_CASE("score reader: .npy scores in float32/float64, C/Fortran order, versions 1-3", "[io]") {
  for (const std::string name : {"scores_f4.npy", "scores_f8.npy", "scores_f8_fortran.npy",
                                 "scores_f4_v2.npy", "scores_f4_v3.npy"}) {
    INFO(name);
    const lg::ScoreFile s = lg::read_score_matrix(fixture(name));
    CHECK(s.kind == MatrixFileKind::Npy);
    CHECK(s.float32 == (name.find("_f4") != std::string::npos));
    CHECK(s.names.empty());
    REQUIRE(s.scores.rows() == 4);
    REQUIRE(s.scores.cols() == 3);
    CHECK(s.scores == expected_scores());
  }
}

TEST_CASE("score reader: keep_float32 leaves a float32 .npy as float32, nothing else", "[io]") {
  const lg::ScoreFile f4 = lg::read_score_matrix(fixture("scores_f4.npy"), {}, true);
  CHECK(f4.float32);
  CHECK(f4.scores.size() == 0);
  CHECK(f4.scores_float32 == expected_scores().cast<float>());
  for (const std::string name : {"scores_f8.npy", "scores.csv"}) {
    INFO(name);
    const lg::ScoreFile other = lg::read_score_matrix(fixture(name), {}, true);
    CHECK_FALSE(other.float32);
    CHECK(other.scores_float32.size() == 0);
    CHECK(other.scores == expected_scores());
  }
}

TEST_CASE("score reader: a 1-D .npy is one column", "[io]") {
  const lg::ScoreFile s = lg::read_score_matrix(fixture("scores_column.npy"));
  REQUIRE(s.scores.rows() == 4);
  REQUIRE(s.scores.cols() == 1);
  CHECK(s.scores.col(0) == expected_scores().col(0));
}

TEST_CASE("score reader: .npy truth in int8, uint8, bool (C and Fortran), int64, float32",
          "[io]") {
  for (const std::string name : {"truth_i1.npy", "truth_u1.npy", "truth_b1.npy",
                                 "truth_b1_fortran.npy", "truth_i8.npy", "truth_f4.npy"}) {
    INFO(name);
    const lg::TruthFile t = lg::read_truth_matrix(fixture(name).string());
    CHECK(t.kind == MatrixFileKind::Npy);
    CHECK(t.labels == expected_truth());
  }
  // A 0/1 matrix is a valid score file too (predictions evaluated as scores).
  CHECK(lg::read_score_matrix(fixture("truth_b1.npy")).scores == expected_truth().cast<double>());
  CHECK_FALSE(lg::read_score_matrix(fixture("truth_b1.npy")).float32);
}

TEST_CASE("score reader: bad .npy files name the file and the header problem", "[io]") {
  struct Case {
    const char* file;
    bool truth;
    const char* says;
  };
  const Case cases[] = {
      {"big_endian.npy", false, "big-endian dtype '>f8' is not supported"},
      {"float16.npy", false, "unsupported dtype '<f2'"},
      {"three_d.npy", false, "found 3 dimensions"},
      {"empty.npy", false, "the array is empty"},
      {"structured.npy", false, "structured dtypes"},
      {"nan_scores.npy", false, "row 3, column 2: NaN score"},
      {"inf_scores.npy", false, "row 2, column 3: infinite"},
      {"truth_two.npy", true, "row 4, column 1: truth values must be 0 or 1, found 2"},
      {"truncated.npy", false, "(truncated)"},
      {"not_npy.npy", false, "not a NumPy .npy file"},
  };
  for (const Case& c : cases) {
    INFO(c.file);
    const lg::Error e = error_of(fixture(std::string("bad/") + c.file), c.truth);
    CHECK(contains(e.file(), c.file));
    CHECK(contains(e.message(), c.says));
    CHECK(contains(e.message(), "npy "));  // "npy header: ..." or "npy data: ..."
  }
}

// ---- text ----

TEST_CASE("score reader: CSV with and without a header", "[io]") {
  const lg::TruthFile t = lg::read_truth_matrix(fixture("truth.csv").string());
  CHECK(t.kind == MatrixFileKind::Csv);
  CHECK(t.labels == expected_truth());
  CHECK(t.names == kNames);

  const lg::ScoreFile s = lg::read_score_matrix(fixture("scores.csv"));
  CHECK(s.kind == MatrixFileKind::Csv);
  CHECK(s.names.empty());
  CHECK(s.scores == expected_scores());
}

TEST_CASE("score reader: quoted header, CRLF, blank line, spaces, exponents, leading +", "[io]") {
  const lg::ScoreFile s = lg::read_score_matrix(fixture("scores_header_crlf.csv"));
  CHECK(s.names == kNames);
  CHECK(s.scores == expected_scores());
}

TEST_CASE("score reader: pandas' unnamed index column is dropped", "[io]") {
  const lg::ScoreFile s = lg::read_score_matrix(fixture("scores_pandas.csv"));
  CHECK(s.names == kNames);
  CHECK(s.scores == expected_scores());
}

TEST_CASE("score reader: whitespace matrices (.txt with a # line, .tsv with a header)", "[io]") {
  const lg::ScoreFile s = lg::read_score_matrix(fixture("scores.txt"));
  CHECK(s.kind == MatrixFileKind::Whitespace);
  CHECK(s.names.empty());  // '# a b c' is a comment, as numpy.savetxt writes it
  CHECK(s.scores == expected_scores());

  const lg::TruthFile t = lg::read_truth_matrix(fixture("truth.tsv").string());
  CHECK(t.kind == MatrixFileKind::Whitespace);
  CHECK(t.names == kNames);
  CHECK(t.labels == expected_truth());
}

TEST_CASE("score reader: truth spelled 1.0 / 0.0 / true / false", "[io]") {
  const lg::TruthFile t = lg::read_truth_matrix(fixture("truth_spellings.txt").string());
  CHECK(t.kind == MatrixFileKind::Whitespace);
  CHECK(t.names.empty());  // true/false are values, not a header
  CHECK(t.labels == expected_truth());
}

TEST_CASE("score reader: a .txt in LIBSVM form is a data set, its labels the truth", "[io]") {
  CHECK(lg::detect_matrix_file(fixture("truth_libsvm.txt").string()) == MatrixFileKind::Dataset);
  CHECK(lg::detect_matrix_file(fixture("truth_spellings.txt").string()) == MatrixFileKind::Whitespace);
  CHECK(lg::detect_matrix_file(fixture("scores.txt").string()) == MatrixFileKind::Whitespace);
  const lg::TruthFile t = lg::read_truth_matrix(fixture("truth_libsvm.txt").string());
  CHECK(t.kind == MatrixFileKind::Dataset);
  CHECK(t.labels == expected_truth());
  CHECK(t.names == std::vector<std::string>{"0", "1", "2"});  // LIBSVM labels are numbers
}

TEST_CASE("score reader: ARFF truth (features ignored, a missing feature is fine)", "[io]") {
  const lg::TruthFile t = lg::read_truth_matrix(fixture("truth.arff").string());
  CHECK(t.kind == MatrixFileKind::Dataset);
  CHECK(t.labels == expected_truth());
  CHECK(t.names == kNames);
  // --labels as MEKA counts it, overriding -C 3: the last label attribute c plus x would not
  // be 0/1, so declare the first two only.
  lg::ReadOptions opts;
  opts.labels.count = 2;
  const lg::TruthFile two = lg::read_truth_matrix(fixture("truth.arff").string(), opts);
  CHECK(two.labels == expected_truth().leftCols(2));
}

TEST_CASE("score reader: a CSV is a data set only when label columns are declared", "[io]") {
  lg::test::TempDir dir;
  const auto data = dir.write("data.csv", "x,tag_a,tag_b\n0.5,1,0\n1.5,0,1\n");
  lg::ReadOptions opts;
  opts.labels.prefix = "tag_";
  const lg::TruthFile t = lg::read_truth_matrix(data.string(), opts);
  CHECK(t.kind == MatrixFileKind::Dataset);
  CHECK(t.names == std::vector<std::string>{"tag_a", "tag_b"});
  CHECK(t.labels == (LabelMatrix(2, 2) << 1, 0, 0, 1).finished());
  // Without the declaration it is a matrix, and 0.5 is not a truth value.
  const lg::Error e = error_of(data, true);
  CHECK(e.line() == 2);
  CHECK(contains(e.message(), "column 1: truth values must be 0 or 1, found '0.5'"));
}

TEST_CASE("score reader: a data set file is not a score file", "[io]") {
  const lg::Error e = error_of(fixture("truth.arff"), false);
  CHECK(contains(e.message(), "scores must be a matrix"));
}

TEST_CASE("score reader: bad text names the file, the line and what was expected", "[io]") {
  lg::test::TempDir dir;
  struct Case {
    const char* name;
    const char* text;
    bool truth;
    std::size_t line;
    const char* says;
  };
  const Case cases[] = {
      {"ragged.csv", "0.1,0.2,0.3\n0.4,0.5,0.6\n0.7,0.8\n", false, 3,
       "expected 3 comma-separated fields per row (as on line 1), found 2"},
      {"long.csv", "a,b\n0.1,0.2\n\n0.3,0.4,0.5\n", false, 4,
       "expected 2 comma-separated fields per row (as the header on line 1), found 3"},
      {"ragged.txt", "# c\n1 0 1\n0 1\n", true, 3, "expected 3 fields per row (as on line 2), found 2"},
      {"word.csv", "0.1,0.2\n0.3,high\n", false, 2, "column 2: expected a number, found 'high'"},
      {"empty_field.csv", "0.1,0.2\n,0.4\n", false, 2, "column 1: expected a number, found an empty field"},
      {"nan.csv", "0.1,0.2\n0.3,nan\n", false, 2, "column 2: NaN score"},
      {"inf.txt", "0.1 -inf\n", false, 1, "column 2: infinite score '-inf'"},
      {"huge.csv", "0.1,1e309\n", false, 1, "column 2: infinite score '1e309'"},
      {"two.csv", "a,b\n1,0\n0,2\n", true, 3, "column 2: truth values must be 0 or 1, found '2'"},
      {"half.txt", "1 0.5\n", true, 1, "column 2: truth values must be 0 or 1, found '0.5'"},
      {"yes.csv", "1,0\n0,yes\n", true, 2, "column 2: expected 0 or 1, found 'yes'"},
      {"empty_name.csv", "a,,c\n1,0,1\n", true, 1, "header: column 2 has an empty name"},
      {"empty.csv", "", false, 0, "expected rows of numbers, found none"},
      {"blank.txt", "\n  \n# only a comment\n", true, 0, "expected rows of numbers, found none"},
      {"header_only.csv", "a,b,c\n", false, 1, "after the header, found none"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const auto path = dir.write(c.name, c.text);
    const lg::Error e = error_of(path, c.truth);
    CHECK(e.file() == path.string());
    CHECK(e.line() == c.line);
    CHECK(contains(e.message(), c.says));
    CHECK(!contains(e.what(), "\n"));  // one line
  }
  const lg::Error missing = error_of(dir / "no-such.csv", false);
  CHECK(contains(missing.what(), "no-such.csv"));
  CHECK(contains(missing.message(), "cannot open the file"));
}

TEST_CASE("score reader: a UTF-8 byte-order mark before the header is ignored", "[io]") {
  lg::test::TempDir dir;
  const auto path = dir.write("bom.csv", "\xEF\xBB\xBF" "a,b\n1,0\n");
  const lg::TruthFile t = lg::read_truth_matrix(path.string());
  CHECK(t.names == std::vector<std::string>{"a", "b"});
  CHECK(t.labels == (LabelMatrix(1, 2) << 1, 0).finished());
}

TEST_CASE("score reader: chunks and threads give the same matrix and the same error line",
          "[io]") {
  // 3000 x 7 random scores (with a header) and 0/1 truth, read with the defaults (one chunk,
  // one piece) and with 37-byte chunks over 3 threads (lines split at every boundary).
  lg::test::TempDir dir;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::string scores = "l0,l1,l2,l3,l4,l5,l6\n", truth;
  ScoreMatrixD expected(3000, 7);
  for (int r = 0; r < 3000; ++r) {
    for (int c = 0; c < 7; ++c) {
      expected(r, c) = u(rng);
      scores += fmt::format("{}{}", c ? "," : "", expected(r, c));  // shortest round trip
      truth += fmt::format("{}{}", c ? " " : "", expected(r, c) < 0.3 ? 1 : 0);
    }
    scores += r % 500 == 0 ? "\r\n\n" : "\n";
    truth += "\n";
  }
  const auto sp = dir.write("big.csv", scores);
  const auto tp = dir.write("big.txt", truth);
  lg::MatrixReadTuning tiny;
  tiny.threads = 3;
  tiny.chunk_bytes = 37;
  tiny.min_bytes_per_thread = 1;
  const lg::ScoreFile one = lg::read_score_matrix(sp);
  const lg::ScoreFile many = lg::read_score_matrix(sp, tiny);
  CHECK(one.scores == expected);
  CHECK(many.scores == expected);
  CHECK(many.names.size() == 7);
  const LabelMatrix y = (expected.array() < 0.3).cast<std::uint8_t>();
  CHECK(lg::read_truth_matrix(tp.string()).labels == y);
  CHECK(lg::read_truth_matrix(tp.string(), {}, tiny).labels == y);

  // A bad token at the start of line 2345 (whatever that line held), far past the first chunk.
  std::string bad = scores;
  std::size_t pos = 0;
  for (int line = 1; line < 2345; ++line) pos = bad.find('\n', pos) + 1;
  bad.insert(pos, "oops");
  const auto bp = dir.write("bad.csv", bad);
  for (const lg::MatrixReadTuning& t : {lg::MatrixReadTuning{}, tiny}) {
    const lg::Error e = error_of(bp, false, t);
    CHECK(e.line() == 2345);
    CHECK(contains(e.message(), "column 1: expected a number"));
  }
}

TEST_CASE("score reader: every number spelling gives the double std::from_chars gives", "[io]") {
  // The reader has a fast path for short decimals; it must agree with from_chars bit for bit
  // on short and long mantissas (up to 20 digits: past 2^53 and past 64 bits), exponents,
  // signs, integers and tiny / huge magnitudes (subnormal doubles included).
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
  std::uniform_int_distribution<int> exponent(-320, 307), digits(1, 20), style(0, 3);
  std::string rows;
  std::vector<double> expected;
  int in_row = 0;  // five numbers per row
  for (int i = 0; i < 6000; ++i) {
    const int e = exponent(rng);
    const double v = mantissa(rng) * std::pow(10.0, i % 3 == 0 ? e : e % (i % 3 == 1 ? 23 : 4));
    const int d = digits(rng);
    std::string token;
    switch (style(rng)) {
      case 0: token = fmt::format("{:.{}f}", v, d); break;
      case 1: token = fmt::format("{:.{}e}", v, d); break;
      case 2: token = fmt::format("{:.{}g}", v, d); break;
      default: token = fmt::format("{}", static_cast<long long>(v * 1000)); break;
    }
    double f = 0.0;
    const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), f);
    if (ec != std::errc() || ptr != token.data() + token.size() || !std::isfinite(f)) continue;
    rows += token + (++in_row == 5 ? "\n" : ",");
    in_row %= 5;
    expected.push_back(f);
  }
  for (; in_row != 0; in_row = (in_row + 1) % 5) {  // complete the last row
    rows += in_row == 4 ? "1\n" : "1,";
    expected.push_back(1.0);
  }
  lg::test::TempDir dir;
  const lg::ScoreFile s = lg::read_score_matrix(dir.write("numbers.csv", rows));
  REQUIRE(s.scores.size() == static_cast<lg::Index>(expected.size()));
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < expected.size(); ++i)
    if (std::memcmp(&expected[i], s.scores.data() + i, sizeof(double)) != 0) ++mismatches;
  CHECK(mismatches == 0);
}

TEST_CASE("score reader: float64 scores keep every bit in CSV, whitespace text and .npy",
          "[io][float64]") {
  // Neighbouring doubles, values equal in float32 but not in float64, -0, subnormals and
  // magnitudes beyond float32: read back bit for bit from every format (nothing narrows to
  // float, so no two of them become one value).
  ScoreMatrixD s(3, 4);
  s << 0.5, std::nextafter(0.5, 1.0), std::nextafter(0.5, 0.0), 0.5 + 0x1p-30,  //
      -0.0, 0.0, 5e-324, -1e-310,                                                 //
      1e300, -3.5e38, 0.1674775928258896, 0.7 + 0x1p-40;
  REQUIRE(static_cast<float>(s(0, 3)) == static_cast<float>(s(0, 0)));  // float32 ties
  lg::test::TempDir dir;
  std::string csv, text;
  for (Index i = 0; i < s.rows(); ++i)
    for (Index j = 0; j < s.cols(); ++j) {
      const bool last = j + 1 == s.cols();
      csv += fmt::format("{}{}", s(i, j), last ? "\n" : ",");   // shortest round trip
      text += fmt::format("{:.17g}{}", s(i, j), last ? "\n" : "\t");  // numpy.savetxt-like
    }
  for (const fs::path& path : {dir.write("s.csv", csv), dir.write("s.txt", text),
                               write_npy_f8(dir, "s.npy", s)}) {
    INFO(path.filename().string());
    const lg::ScoreFile back = lg::read_score_matrix(path);
    CHECK_FALSE(back.float32);
    CHECK(same_bits(back.scores, s));
  }
}

TEST_CASE("score reader: truth values are compared as doubles, not floats", "[io][float64]") {
  // 1 + 2^-40 is 1 in float32: reading truth through float would accept it as 1.
  lg::test::TempDir dir;
  const auto path = dir.write("almost.csv", "1,0\n1.0000000000009095,0\n");
  const lg::Error e = error_of(path, true);
  CHECK(e.line() == 2);
  CHECK(contains(e.message(), "column 1: truth values must be 0 or 1, found '1.0000000000009095'"));
}

TEST_CASE("score reader: a NaN in a float64 .npy names the entry", "[io][float64]") {
  lg::test::TempDir dir;
  ScoreMatrixD s = ScoreMatrixD::Constant(2, 3, 0.25);
  s(1, 2) = std::nan("");
  const lg::Error e = error_of(write_npy_f8(dir, "nan.npy", s), false);
  CHECK(contains(e.message(), "npy data: row 2, column 3: NaN score"));
}

TEST_CASE("score reader: a known data set name reads its labels", "[io]") {
  const auto train = lg::test::shared_file("emotions/emotions-train.arff");
  if (!train) return;
  const lg::TruthFile t = lg::read_truth_matrix("emotions");
  CHECK(t.kind == MatrixFileKind::Dataset);
  CHECK(t.labels.rows() == 593);  // train + test, as `labelgraph stats emotions` reads it
  CHECK(t.labels.cols() == 6);
}
