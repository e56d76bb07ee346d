// Label powerset: the marginals of scikit-learn's multinomial LogisticRegression fitted on the
// label-set class ids (tests/fixtures/models/lp_*, make_partition_fixtures.py), class
// numbering, the max_classes guard, a single label set, registry parameters; and
// lp-communities on the same data.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "helpers.hpp"
#include "models/community_powerset.hpp"
#include "models/label_powerset.hpp"
#include "models/registry.hpp"

namespace {
using lg::Context;
using lg::Dataset;
using lg::Index;
using lg::LabelMatrix;
using lg::ScoreMatrix;
using lg::models::LabelPowerset;

Dataset fixture_set(const std::string& x_csv, const std::string& y_csv) {
  const auto x = lg::test::read_numeric_csv("models/" + x_csv);
  Dataset d;
  d.dense.resize(static_cast<Index>(x.size()), static_cast<Index>(x[0].size()));
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = 0; j < x[i].size(); ++j)
      d.dense(static_cast<Index>(i), static_cast<Index>(j)) = static_cast<float>(x[i][j]);
  if (!y_csv.empty()) {
    const auto y = lg::test::read_numeric_csv("models/" + y_csv);
    d.labels.resize(static_cast<Index>(y.size()), static_cast<Index>(y[0].size()));
    for (std::size_t i = 0; i < y.size(); ++i)
      for (std::size_t j = 0; j < y[i].size(); ++j)
        d.labels(static_cast<Index>(i), static_cast<Index>(j)) = static_cast<std::uint8_t>(y[i][j]);
  } else {
    d.labels.resize(d.dense.rows(), 4);
    d.labels.setZero();  // a test set's labels are never read
  }
  return d;
}

LabelPowerset::Params tight() {
  LabelPowerset::Params p;
  p.tol = 1e-6;
  p.max_iter = 1000;
  return p;
}

}  // namespace

TEST_CASE("lp scores are the marginals of sklearn's multinomial fit on label-set classes",
          "[models]") {
  const Dataset train = fixture_set("lp_train_x.csv", "lp_train_y.csv");
  const Dataset test = fixture_set("lp_test_x.csv", "");
  Context ctx;
  ctx.threads = 2;
  LabelPowerset lp(tight());
  lp.fit(train, ctx);
  CHECK(lp.notes().empty());

  // Classes in order of first appearance, as the fixture numbered them.
  const auto classes = lg::test::read_numeric_csv("models/lp_classes.csv");
  REQUIRE(lp.classifier().classes().rows() == static_cast<Index>(classes.size()));
  for (std::size_t c = 0; c < classes.size(); ++c)
    for (std::size_t j = 0; j < classes[c].size(); ++j)
      CHECK(lp.classifier().classes()(static_cast<Index>(c), static_cast<Index>(j)) ==
            classes[c][j]);

  const ScoreMatrix scores = lp.predict_scores(test, ctx);
  const auto expected = lg::test::read_numeric_csv("models/lp_sklearn_marginals.csv");
  REQUIRE(scores.rows() == static_cast<Index>(expected.size()));
  REQUIRE(scores.cols() == 4);
  for (std::size_t i = 0; i < expected.size(); ++i)
    for (std::size_t j = 0; j < expected[i].size(); ++j)
      CHECK(scores(static_cast<Index>(i), static_cast<Index>(j)) ==
            Approx(expected[i][j]).margin(5e-4));

  SECTION("deterministic") {
    LabelPowerset again(tight());
    again.fit(train, ctx);
    CHECK(again.predict_scores(test, ctx) == scores);
  }
}

