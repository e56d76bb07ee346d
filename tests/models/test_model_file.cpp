// The labelgraph model file (models/model_file.hpp): every classical model of the registry,
// with varied parameters, fitted, saved, loaded and asked for scores gives the fitted model's
// scores bit for bit; the standardisation travels in the file; data of another label set or
// feature width, another format version, a truncated or damaged file and a file that is not a
// model are refused with a message naming the file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "core/error.hpp"
#include "data/synthetic.hpp"
#include "helpers.hpp"
#include "models/model_file.hpp"
#include "models/registry.hpp"

namespace {
using lg::Context;
using lg::Dataset;
using lg::Index;
using lg::ScoreMatrix;
using lg::test::error_of;
using lg::test::TempDir;
namespace fs = std::filesystem;

/// Parameter variants per classical algorithm (TOML tables). Every registered classical model
/// must have an entry here: a new one cannot be left out of the round-trip test.
const std::map<std::string, std::vector<std::string>>& variants() {
  static const std::map<std::string, std::vector<std::string>> v = {
      {"br", {"", "learner = 'svm'\nC = 0.5", "learner = 'lr'\nclass_weight = 'balanced'\nmax_iter = 20"}},
      {"cc", {"order = 'mst'", "order = 'random'\nlearner = 'svm'", "order = 'frequency'"}},
      {"ecc", {"m = 3", "m = 4\nbagging = 0.7", "m = 2\nbagging = 0.5\nlearner = 'svm'"}},
      {"lp", {"", "C = 0.3\nmax_iter = 15"}},
      {"rakel", {"variant = 'd'\nk = 3", "variant = 'o'\nk = 2\nm = 5", "variant = 'o'\nk = 3\nseed_offset = 7"}},
      {"mlknn", {"k = 5", "k = 7\ns = 0.5\nindex = 'exact'", "k = 6\nindex = 'hnsw'"}},
      {"lp-communities", {"", "resolution = 2.0"}},
  };
  return v;
}

struct Split {
  Dataset train, test;
};

Split data(bool sparse = false) {
  lg::SyntheticSpec spec;
  spec.rows = 160;
  spec.labels = 7;
  spec.features = 9;
  spec.groups = 3;
  spec.top_frequency = 0.4;
  Dataset all = lg::make_synthetic(spec, 11);
  if (sparse) {
    // zero about half of the entries so the CSR is really sparse
    for (Index i = 0; i < all.dense.rows(); ++i)
      for (Index j = 0; j < all.dense.cols(); ++j)
        if ((i + j) % 2 == 0) all.dense(i, j) = 0.0f;
    all = lg::test::as_sparse(all);
  }
  std::vector<Index> train_rows, test_rows;
  for (Index i = 0; i < all.rows(); ++i) (i % 4 == 3 ? test_rows : train_rows).push_back(i);
  return {lg::select_rows(all, train_rows), lg::select_rows(all, test_rows)};
}

lg::models::ModelPtr make(const std::string& name, const std::string& params) {
  return lg::models::make_model(name, toml::parse(params));
}

bool bit_identical(const ScoreMatrix& a, const ScoreMatrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0;
}

std::string read_bytes(const fs::path& p) { return lg::test::read_file(p); }
void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace

TEST_CASE("every classical model: fit, save, load, predict gives bit-identical scores",
          "[models][model_file]") {
  const std::vector<std::string> names = lg::models::classical_model_names();
  REQUIRE(names.size() >= 7);
  TempDir dir;
  Context ctx;
  ctx.threads = 2;
  ctx.seed = 5;
  for (const bool sparse : {false, true}) {
    const Split s = data(sparse);
    for (const std::string& name : names) {
      if (name.rfind("test-", 0) == 0) continue;  // a model another test registered for itself
      INFO("algorithm " << name << (sparse ? " (sparse features)" : ""));
      const auto it = variants().find(name);
      REQUIRE(it != variants().end());  // add the new model's variants above
      for (const std::string& params : it->second) {
        if (sparse && params.find("hnsw") != std::string::npos) continue;  // hnsw densifies; dense is enough
        INFO("parameters: " << params);
        lg::models::ModelPtr model = make(name, params);
        model->fit(s.train, ctx);
        const ScoreMatrix fitted = model->predict_scores(s.test, ctx);
        const fs::path file = dir / (name + ".lgm");
        lg::models::save_model_file(file, *model, s.train);
        REQUIRE(lg::models::is_model_file(file));
        const lg::models::LoadedModel loaded = lg::models::load_model_file(file);
        CHECK(loaded.model->name() == name);
        CHECK(loaded.info.algorithm == name);
        CHECK(loaded.info.label_names == s.train.label_names);
        CHECK(loaded.info.num_features == s.train.num_features());
        CHECK(loaded.model->notes() == model->notes());
        CHECK(loaded.model->resolved_params() == model->resolved_params());
        CHECK(bit_identical(loaded.predict(s.test, ctx), fitted));
        // and on the training rows, with another thread count
        Context one = ctx;
        one.threads = 1;
        CHECK(bit_identical(loaded.model->predict_scores(s.train, one), model->predict_scores(s.train, one)));
        // saving the loaded model again writes the same file
        const fs::path again = dir / (name + "-again.lgm");
        lg::models::save_model_file(again, *loaded.model, s.train);
        CHECK(read_bytes(again) == read_bytes(file));
      }
    }
  }
}

TEST_CASE("a model file keeps the training standardisation: predict on raw rows", "[models][model_file]") {
  const Split s = data();
  Dataset train = s.train, test = s.test;
  const lg::Standardizer scaler = lg::Standardizer::fit(train);
  scaler.apply(train);
  scaler.apply(test);
  Context ctx;
  ctx.threads = 1;
  lg::models::ModelPtr model = make("br", "");
  model->fit(train, ctx);
  const ScoreMatrix fitted = model->predict_scores(test, ctx);
  TempDir dir;
  lg::models::save_model_file(dir / "m.lgm", *model, s.train, &scaler);
  const lg::models::LoadedModel loaded = lg::models::load_model_file(dir / "m.lgm");
  REQUIRE(loaded.info.standardizer);
  CHECK(bit_identical(loaded.predict(s.test, ctx), fitted));  // raw rows in
  CHECK_FALSE(bit_identical(loaded.model->predict_scores(s.test, ctx), fitted));  // unscaled differs
}

TEST_CASE("a model file refuses other data, other versions, damage and non-models",
          "[models][model_file]") {
  const Split s = data();
  Context ctx;
  ctx.threads = 1;
  lg::models::ModelPtr model = make("cc", "order = 'random'");
  model->fit(s.train, ctx);
  TempDir dir;
  const fs::path file = dir / "cc.lgm";
  lg::models::save_model_file(file, *model, s.train);
  const lg::models::LoadedModel loaded = lg::models::load_model_file(file);
  const std::string bytes = read_bytes(file);

  SECTION("labels in another order") {
    Dataset other = s.test;
    std::swap(other.label_names[0], other.label_names[1]);
    const std::string e = error_of([&] { loaded.predict(other, ctx); });
    CHECK_THAT(e, Catch::Contains(file.string()));
    CHECK_THAT(e, Catch::Contains("other labels"));
    CHECK_THAT(e, Catch::Contains("position 1"));
  }
  SECTION("another label count") {
    Dataset other = s.test;
    other.labels.conservativeResize(other.rows(), other.num_labels() - 1);
    other.label_names.pop_back();
    const std::string e = error_of([&] { loaded.predict(other, ctx); });
    CHECK_THAT(e, Catch::Contains(file.string()));
    CHECK_THAT(e, Catch::Contains("7 labels") && Catch::Contains("the data has 6 labels"));
  }
  SECTION("another feature width") {
    Dataset other = s.test;
    other.dense.conservativeResize(other.rows(), other.dense.cols() + 1);
    other.dense.col(other.dense.cols() - 1).setZero();
    other.feature_names.push_back("extra");
    const std::string e = error_of([&] { loaded.predict(other, ctx); });
    CHECK_THAT(e, Catch::Contains(file.string()));
    CHECK_THAT(e, Catch::Contains("trained on 9 features; the data has 10"));
  }
  SECTION("other feature names of the same width") {
    Dataset other = s.test;
    other.feature_names[2] = "renamed";
    const std::string e = error_of([&] { loaded.predict(other, ctx); });
    CHECK_THAT(e, Catch::Contains(file.string()));
    CHECK_THAT(e, Catch::Contains("other features") && Catch::Contains("'renamed'"));
  }
  SECTION("another format version") {
    std::string v = bytes;
    const std::uint32_t two = 2;
    std::memcpy(&v[8], &two, 4);
    write_bytes(file, v);
    const std::string e = error_of([&] { lg::models::load_model_file(file); });
    CHECK_THAT(e, Catch::Contains(file.string()));
    CHECK_THAT(e, Catch::Contains("format version 2 is not supported") && Catch::Contains("reads version 1"));
  }
  SECTION("truncated") {
    for (const std::size_t keep : {std::size_t{4}, std::size_t{15}, std::size_t{60}, bytes.size() - 9}) {
      INFO("first " << keep << " bytes");
      write_bytes(file, bytes.substr(0, keep));
      const std::string e = error_of([&] { lg::models::load_model_file(file); });
      CHECK_THAT(e, Catch::Contains(file.string()));
      CHECK_THAT(e, Catch::Contains("truncated") || Catch::Contains("not a labelgraph model file"));
    }
    write_bytes(file, bytes.substr(0, bytes.size() - 9));
    CHECK_THAT(error_of([&] { lg::models::load_model_file(file); }), Catch::Contains("damaged model file") && Catch::Contains("(truncated)"));
  }
  SECTION("a changed byte in the arrays") {
    std::string v = bytes;
    v[v.size() - 3] = static_cast<char>(v[v.size() - 3] ^ 0x10);
    write_bytes(file, v);
    const std::string e = error_of([&] { lg::models::load_model_file(file); });
    CHECK_THAT(e, Catch::Contains(file.string()));
    CHECK_THAT(e, Catch::Contains("damaged model file") && Catch::Contains("checksum"));
  }
  SECTION("a damaged header") {
    std::string v = bytes;
    v[20] = 'x';  // the header's opening brace
    write_bytes(file, v);
    const std::string e = error_of([&] { lg::models::load_model_file(file); });
    CHECK_THAT(e, Catch::Contains(file.string()));
    CHECK_THAT(e, Catch::Contains("damaged model file") && Catch::Contains("JSON"));
  }
  SECTION("a state that does not fit the model") {
    // a header edited consistently (the checksum covers the arrays only): another chain count
    std::string v = bytes;
    const std::string from = "\"algorithm\":\"cc\"", to = "\"algorithm\":\"br\"";
    const auto at = v.find(from);
    REQUIRE(at != std::string::npos);
    v.replace(at, from.size(), to);
    write_bytes(file, v);
    const std::string e = error_of([&] { lg::models::load_model_file(file); });
    CHECK_THAT(e, Catch::Contains(file.string()));
    CHECK_THAT(e, Catch::Contains("damaged model file") || Catch::Contains("unknown key"));
  }
  SECTION("not a model file") {
    write_bytes(file, "name,value\na,1\n");
    CHECK_FALSE(lg::models::is_model_file(file));
    const std::string e = error_of([&] { lg::models::load_model_file(file); });
    CHECK_THAT(e, Catch::Contains(file.string()));
    CHECK_THAT(e, Catch::Contains("not a labelgraph model file"));
    CHECK_THAT(error_of([&] { lg::models::load_model_file(dir / "absent.lgm"); }), Catch::Contains("no such model file"));
  }
  SECTION("an unfitted model is not saved") {
    lg::models::ModelPtr fresh = make("lp", "");
    const std::string e = error_of([&] { lg::models::save_model_file(dir / "lp.lgm", *fresh, s.train); });
    CHECK_THAT(e, Catch::Contains("nothing to save before fit()"));
    CHECK_FALSE(fs::exists(dir / "lp.lgm"));
  }
}

TEST_CASE("a model file with any one byte changed or cut loads or fails with lg::Error, never worse",
          "[models][model_file]") {
  const Split s = data();
  Context ctx;
  ctx.threads = 1;
  TempDir dir;
  for (const std::string name : {"rakel", "mlknn"}) {
    lg::models::ModelPtr model = make(name, name == "rakel" ? "variant = 'o'\nk = 2\nm = 3" : "k = 3");
    model->fit(s.train, ctx);
    const fs::path file = dir / "m.lgm";
    lg::models::save_model_file(file, *model, s.train);
    const std::string bytes = read_bytes(file);
    const std::size_t step = std::max<std::size_t>(1, bytes.size() / 400);
    int refused = 0, loaded = 0;
    for (std::size_t at = 0; at < bytes.size(); at += step) {
      INFO(name << ": byte " << at << " of " << bytes.size());
      for (const bool cut : {false, true}) {
        std::string v = cut ? bytes.substr(0, at) : bytes;
        if (!cut) v[at] = static_cast<char>(v[at] ^ 0x5a);
        write_bytes(file, v);
        try {
          const lg::models::LoadedModel m = lg::models::load_model_file(file);
          const ScoreMatrix scores = m.model->predict_scores(s.test, ctx);
          CHECK(scores.rows() == s.test.rows());
          ++loaded;
        } catch (const lg::Error& e) {
          CHECK_THAT(std::string(e.what()), Catch::Contains(file.string()) || Catch::Contains(name));
          ++refused;
        }
      }
    }
    CHECK(refused > 0);
  }
}
