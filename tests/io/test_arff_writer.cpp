// ARFF writer: read -> write -> read gives bit-identical data, dense and sparse, MEKA and MULAN.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "core/error.hpp"
#include "helpers.hpp"
#include "io/arff_reader.hpp"
#include "io/arff_writer.hpp"
#include "io/mulan_xml.hpp"

using lg::ArffStyle;
using lg::ArffWriteOptions;
using lg::Dataset;
using lg::Index;
using lg::ReadOptions;
using lg::test::fixture;
using lg::test::shared_file;
using lg::test::TempDir;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;

namespace {

using Strings = std::vector<std::string>;

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Names, labels, sparsity and every feature value, bit for bit.
void check_identical(const Dataset& a, const Dataset& b) {
  CHECK(a.name == b.name);
  CHECK(a.feature_names == b.feature_names);
  CHECK(a.label_names == b.label_names);
  REQUIRE(a.sparse == b.sparse);
  REQUIRE(a.rows() == b.rows());
  CHECK(a.labels == b.labels);
  std::size_t differ = 0;
  if (a.sparse) {
    REQUIRE(a.csr.nonZeros() == b.csr.nonZeros());
    for (Index r = 0; r <= a.csr.outerSize(); ++r) differ += a.csr.outerIndexPtr()[r] != b.csr.outerIndexPtr()[r];
    for (Index k = 0; k < a.csr.nonZeros(); ++k)
      differ += a.csr.innerIndexPtr()[k] != b.csr.innerIndexPtr()[k] ||
                !same_bits(a.csr.valuePtr()[k], b.csr.valuePtr()[k]);
  } else {
    REQUIRE(a.dense.cols() == b.dense.cols());
    for (Index k = 0; k < a.dense.size(); ++k) differ += !same_bits(a.dense.data()[k], b.dense.data()[k]);
  }
  CHECK(differ == 0);
}

ReadOptions impute() {
  ReadOptions o;
  o.missing = lg::MissingPolicy::ImputeMean;  // keeps '?' as NaN so it round-trips
  return o;
}

// Write in the file's own storage (dense or sparse) in both styles, each in its own folder so
// a MULAN XML never sits beside a MEKA file, and read back.
void check_round_trip(const Dataset& original, const ReadOptions& options = {}) {
  for (ArffStyle style : {ArffStyle::Meka, ArffStyle::Mulan}) {
    const bool mulan = style == ArffStyle::Mulan;
    DYNAMIC_SECTION((mulan ? "MULAN" : "MEKA") << (original.sparse ? " sparse" : " dense")) {
      TempDir tmp;
      const fs::path path = tmp / "out.arff";
      const auto written = lg::write_arff(original, path, {style, original.sparse});
      CHECK(written.size() == (mulan ? 2u : 1u));
      check_identical(original, lg::read_arff(path, options));
    }
  }
}

}  // namespace

TEST_CASE("ARFF round trip of the grammar fixture (NaN, one-hot, odd names)", "[io][arff]") {
  check_round_trip(lg::read_arff(fixture("arff/grammar.arff"), impute()), impute());
}

TEST_CASE("ARFF round trip of the sparse fixture", "[io][arff]") {
  check_round_trip(lg::read_arff(fixture("arff/sparse.arff")));
}

TEST_CASE("ARFF round trip: dense written sparse and back", "[io][arff]") {
  const Dataset dense = lg::read_arff(fixture("arff/meka.arff"));
  TempDir tmp;
  lg::write_arff(dense, tmp / "s.arff", {ArffStyle::Meka, true});
  const Dataset back = lg::read_arff(tmp / "s.arff");
  CHECK(back.sparse);
  CHECK(lg::DenseFeatures(back.csr.toDense()) == dense.dense);
  CHECK(back.labels == dense.labels);
}

