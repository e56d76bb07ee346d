// `labelgraph synth` end to end: byte-identical files for one seed, different files for
// another, the requested shape when read back, MULAN style with its XML, and errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "helpers.hpp"
#include "io/read_dataset.hpp"

namespace {
using lg::test::run_labelgraph;
using lg::test::TempDir;

std::string synth(const std::filesystem::path& out, const std::string& options) {
  return "synth --rows 120 --labels 9 --features 6 --groups 3 --out '" + out.string() + "' " +
         options;
}

}  // namespace

TEST_CASE("synth cli: the same seed writes a byte-identical file, another seed does not",
          "[cli]") {
  TempDir dir;
  REQUIRE(run_labelgraph(synth(dir / "a.arff", "--seed 5")).status == 0);
  REQUIRE(run_labelgraph(synth(dir / "b.arff", "--seed 5")).status == 0);
  REQUIRE(run_labelgraph(synth(dir / "c.arff", "--seed 6")).status == 0);
  const std::string a = lg::test::read_file(dir / "a.arff");
  CHECK_FALSE(a.empty());
  CHECK(a == lg::test::read_file(dir / "b.arff"));
  CHECK(a != lg::test::read_file(dir / "c.arff"));
}

TEST_CASE("synth cli: the file has the requested shape", "[cli]") {
  TempDir dir;
  const auto r = run_labelgraph(synth(dir / "s.arff", "--seed 1 --imbalance 0.5 --weak-fraction 0.25"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("s.arff") != std::string::npos);
  const lg::Dataset d = lg::read_dataset(dir / "s.arff");
  CHECK(d.rows() == 120);
  CHECK(d.num_labels() == 9);
  CHECK(d.num_features() == 6);
  int weak = 0;
  for (const auto& name : d.label_names) weak += name.find("_weak") != std::string::npos;
  CHECK(weak == 2);  // floor(0.25 * 9)
}

TEST_CASE("synth cli: mulan style writes the label XML beside the file", "[cli]") {
  TempDir dir;
  const auto r = run_labelgraph(synth(dir / "m.arff", "--format mulan"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(std::filesystem::exists(dir / "m.xml"));
  const lg::Dataset d = lg::read_dataset(dir / "m.arff");
  CHECK(d.num_labels() == 9);
  CHECK(d.rows() == 120);
  // `stats` reads it back too.
  CHECK(run_labelgraph("stats '" + (dir / "m.arff").string() + "' --format json").status == 0);
}

TEST_CASE("synth cli: bad options give a non-zero exit and say why", "[cli]") {
  TempDir dir;
  CHECK(run_labelgraph("synth --rows 10").status != 0);  // --out is required
  CHECK(run_labelgraph(synth(dir / "x.arff", "--format xls")).status != 0);
  CHECK(run_labelgraph(synth(dir / "x.arff", "--rows -3")).status != 0);
  const auto groups = run_labelgraph(synth(dir / "x.arff", "--groups 40"));
  CHECK(groups.status != 0);
  CHECK(groups.err.find("groups") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "x.arff"));
  const auto help = run_labelgraph("synth --help");
  CHECK(help.status == 0);
  CHECK(help.out.find("--weak-fraction") != std::string::npos);
}
