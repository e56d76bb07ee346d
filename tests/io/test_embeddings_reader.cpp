// Label embeddings files: tiny hand-written files for every rule and error, and ML-GCN's GloVe
// vectors for VOC (20 x 300) and COCO (80 x 300, names with spaces) from the shared data.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "helpers.hpp"
#include "io/embeddings_reader.hpp"

namespace {
using Catch::Matchers::Contains;
using lg::EmbeddingsNotes;
using lg::read_label_embeddings;

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("embeddings: rows in label order, comments, CRLF, tabs, '_' for spaces", "[io][embeddings]") {
  lg::test::TempDir tmp;
  const auto path = tmp.write("e.txt",
                              "\xEF\xBB\xBF# GloVe-like vectors\r\n"
                              "cat 1 2.5 -3\r\n"
                              "\r\n"
                              "unused 9 9 9\r\n"
                              "  # an indented comment\n"
                              "traffic_light\t0.25\t-1e-2  +4\n"
                              "dog 7 8 9");  // no final newline
  EmbeddingsNotes notes;
  const Eigen::MatrixXf e = read_label_embeddings(path, {"dog", "traffic light", "cat"}, &notes);
  REQUIRE(e.rows() == 3);
  REQUIRE(e.cols() == 3);
  CHECK(e(0, 0) == 7.0f);
  CHECK(e(0, 2) == 9.0f);
  CHECK(e(1, 0) == 0.25f);
  CHECK(e(1, 1) == -0.01f);
  CHECK(e(1, 2) == 4.0f);
  CHECK(e(2, 0) == 1.0f);
  CHECK(e(2, 1) == 2.5f);
  CHECK(e(2, 2) == -3.0f);
  CHECK(notes.rows_read == 4);
  CHECK(notes.ignored_rows == 1);
  CHECK(notes.matched_by_underscore == 1);
  CHECK(notes.dims == 3);
  REQUIRE(notes.notes.size() == 2);
  CHECK_THAT(notes.notes[0], Contains("1 rows") && Contains("ignored"));
}

TEST_CASE("embeddings: an exact name wins over the '_' spelling", "[io][embeddings]") {
  lg::test::TempDir tmp;
  const auto path = tmp.write("e.txt", "a_b 1 2\n");
  EmbeddingsNotes notes;
  const Eigen::MatrixXf e = read_label_embeddings(path, {"a_b"}, &notes);
  CHECK(e(0, 1) == 2.0f);
  CHECK(notes.matched_by_underscore == 0);
  // With both spellings in the label set, the row belongs to "a_b" and "a b" has none.
  CHECK_THROWS_WITH(read_label_embeddings(path, {"a b", "a_b"}),
                    Contains("e.txt") && Contains("1 of 2 labels") && Contains("'a b'"));
}

TEST_CASE("embeddings: bad rows name the file, the line and what was expected", "[io][embeddings]") {
  lg::test::TempDir tmp;
  const std::vector<std::string> labels = {"a", "b", "c"};

  const auto ragged = tmp.write("ragged.txt", "# header\na 1 2 3\nb 1 2\nc 1 2 3\n");
  CHECK_THROWS_WITH(read_label_embeddings(ragged, labels),
                    Contains("ragged.txt:3:") && Contains("expected 3 values") &&
                        Contains("found 2"));
  // Rows outside the label set must still have the right shape (line 2 here).
  const auto ragged_extra = tmp.write("extra.txt", "a 1 2\nzzz 1 2 3\nb 1 2\nc 1 2\n");
  CHECK_THROWS_WITH(read_label_embeddings(ragged_extra, labels),
                    Contains("extra.txt:2:") && Contains("expected 2 values") &&
                        Contains("found 3"));

  const auto word = tmp.write("word.txt", "a 1 2\nb 1 x2\nc 1 2\n");
  CHECK_THROWS_WITH(read_label_embeddings(word, labels),
                    Contains("word.txt:2:") && Contains("value 2") && Contains("'x2'") &&
                        Contains("expected a finite number"));
  const auto nan = tmp.write("nan.txt", "a 1 2\nb nan 2\nc 1 2\n");
  CHECK_THROWS_WITH(read_label_embeddings(nan, labels), Contains("nan.txt:2:") && Contains("'nan'"));
  const auto inf = tmp.write("inf.txt", "a 1 2\nb 1 1e99\nc 1 2\n");
  CHECK_THROWS_WITH(read_label_embeddings(inf, labels), Contains("inf.txt:2:") && Contains("1e99"));

  const auto twice = tmp.write("twice.txt", "a 1 2\n\nb 3 4\nc 1 2\na 5 6\n");
  CHECK_THROWS_WITH(read_label_embeddings(twice, labels),
                    Contains("twice.txt:5:") && Contains("'a'") && Contains("first on line 1"));
  // A label reached through its '_' spelling twice is a duplicate too.
  const auto twice_underscore = tmp.write("tu.txt", "x_y 1\nx_y 2\n");
  CHECK_THROWS_WITH(read_label_embeddings(twice_underscore, {"x y"}),
                    Contains("tu.txt:2:") && Contains("'x y'") && Contains("first on line 1"));
  const auto empty_row = tmp.write("bare.txt", "a\nb 1\n");
  CHECK_THROWS_WITH(read_label_embeddings(empty_row, labels),
                    Contains("bare.txt:1:") && Contains("'a' has no values"));
  const auto blank = tmp.write("blank.txt", "# nothing\n\n");
  CHECK_THROWS_WITH(read_label_embeddings(blank, labels),
                    Contains("blank.txt") && Contains("no embedding rows"));
  CHECK_THROWS_WITH(read_label_embeddings(tmp / "absent.txt", labels),
                    Contains("absent.txt") && Contains("cannot open"));
  CHECK_THROWS_WITH(read_label_embeddings(word, {}), Contains("no label names"));
  CHECK_THROWS_WITH(read_label_embeddings(word, {"a", "b", "a"}),
                    Contains("'a' appears twice in the label set"));
}

TEST_CASE("embeddings: every missing label is an error, listed by name with the count",
          "[io][embeddings]") {
  lg::test::TempDir tmp;
  const auto path = tmp.write("few.txt", "l2 1 2\nother 0 0\n");
  // 8 labels, 7 missing: the first five by name, then "and 2 more".
  const std::vector<std::string> labels = {"l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7"};
  CHECK_THROWS_WITH(read_label_embeddings(path, labels),
                    Contains("few.txt") && Contains("7 of 8 labels have no embedding row") &&
                        Contains("'l0', 'l1', 'l3', 'l4', 'l5' and 2 more"));
  CHECK_THROWS_WITH(read_label_embeddings(path, {"l2", "l9"}),
                    Contains("1 of 2 labels") && Contains("'l9'") && !Contains("more"));
}

TEST_CASE("embeddings: ML-GCN's VOC GloVe vectors", "[io][embeddings][shared]") {
  const auto vectors = lg::test::shared_file("mlgcn-adj/voc_glove300.txt");
  const auto names = lg::test::shared_file("mlgcn-adj/voc_labels.txt");
  if (!vectors || !names) return;
  const std::vector<std::string> labels = read_lines(*names);
  REQUIRE(labels.size() == 20);
  EmbeddingsNotes notes;
  const Eigen::MatrixXf e = read_label_embeddings(*vectors, labels, &notes);
  REQUIRE(e.rows() == 20);
  REQUIRE(e.cols() == 300);
  CHECK(notes.ignored_rows == 0);
  CHECK(notes.notes.empty());
  // From the file text: "aeroplane 0.1699499934911728 ..." and tvmonitor's last value.
  CHECK(e(0, 0) == 0.1699499934911728f);
  CHECK(labels[19] == "tvmonitor");
  CHECK(e(19, 299) == 0.12519000470638275f);
}

TEST_CASE("embeddings: ML-GCN's COCO GloVe vectors match names with spaces",
          "[io][embeddings][shared]") {
  const auto vectors = lg::test::shared_file("mlgcn-adj/coco_glove300.txt");
  const auto names = lg::test::shared_file("mlgcn-adj/coco_labels.txt");
  if (!vectors || !names) return;
  const std::vector<std::string> labels = read_lines(*names);
  REQUIRE(labels.size() == 80);
  EmbeddingsNotes notes;
  const Eigen::MatrixXf e = read_label_embeddings(*vectors, labels, &notes);
  REQUIRE(e.rows() == 80);
  REQUIRE(e.cols() == 300);
  // coco_labels.txt has 15 names with a space ("traffic light", line 73 of both files).
  CHECK(notes.matched_by_underscore == 15);
  REQUIRE(labels[72] == "traffic light");
  CHECK(e(72, 0) == -0.10770344734191895f);
  CHECK(e(72, 299) == 0.07929499447345734f);
}
