#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "core/atomic_file.hpp"
#include "core/dataset.hpp"
#include "core/error.hpp"
#include "core/nets_loader.hpp"
#include "helpers.hpp"

namespace {
lg::Dataset tiny(bool sparse, float base) {
  lg::Dataset d;
  d.name = "tiny";
  d.feature_names = {"a", "b"};
  d.label_names = {"x", "y", "z"};
  d.dense.resize(2, 2);
  d.dense << base, 0, 0, base + 1;
  d.labels.resize(2, 3);
  d.labels << 1, 0, 1, 0, 1, 0;
  d.sparse = sparse;
  if (sparse) d.csr = d.dense.sparseView();
  d.sources = {"part" + std::to_string(static_cast<int>(base))};
  return d;
}
}  // namespace

TEST_CASE("Error names file and line", "[core]") {
  lg::Error e("data/x.arff", 12, "expected 3 values, found 2");
  CHECK(std::string(e.what()) == "data/x.arff:12: expected 3 values, found 2");
  CHECK(e.file() == "data/x.arff");
  CHECK(e.line() == 12);
  CHECK(std::string(lg::Error("f.csv", 0, "missing").what()) == "f.csv: missing");
  CHECK(std::string(lg::Error("plain").what()) == "plain");
}

TEST_CASE("concat_rows stacks train and test, dense or mixed", "[core]") {
  lg::Dataset all = lg::concat_rows({tiny(false, 1), tiny(false, 5)});
  REQUIRE(all.rows() == 4);
  CHECK_FALSE(all.sparse);
  CHECK(all.dense(2, 0) == 5.0f);
  CHECK(all.dense(3, 1) == 6.0f);
  CHECK(all.labels(3, 1) == 1);
  CHECK(all.sources == std::vector<std::string>{"part1", "part5"});
  all.check_consistent();

  lg::Dataset mixed = lg::concat_rows({tiny(false, 1), tiny(true, 5)});
  REQUIRE(mixed.sparse);
  CHECK(mixed.csr.coeff(0, 0) == 1.0f);
  CHECK(mixed.csr.coeff(3, 1) == 6.0f);
  CHECK(mixed.csr.nonZeros() == 4);
  mixed.check_consistent();
}

TEST_CASE("concat_rows refuses parts with other labels", "[core]") {
  lg::Dataset other = tiny(false, 1);
  other.label_names = {"x", "y", "w"};
  other.sources = {"test.arff"};
  try {
    lg::concat_rows({tiny(false, 1), other});
    FAIL("expected an error");
  } catch (const lg::Error& e) {
    CHECK(e.file() == "test.arff");
  }
}

TEST_CASE("select_rows keeps the order asked for", "[core]") {
  for (bool sparse : {false, true}) {
    lg::Dataset all = lg::concat_rows({tiny(sparse, 1), tiny(sparse, 5)});
    lg::Dataset pick = lg::select_rows(all, {3, 0});
    REQUIRE(pick.rows() == 2);
    const lg::DenseFeatures x = sparse ? lg::DenseFeatures(pick.csr) : pick.dense;
    CHECK(x(0, 1) == 6.0f);
    CHECK(x(1, 0) == 1.0f);
    CHECK(pick.labels(0, 1) == 1);
    CHECK(pick.labels(1, 2) == 1);
  }
}

TEST_CASE("AtomicFile leaves nothing behind unless committed", "[core]") {
  lg::test::TempDir tmp;
  const auto target = tmp / "sub" / "out.txt";
  {
    lg::AtomicFile f(target);
    f.stream() << "half";
  }
  CHECK_FALSE(std::filesystem::exists(target));
  CHECK(std::filesystem::is_empty(tmp / "sub"));
  lg::write_file_atomically(target, "whole\n");
  std::ifstream in(target);
  std::string line;
  std::getline(in, line);
  CHECK(line == "whole");
  CHECK(std::distance(std::filesystem::directory_iterator(tmp / "sub"), {}) == 1);
}

TEST_CASE("moving a sparse Dataset hands over the CSR without copying it", "[core]") {
  lg::Dataset a = tiny(true, 1);
  const float* values = a.csr.valuePtr();
  lg::Dataset b = std::move(a);
  CHECK(b.csr.valuePtr() == values);
  CHECK(b.csr.coeff(1, 1) == 2.0f);
  lg::Dataset c;
  c = std::move(b);
  CHECK(c.csr.valuePtr() == values);
  CHECK(c.rows() == 2);
}

TEST_CASE("the LibTorch plugin loads on demand and configures torch", "[core][nets]") {
  const lg::NetsApi& api = lg::nets_api();
  CHECK(api.abi_version == lg::kNetsAbiVersion);
  CHECK(std::string(api.labelgraph_version) == LABELGRAPH_VERSION);
  CHECK_THAT(api.torch_version(), Catch::Matchers::Contains("1."));
  lg::Context ctx;
  ctx.threads = 1;
  api.configure_torch(ctx);  // must not throw
  CHECK(&lg::nets_api() == &api);  // loaded once
}

TEST_CASE("a missing plugin is a clear error", "[core][nets]") {
  // The process above already loaded the plugin, so check through the binary.
  lg::test::TempDir tmp;
  const auto config = tmp.write("c.toml", "[[datasets]]\nname = \"s\"\n[datasets.synthetic]\nrows = 10\n"
                                         "[[algorithms]]\nname = \"mlp-br\"\n");
  lg::test::ScopedEnv env("LABELGRAPH_NETS_PLUGIN", (tmp / "nope.so").string());
  const auto r = lg::test::run_labelgraph("run '" + config.string() + "' --out '" + (tmp / "o").string() + "'");
  CHECK(r.status != 0);
  CHECK_THAT(r.err, Catch::Matchers::Contains("nope.so (absent)"));
  // A config without a network runs without the plugin.
  const auto classical = tmp.write("k.toml", "[split]\nmethod = \"holdout\"\n[[datasets]]\nname = \"s\"\n[datasets.synthetic]\nrows = 30\n"
                                             "[[algorithms]]\nname = \"br\"\n");
  const auto k = lg::test::run_labelgraph("run '" + classical.string() + "' --out '" + (tmp / "k").string() + "'");
  INFO(k.err);
  CHECK(k.status == 0);
  // Commands that do not train never load it.
  const auto stats = lg::test::run_labelgraph("synth --rows 5 --labels 3 --groups 1 --features 2 --out '" + (tmp / "s.arff").string() + "'");
  CHECK(stats.status == 0);
}
