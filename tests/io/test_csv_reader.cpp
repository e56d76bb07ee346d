// CSV reader: hand-written fixtures with exact matrices (quoting, CRLF, blank lines, the three
// ways to name label columns, missing values) and one test per error class, each checking the
// file name and "file:LINE:" in the message.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "helpers.hpp"
#include "io/csv_reader.hpp"
#include "io/read_dataset.hpp"

namespace {
using lg::Dataset;
using lg::read_csv;
using lg::ReadOptions;
using lg::test::fixture;
using lg::test::TempDir;
using Matrix = Eigen::MatrixXd;
using Names = std::vector<std::string>;

Matrix features_of(const Dataset& d) { return d.dense.cast<double>(); }
Matrix labels_of(const Dataset& d) { return d.labels.cast<double>(); }

ReadOptions by_prefix(const std::string& prefix) {
  ReadOptions o;
  o.labels.prefix = prefix;
  return o;
}
ReadOptions by_columns(Names columns) {
  ReadOptions o;
  o.labels.columns = std::move(columns);
  return o;
}
ReadOptions by_count(int n) {
  ReadOptions o;
  o.labels.count = n;
  return o;
}

// Reads `text` from a temp file; checks the error starts with "file:LINE: " (or "file: " for
// line 0) and contains `what`.
void check_error(const std::string& text, const ReadOptions& options, std::size_t line,
                 const std::string& what) {
  TempDir tmp;
  const std::string file = tmp.write("bad.csv", text).string();
  std::string message;
  try {
    read_csv(file, options);
  } catch (const lg::Error& e) {
    message = e.what();
  }
  INFO(message);
  const std::string where = line ? file + ":" + std::to_string(line) + ": " : file + ": ";
  CHECK(message.rfind(where, 0) == 0);
  CHECK(message.find(what) != std::string::npos);
}

}  // namespace

TEST_CASE("csv: quoted header, label columns by prefix", "[io][csv]") {
  const Dataset d = read_csv(fixture("csv/basic.csv"), by_prefix("y_"));
  d.check_consistent();
  CHECK_FALSE(d.sparse);
  CHECK(d.name == "basic");
  CHECK(d.feature_names == Names{"f1", "f2", "note, with comma"});
  CHECK(d.label_names == Names{"y_a", "y_b"});
  CHECK(features_of(d) == lg::test::matrix({{1.5, 2, 3}, {-1, 4, 0.5}, {0, 7, -0.25}}));
  CHECK(labels_of(d) == lg::test::matrix({{0, 1}, {1, 1}, {0, 0}}));
}

TEST_CASE("csv: label columns by name keep the given order", "[io][csv]") {
  const Dataset d = read_csv(fixture("csv/basic.csv"), by_columns({"y_b", "y_a"}));
  CHECK(d.label_names == Names{"y_b", "y_a"});
  CHECK(labels_of(d) == lg::test::matrix({{1, 0}, {1, 1}, {0, 0}}));
  CHECK(d.feature_names == Names{"f1", "f2", "note, with comma"});
}

TEST_CASE("csv: MEKA label count, last n columns", "[io][csv]") {
  const Dataset d = read_csv(fixture("csv/basic.csv"), by_count(-2));
  CHECK(d.label_names == Names{"y_a", "y_b"});
  CHECK(labels_of(d) == lg::test::matrix({{0, 1}, {1, 1}, {0, 0}}));
}

TEST_CASE("csv: CRLF, blank lines, byte-order mark, escaped quotes, line break in a quoted name",
          "[io][csv]") {
  const Dataset d = read_csv(fixture("csv/crlf_quoted.csv"), by_count(2));
  d.check_consistent();
  CHECK(d.label_names == Names{"lab1", "lab2"});
  CHECK(d.feature_names == Names{"say \"hi\"", "multi\r\nline"});
  CHECK(features_of(d) == lg::test::matrix({{2.5, 3}, {-4, 5}}));
  CHECK(labels_of(d) == lg::test::matrix({{1, 0}, {0, 1}}));
}

