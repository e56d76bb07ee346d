// Every real shared ARFF file reads without error, with the label count its README gives and
// the row and feature counts of the published tables (MULAN's data set page, mldr).
#include <catch2/catch.hpp>

#include <algorithm>

#include "helpers.hpp"
#include "io/arff_reader.hpp"

using lg::Dataset;
using lg::Index;
using lg::test::shared_file;

namespace {

struct Expected {
  const char* file;  // under the shared data root
  Index labels;
  Index rows;        // -1: no published figure to check
  Index features;    // -1: no published figure to check
  bool sparse;
};

// Labels: ../shared/datasets/README.md. Rows and features: the published train/test splits.
const Expected kFiles[] = {
    {"emotions/emotions.arff", 6, 593, 72, false},
    {"emotions/emotions-train.arff", 6, 391, 72, false},
    {"emotions/emotions-test.arff", 6, 202, 72, false},
    {"scene/scene-train.arff", 6, 1211, 294, false},
    {"scene/scene-test.arff", 6, 1196, 294, false},
    {"yeast/yeast.arff", 14, 2417, 103, false},
    {"yeast/yeast-train.arff", 14, 1500, 103, false},
    {"yeast/yeast-test.arff", 14, 917, 103, false},
    {"enron/enron.arff", 53, 1702, 1001, true},
    {"enron/enron-train.arff", 53, 1123, 1001, true},
    {"enron/enron-test.arff", 53, 579, 1001, true},
    {"medical/medical.arff", 45, 978, 1449, true},
    {"medical/medical-train.arff", 45, 333, 1449, true},
    {"medical/medical-test.arff", 45, 645, 1449, true},
    {"bibtex/bibtex.arff", 159, 7395, 1836, true},
    {"bibtex/bibtex-train.arff", 159, 4880, 1836, true},
    {"bibtex/bibtex-test.arff", 159, 2515, 1836, true},
    {"corel5k/Corel5k-sparse.arff", 374, 5000, 499, true},
    {"corel5k/Corel5k-train-sparse.arff", 374, 4500, 499, true},
    {"corel5k/Corel5k-test-sparse.arff", 374, 500, 499, true},
    {"corel5k/Corel5k-test.arff", 374, 500, 499, false},
    {"delicious/delicious.arff", 983, 16105, 500, true},
    {"delicious/delicious-train.arff", 983, 12920, 500, true},
    {"delicious/delicious-test.arff", 983, 3185, 500, true},
    {"tmc2007/tmc2007-500.arff", 22, 28596, 500, true},
    {"tmc2007/tmc2007-500-train.arff", 22, 21519, 500, true},
    {"tmc2007/tmc2007-500-test.arff", 22, 7077, 500, true},
    {"meka/Music.arff", 6, 592, -1, false},
    {"meka/Scene.arff", 6, 2407, 294, false},
    {"meka/Yeast.arff", 14, 2417, 103, false},
    {"meka/Enron.arff", 53, 1702, 1001, true},
    {"meka/Imdb.arff", 28, 120919, 1001, true},
};

}  // namespace

TEST_CASE("Every shared ARFF file reads with its published label, row and feature counts", "[io][arff][shared]") {
  for (const Expected& e : kFiles) {
    const auto path = shared_file(e.file);
    if (!path) continue;
    INFO(e.file);
    const Dataset d = lg::read_arff(*path);
    d.check_consistent();
    CHECK(d.num_labels() == e.labels);
    if (e.rows >= 0) CHECK(d.rows() == e.rows);
    if (e.features >= 0) CHECK(d.num_features() == e.features);
    CHECK(d.sparse == e.sparse);
  }
}

TEST_CASE("Shared files: the XML declares the labels and their order", "[io][arff][shared]") {
  SECTION("medical: the XML wins over the stale -C 45 in @relation") {
    const auto path = shared_file("medical/medical-train.arff");
    if (!path) return;
    const Dataset d = lg::read_arff(*path);
    CHECK(d.label_names.front() == "Class-0-593_70");
    CHECK(d.feature_names.front() == "-");  // with -C 45 the first attribute would be a label
  }
  SECTION("yeast: label columns follow the XML's order, not the ARFF's") {
    const auto path = shared_file("yeast/yeast-train.arff");
    if (!path) return;
    const Dataset d = lg::read_arff(*path);
    REQUIRE(d.num_labels() == 14);
    CHECK(d.label_names[3] == "Class6");
  }
  SECTION("delicious: a label name with a backslash matches its literal attribute") {
    const auto path = shared_file("delicious/delicious-test.arff");
    if (!path) return;
    const Dataset d = lg::read_arff(*path);
    CHECK(std::find(d.label_names.begin(), d.label_names.end(), "TAG_m\\'usica") != d.label_names.end());
  }
}

TEST_CASE("Shared files: MEKA's Scene holds the same labels as MULAN's train + test", "[io][arff][shared]") {
  const auto meka = shared_file("meka/Scene.arff");
  const auto train = shared_file("scene/scene-train.arff");
  const auto test = shared_file("scene/scene-test.arff");
  if (!meka || !train || !test) return;
  const Dataset m = lg::read_arff(*meka);
  const Dataset a = lg::read_arff(*train);
  const Dataset b = lg::read_arff(*test);
  // Same label counts per column over all rows (MEKA's file is train then test).
  for (Index j = 0; j < 6; ++j)
    CHECK(m.labels.col(j).cast<int>().sum() == a.labels.col(j).cast<int>().sum() + b.labels.col(j).cast<int>().sum());
}
