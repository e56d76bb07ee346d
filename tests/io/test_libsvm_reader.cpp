// LIBSVM / extreme-classification reader: hand-written fixtures with exact matrices, the
// scikit-learn reference fixtures (tests/fixtures/libsvm/make_reference.py), chunk and thread
// boundaries, and one test per error class (file name and "file:LINE:" in the message).
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "helpers.hpp"
#include "io/libsvm_reader.hpp"
#include "io/read_dataset.hpp"

namespace {
using lg::Dataset;
using lg::read_libsvm;
using lg::test::fixture;
using lg::test::TempDir;
using Matrix = Eigen::MatrixXd;

Matrix features_of(const Dataset& d) { return Matrix(d.csr.cast<double>()); }
Matrix labels_of(const Dataset& d) { return d.labels.cast<double>(); }

bool has_note(const Dataset& d, const std::string& part) {
  for (const std::string& n : d.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

// Reads `text` from a temp file and returns the error message (empty if it read fine).
std::string error_of(const std::string& text, std::string* file = nullptr,
                     const lg::LibsvmTuning& tuning = {}) {
  TempDir tmp;
  const auto path = tmp.write("bad.svm", text);
  if (file) *file = path.string();
  try {
    read_libsvm(path, {}, tuning);
  } catch (const lg::Error& e) {
    return e.what();
  }
  return "";
}

// Checks that reading `text` fails at `line` with a message containing `what`.
void check_error(const std::string& text, std::size_t line, const std::string& what) {
  std::string file;
  const std::string message = error_of(text, &file);
  INFO(message);
  CHECK(message.rfind(file + ":" + std::to_string(line) + ": ", 0) == 0);
  CHECK(message.find(what) != std::string::npos);
}

// The expected.txt format written by make_reference.py.
struct Expected {
  Matrix features, labels;
};

Matrix read_block(std::istream& in, const std::string& tag) {
  std::string word;
  Eigen::Index n = 0, m = 0;
  in >> word >> n >> m;
  REQUIRE(word == tag);
  Matrix out(n, m);
  for (Eigen::Index r = 0; r < n; ++r)
    for (Eigen::Index c = 0; c < m; ++c) in >> out(r, c);
  return out;
}

Expected read_expected(const std::string& name) {
  std::ifstream in(fixture("libsvm/" + name));
  REQUIRE(in);
  std::string line;
  while (in.peek() == '#') std::getline(in, line);
  Expected e;
  e.features = read_block(in, "features");
  e.labels = read_block(in, "labels");
  return e;
}

// A random LIBSVM file, one-based, some rows without labels, some lines commented.
std::string random_file(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::ostringstream out;
  for (int i = 0; i < n; ++i) {
    if (i % 97 == 5) out << "# comment " << i << "\n";
    const int labels = static_cast<int>(rng() % 4);
    for (int k = 0; k < labels; ++k) out << (k ? "," : "") << rng() % 50;
    int index = 0;
    const int nnz = 1 + static_cast<int>(rng() % 30);  // a row with neither is a blank line
    for (int k = 0; k < nnz; ++k) {
      index += 1 + static_cast<int>(rng() % 40);
      out << ' ' << index << ':' << static_cast<int>(rng() % 2000) / 64.0;
    }
    out << (i % 11 == 0 ? "\r\n" : "\n");
  }
  return out.str();
}

}  // namespace

TEST_CASE("libsvm: one-based file with comments, empty label rows, unsorted row, CRLF",
          "[io][libsvm]") {
  const Dataset d = read_libsvm(fixture("libsvm/small.svm"));
  d.check_consistent();
  CHECK(d.sparse);
  CHECK(d.name == "small");
  CHECK(features_of(d) == lg::test::matrix({{0.5, 0, 2, 0}, {0, -15, 0, 0}, {0, 0, 0, 1}, {0, 3, 4, 0}, {1, 0, 1, 0}}));
  CHECK(labels_of(d) == lg::test::matrix({{0, 1, 0, 1}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 1, 0}}));
  CHECK(d.label_names == std::vector<std::string>{"0", "1", "2", "3"});
  CHECK(d.feature_names == std::vector<std::string>{"1", "2", "3", "4"});
  CHECK(has_note(d, "one-based"));
  CHECK(has_note(d, "1 of 5 rows had unsorted"));
}

TEST_CASE("libsvm: an index 0 makes the file zero-based", "[io][libsvm]") {
  const Dataset d = read_libsvm(fixture("libsvm/zero_based.svm"));
  d.check_consistent();
  CHECK(features_of(d) == lg::test::matrix({{1, 0, 2}, {0, 3, 0}}));
  CHECK(labels_of(d) == lg::test::matrix({{0, 1, 0}, {1, 0, 1}}));
  CHECK(d.feature_names == std::vector<std::string>{"0", "1", "2"});
  CHECK(has_note(d, "zero-based"));
}

TEST_CASE("libsvm: extreme-classification header gives 0-based indices and the widths",
          "[io][libsvm]") {
  const Dataset d = read_libsvm(fixture("libsvm/xc_header.txt"));
  d.check_consistent();
  CHECK(d.num_features() == 6);
  CHECK(d.num_labels() == 5);
  CHECK(features_of(d) == lg::test::matrix({{1, 0, 0, 0, 0.25, 0}, {0, 0, 2, 0, 0, 0}, {0, 1, 0, 1, 0, 0}}));
  CHECK(labels_of(d) == lg::test::matrix({{1, 0, 0, 1, 0}, {0, 0, 0, 0, 0}, {0, 1, 0, 0, 0}}));
  CHECK(has_note(d, "header"));
}

TEST_CASE("libsvm: equals scikit-learn's load_svmlight_file on the reference fixtures",
          "[io][libsvm]") {
  for (const std::string name : {"reference_onebased", "reference_zerobased"}) {
    INFO(name);
    const Dataset d = read_libsvm(fixture("libsvm/" + name + ".svm"));
    const Expected e = read_expected(name + ".expected.txt");
    d.check_consistent();
    REQUIRE(d.rows() == e.features.rows());
    REQUIRE(d.num_features() == e.features.cols());
    REQUIRE(d.num_labels() == e.labels.cols());
    // Values are float32 here and float64 in scikit-learn.
    CHECK(features_of(d).isApprox(e.features, 1e-6));
    CHECK(labels_of(d) == e.labels);
  }
}

TEST_CASE("libsvm: read_dataset dispatches .svm and .txt to the LIBSVM reader", "[io][libsvm]") {
  CHECK(lg::read_dataset(fixture("libsvm/small.svm")).rows() == 5);
  CHECK(lg::read_dataset(fixture("libsvm/xc_header.txt")).rows() == 3);
}

TEST_CASE("libsvm: tiny chunks and several threads give the same data set", "[io][libsvm]") {
  TempDir tmp;
  const auto path = tmp.write("random.svm", random_file(3000, 7));
  const Dataset whole = read_libsvm(path, {}, lg::LibsvmTuning{1 << 24, 1, 1 << 20});
  for (const lg::LibsvmTuning tuning : {lg::LibsvmTuning{7, 3, 1}, lg::LibsvmTuning{4096, 2, 1},
                                        lg::LibsvmTuning{100000, 4, 1000}}) {
    INFO("chunk " << tuning.chunk_bytes << ", threads " << tuning.threads);
    const Dataset d = read_libsvm(path, {}, tuning);
    CHECK(d.rows() == 3000);
    CHECK(d.csr.nonZeros() == whole.csr.nonZeros());
    CHECK(features_of(d) == features_of(whole));
    CHECK(d.labels == whole.labels);
    CHECK(d.feature_names == whole.feature_names);
  }
}

TEST_CASE("libsvm: error line numbers are exact across chunks and threads", "[io][libsvm]") {
  std::string text;
  for (int i = 1; i < 777; ++i) text += "1,2 1:0.5 7:1\n";
  text += "1 3:x\n";  // line 777
  for (int i = 0; i < 500; ++i) text += "3 2:1\n";
  for (const lg::LibsvmTuning tuning : {lg::LibsvmTuning{}, lg::LibsvmTuning{64, 2, 1},
                                        lg::LibsvmTuning{1000, 3, 100}}) {
    std::string file;
    const std::string message = error_of(text, &file, tuning);
    INFO(message);
    CHECK(message.rfind(file + ":777: ", 0) == 0);
  }
}

TEST_CASE("libsvm: errors name the file and the line", "[io][libsvm]") {
  SECTION("malformed index:value pair") {
    check_error("1 1:1\n2 3-2\n", 2, "expected 'index:value', found '3-2'");
    check_error("1 1:1 3 4:1\n", 1, "expected 'index:value', found '3'");
  }
  SECTION("non-numeric value") {
    check_error("# c\n1 2:abc\n", 2, "expected a numeric value in '2:abc', found 'abc'");
    check_error("1 2:\n", 1, "expected a numeric value");
    check_error("1 2:1x 3:1\n", 1, "found '1x'");
  }
  SECTION("bad label") {
    check_error("1.5 2:1\n", 1, "expected a non-negative integer label in '1.5', found '1.5'");
    check_error("1 1:1\n-1 2:1\n", 2, "found '-1'");
    check_error("1,,2 2:1\n", 1, "expected a non-negative integer label in '1,,2', found ''");
    check_error("abc\n", 1, "found 'abc'");
  }
  SECTION("negative feature index") { check_error("1 -1:2\n", 1, "expected a non-negative feature index"); }
  SECTION("duplicate feature index") {
    check_error("1 1:1\n1 2:1 5:2 2:3\n", 2, "expected each feature index once per row, found 2 twice");
  }
  SECTION("header: rows differ from N") {
    check_error("3 5 2\n0 1:1\n1 2:1\n", 1, "expected 3 rows as the header says, found 2");
  }
  SECTION("header: feature index out of range") {
    check_error("2 3 2\n0 1:1\n1 3:1\n", 3, "expected a feature index below F = 3 (header, line 1), found 3");
  }
  SECTION("header: label out of range") {
    check_error("2 3 2\n0 1:1\n1,2 0:1\n", 3, "expected a label below L = 2 (header, line 1), found 2");
  }
  SECTION("header: not three integers") {
    check_error("# first\n5 7\n1 1:1\n", 2, "expected a header line 'N F L' (three integers), found 2");
  }
  SECTION("empty file") { check_error("", 1, "expected LIBSVM rows, found an empty file"); }
  SECTION("no data rows") { check_error("# only\n\n# comments\n", 3, "expected at least one data row"); }
  SECTION("missing file") {
    const std::string path = (TempDir().path() / "absent.svm").string();
    try {
      read_libsvm(path);
      FAIL("no error");
    } catch (const lg::Error& e) {
      CHECK(std::string(e.what()).rfind(path + ": cannot open the file", 0) == 0);
      CHECK(e.file() == path);
    }
  }
}

TEST_CASE("libsvm: rows without labels and features, qid tokens, long lines", "[io][libsvm]") {
  TempDir tmp;
  std::string long_row = "4";
  for (int j = 1; j <= 5000; ++j) long_row += " " + std::to_string(j) + ":1";
  const auto path = tmp.write("misc.svm", "2 qid:3 1:1\n" + long_row + "\n1\n");
  const Dataset d = read_libsvm(path, {}, lg::LibsvmTuning{256, 2, 1});
  d.check_consistent();
  CHECK(d.rows() == 3);
  CHECK(d.num_features() == 5000);
  CHECK(d.num_labels() == 5);
  CHECK(d.csr.row(1).sum() == 5000);
  CHECK(d.csr.row(2).nonZeros() == 0);
  CHECK(labels_of(d).row(2) == lg::test::matrix({{0, 1, 0, 0, 0}}));
  CHECK(has_note(d, "qid"));
}

TEST_CASE("libsvm: a narrower test file stacks under its training file", "[io][libsvm]") {
  TempDir tmp;
  // Train reaches feature 4 and label 3; test only feature 2 and label 1 (one-based indices).
  const auto train = tmp.write("train.svm", "0,3 1:1 4:2\n1 2:1\n");
  const auto test = tmp.write("test.svm", "1 2:5\n");
  const Dataset all = lg::read_datasets({train, test});
  REQUIRE(all.rows() == 3);
  CHECK(all.num_features() == 4);
  CHECK(all.num_labels() == 4);
  CHECK(all.csr.cols() == 4);
  CHECK(all.csr.coeff(2, 1) == 5.0f);
  CHECK(labels_of(all).row(2) == lg::test::matrix({{0, 1, 0, 0}}));
  all.check_consistent();
}