TEST_CASE("lp: distinct label sets, the max_classes guard, a single label set", "[models]") {
  LabelMatrix y(5, 3);
  y << 1, 0, 1,  //
      0, 0, 0,   //
      1, 0, 1,   //
      0, 1, 0,   //
      0, 0, 0;
  std::vector<int> ids;
  const LabelMatrix sets = lg::models::distinct_label_sets(y, ids, 0, "lp");
  // Three sets, numbered as first seen: {0,2} -> 0, {} -> 1, {1} -> 2.
  REQUIRE(sets.rows() == 3);
  CHECK(ids == std::vector<int>{0, 1, 0, 2, 1});
  CHECK(sets.row(2) == (LabelMatrix(1, 3) << 0, 1, 0).finished());
  CHECK_THROWS_WITH(lg::models::distinct_label_sets(y, ids, 2, "lp"),
                    Catch::Contains("3 distinct label sets, more than max_classes = 2"));

  Dataset data;
  data.dense = lg::DenseFeatures::Random(5, 2);
  data.labels = y;
  LabelPowerset::Params p;
  p.max_classes = 2;
  LabelPowerset guarded(p);
  CHECK_THROWS_WITH(guarded.fit(data, Context{}),
                    Catch::Contains("lp: the training labels have 3 distinct label sets"));

  data.labels.setZero();
  data.labels.col(1).setOnes();  // every row {1}
  LabelPowerset single(LabelPowerset::Params{});
  single.fit(data, Context{});
  REQUIRE(single.notes().size() == 1);
  CHECK_THAT(single.notes()[0], Catch::Contains("same label set"));
  const ScoreMatrix s = single.predict_scores(data, Context{});
  CHECK(s.col(0).isZero());
  CHECK(s.col(1).isOnes());
  CHECK(s.col(2).isZero());
}

TEST_CASE("lp, rakel, lp-communities are registered with their parameters", "[models]") {
  toml::table params;
  params.insert("C", 2.0);
  CHECK(lg::models::make_model("lp", params)->name() == "lp");
  CHECK(lg::models::make_model("rakel", toml::table{})->name() == "rakel");
  CHECK(lg::models::make_model("lp-communities", toml::table{})->name() == "lp-communities");
  CHECK(lg::models::make_model("mlknn", toml::table{})->name() == "mlknn");
  toml::table bad;
  bad.insert("C", -1.0);
  CHECK_THROWS_WITH(lg::models::make_model("lp", bad), Catch::Contains("C must be > 0"));
  toml::table unknown;
  unknown.insert("depth", 3);
  CHECK_THROWS_WITH(lg::models::make_model("lp", unknown), Catch::Contains("depth"));
}

TEST_CASE("lp-communities: blocks cover every label once, scores are the blocks' LP marginals",
          "[models]") {
  // Labels 0,1 always together, labels 2,3 always together, the pairs independent: npmi puts
  // positive weight inside the pairs only, so Leiden finds the two pairs.
  Dataset data;
  data.dense = lg::DenseFeatures::Random(40, 3);
  data.labels.resize(40, 4);
  for (Index i = 0; i < 40; ++i) {
    const std::uint8_t a = (i % 2) != 0, b = (i / 2 % 2) != 0;
    data.labels.row(i) << a, a, b, b;
  }
  std::vector<std::string> notes;
  Context seed1;
  seed1.seed = 1;
  seed1.threads = 1;
  const auto blocks = lg::models::community_blocks(data.labels, {}, lg::models::CommunityPowerset::Params::npmi(),
                                                   1.0, seed1, &notes);
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0] == std::vector<Index>{0, 1});
  CHECK(blocks[1] == std::vector<Index>{2, 3});

  lg::models::CommunityPowerset model(lg::models::CommunityPowerset::Params{});
  Context ctx;
  model.fit(data, ctx);
  CHECK(model.blocks() == blocks);
  const ScoreMatrix scores = model.predict_scores(data, ctx);
  // Each block is LP over {11, 00}: the two labels of a block get the same marginal.
  CHECK((scores.col(0) - scores.col(1)).cwiseAbs().maxCoeff() < 1e-6f);
  CHECK((scores.col(2) - scores.col(3)).cwiseAbs().maxCoeff() < 1e-6f);
  CHECK(scores.minCoeff() >= 0.0f);
  CHECK(scores.maxCoeff() <= 1.0f);

  lg::models::CommunityPowerset::Params bad;
  bad.graph.weighting = "nonsense";
  CHECK_THROWS_WITH(bad.validate(), Catch::Contains("unknown weighting 'nonsense'"));
}