TEST_CASE("ARFF writer: shortest float text reads back bit-identical", "[io][arff]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::uint32_t> bits;
  Dataset d;
  d.name = "floats";
  const Index n = 200, D = 6;
  d.dense.resize(n, D);
  d.labels.resize(n, 1);
  for (Index k = 0; k < d.dense.size(); ++k) {
    float v = 0;
    do {  // random bit patterns: normals, denormals, huge and tiny values
      const std::uint32_t b = bits(rng);
      std::memcpy(&v, &b, sizeof v);
    } while (std::isnan(v) || std::isinf(v));
    d.dense.data()[k] = v;
  }
  d.dense(0, 0) = -0.0f;
  d.dense(0, 1) = std::numeric_limits<float>::denorm_min();
  d.dense(0, 2) = std::numeric_limits<float>::max();
  d.dense(0, 3) = std::numeric_limits<float>::infinity();
  d.dense(0, 4) = -std::numeric_limits<float>::infinity();
  for (Index r = 0; r < n; ++r) d.labels(r, 0) = static_cast<std::uint8_t>(r % 2);
  for (Index c = 0; c < D; ++c) d.feature_names.push_back("f" + std::to_string(c));
  d.label_names = {"y"};
  check_round_trip(d);
}

TEST_CASE("ARFF writer: names are quoted and escaped when needed", "[io][arff]") {
  Dataset d;
  d.name = "a name: with 'quotes'";
  d.feature_names = {"a b", "it's", "back\\slash", "comma,name", "{brace}", "50%", "?", "tab\there", "plain"};
  d.label_names = {"label one", "TAG_m\\'usica", "\"dq\""};
  d.dense = lg::DenseFeatures::Constant(2, 9, 1.5f);
  d.labels.resize(2, 3);
  d.labels << 1, 0, 1, 0, 1, 1;
  check_round_trip(d);
}

TEST_CASE("ARFF writer: MEKA puts labels first with -C, MULAN puts them last with an XML", "[io][arff]") {
  const Dataset d = lg::read_arff(fixture("arff/meka.arff"));
  TempDir tmp;
  SECTION("MEKA") {
    lg::write_arff(d, tmp / "m.arff", {ArffStyle::Meka, false});
    const std::string text = lg::test::read_file(tmp / "m.arff");
    CHECK_THAT(text, StartsWith("@relation 'Tiny: -C 2'\n"));
    CHECK_THAT(text, Contains("@attribute happy {0,1}\n@attribute sad {0,1}\n@attribute f1 numeric\n"));
    CHECK_THAT(text, Contains("@data\n1,0,0.25,-1\n0,1,3,4\n"));
    CHECK_FALSE(fs::exists(tmp / "m.xml"));
  }
  SECTION("MULAN") {
    const auto written = lg::write_arff(d, tmp / "m.arff", {ArffStyle::Mulan, true});
    CHECK(written == std::vector<fs::path>{tmp / "m.arff", tmp / "m.xml"});
    const std::string text = lg::test::read_file(tmp / "m.arff");
    CHECK_THAT(text, StartsWith("@relation Tiny\n"));
    CHECK_THAT(text, Contains("@attribute f2 numeric\n@attribute happy {0,1}\n@attribute sad {0,1}\n"));
    CHECK_THAT(text, Contains("@data\n{0 0.25,1 -1,2 1}\n{0 3,1 4,3 1}\n"));
    CHECK(lg::read_mulan_xml(tmp / "m.xml") == Strings{"happy", "sad"});
  }
}

TEST_CASE("ARFF writer: nothing half-written on error", "[io][arff]") {
  TempDir tmp;
  Dataset bad = lg::read_arff(fixture("arff/meka.arff"));
  bad.feature_names.push_back("extra");  // names disagree with the matrix
  const fs::path target = tmp.write("keep.arff", "old contents\n");
  CHECK_THROWS_AS(lg::write_arff(bad, target), lg::Error);
  CHECK(lg::test::read_file(target) == "old contents\n");
  CHECK_THROWS_WITH(lg::write_arff(lg::read_arff(fixture("arff/meka.arff")), tmp / "no" / "dir.arff"),
                    Contains("dir.arff") && Contains("cannot write"));
  CHECK(std::distance(fs::directory_iterator(tmp.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("ARFF round trip of real shared files (emotions dense, enron sparse)", "[io][arff][shared]") {
  SECTION("emotions") {
    const auto path = shared_file("emotions/emotions-train.arff");
    if (!path) return;
    const Dataset d = lg::read_arff(*path);
    REQUIRE(d.rows() == 391);
    check_round_trip(d);
  }
  SECTION("enron") {
    const auto path = shared_file("enron/enron-train.arff");
    if (!path) return;
    const Dataset d = lg::read_arff(*path);
    REQUIRE(d.sparse);
    check_round_trip(d);
  }
  SECTION("MEKA Scene") {
    const auto path = shared_file("meka/Scene.arff");
    if (!path) return;
    check_round_trip(lg::read_arff(*path));
  }
}