TEST_CASE("csv: missing values become NaN under ImputeMean, and read_datasets imputes them",
          "[io][csv]") {
  ReadOptions o = by_columns({"label"});
  o.missing = lg::MissingPolicy::ImputeMean;
  const Dataset d = read_csv(fixture("csv/missing.csv"), o);
  CHECK(std::isnan(d.dense(0, 1)));
  CHECK(std::isnan(d.dense(1, 0)));
  CHECK(std::isnan(d.dense(2, 1)));
  CHECK(d.dense(2, 0) == 3.0f);
  CHECK(labels_of(d) == lg::test::matrix({{1}, {0}, {1}}));
  const Dataset imputed = lg::read_datasets({fixture("csv/missing.csv")}, o);
  CHECK(features_of(imputed) == lg::test::matrix({{1, 2}, {2, 2}, {3, 2}}));
}

TEST_CASE("csv: read_dataset dispatches .csv", "[io][csv]") {
  CHECK(lg::read_dataset(fixture("csv/basic.csv"), by_prefix("y_")).rows() == 3);
}

TEST_CASE("csv: errors name the file and the line", "[io][csv]") {
  const std::string good = "a,b,y\n1,2,0\n";
  SECTION("no label columns declared") {
    check_error(good, {}, 0, "CSV needs label columns: --label-columns, --label-prefix or --labels n");
  }
  SECTION("named label column absent") {
    check_error(good, by_columns({"y", "z"}), 1, "expected a label column named 'z'");
  }
  SECTION("prefix matches nothing") {
    check_error(good, by_prefix("label_"), 1, "expected label columns whose names start with 'label_'");
  }
  SECTION("label count beyond the columns") {
    check_error(good, by_count(-4), 1, "expected a label count n with 1 <= |n| <= 3 (the columns), found -4");
  }
  SECTION("wrong field count") {
    check_error("a,b,y\n1,2,0\n\n1,2\n", by_prefix("y"), 4, "expected 3 fields as in the header, found 2");
  }
  SECTION("label not 0/1") {
    check_error("a,b,y\n1,2,0\n1,2,2\n", by_prefix("y"), 3, "expected 0 or 1 in label column 'y', found '2'");
    check_error("a,b,y\n1,2,?\n", by_prefix("y"), 2, "expected 0 or 1 in label column 'y', found '?'");
  }
  SECTION("non-numeric feature") {
    check_error("a,b,y\n1,x2,0\n", by_prefix("y"), 2, "expected a number in column 'b', found 'x2'");
  }
  SECTION("missing value under the error policy") {
    check_error("a,b,y\n1,2,0\n1,NA,1\n", by_prefix("y"), 3,
                "expected a number in column 'b', found the missing value 'NA'");
  }
  SECTION("line numbers count line breaks inside quotes") {
    check_error("a,\"b\nc\",y\n1,\"2\n\",0\n1,z,1\n", by_prefix("y"), 5, "found 'z'");
  }
  SECTION("unterminated quote") {
    check_error("a,b,y\n1,2,0\n1,\"2,0\n3,4,1\n", by_prefix("y"), 3, "unterminated quote");
  }
  SECTION("text after a closing quote") {
    check_error("a,b,y\n1,\"2\"x,0\n", by_prefix("y"), 2, "after a closing quote, found 'x'");
  }
  SECTION("duplicate column name") {
    check_error("a,b,a,y\n", by_prefix("y"), 1, "expected unique column names, found 'a' in columns 1 and 3");
  }
  SECTION("header only") { check_error("a,b,y\n", by_prefix("y"), 1, "expected data rows after the header"); }
  SECTION("empty file") { check_error("", by_prefix("y"), 1, "expected a header row, found an empty file"); }
  SECTION("missing file") {
    const std::string path = (TempDir().path() / "absent.csv").string();
    try {
      read_csv(path, by_prefix("y"));
      FAIL("no error");
    } catch (const lg::Error& e) {
      CHECK(std::string(e.what()).rfind(path + ": cannot open the file", 0) == 0);
    }
  }
}
