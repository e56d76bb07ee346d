// mlp-br and mlgcn: they learn, they are reproducible, checkpoints round-trip and resume exactly,
// bad parameters and mismatched data are refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "core/error.hpp"
#include "core/random.hpp"
#include "eval/measures.hpp"
#include "helpers.hpp"
#include "models/registry.hpp"
#include "nets/net_model.hpp"

namespace {

using lg::Dataset;
using lg::Index;

// Features x ~ N(0, 1)^5; label 0 = [x0 > 0], label 1 = [x1 + x2 > 0.5], label 2 = both
// (a label defined by the other two: where a label graph can help), label 3 = [x3 > 1] (rare).
Dataset rule_data(Index rows, std::uint64_t seed) {
  lg::Random rng(seed);
  Dataset d;
  d.name = "rules";
  d.dense.resize(rows, 5);
  d.labels.resize(rows, 4);
  for (Index i = 0; i < rows; ++i) {
    for (Index j = 0; j < 5; ++j) {
      // Box-Muller from two uniforms (lg::Random has no normal sampler)
      const double u = 1.0 - rng.uniform(), v = rng.uniform();
      d.dense(i, j) = static_cast<float>(std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v));
    }
    const bool a = d.dense(i, 0) > 0, b = d.dense(i, 1) + d.dense(i, 2) > 0.5f;
    d.labels(i, 0) = a;
    d.labels(i, 1) = b;
    d.labels(i, 2) = a && b;
    d.labels(i, 3) = d.dense(i, 3) > 1.0f;
  }
  d.feature_names = {"x0", "x1", "x2", "x3", "x4"};
  d.label_names = {"a", "b", "a_and_b", "rare"};
  return d;
}

lg::models::ModelPtr make(const std::string& name, toml::table params) {
  lg::nets::register_net_models();
  return lg::models::make_model(name, params, "test.toml", 7);
}

toml::table small_params(int epochs = 30) {
  return toml::table{{"hidden", toml::array{32}}, {"epochs", epochs}, {"batch_size", 32},
                     {"lr", 0.01}, {"validation_fraction", 0.0}};
}

double map_of(const Dataset& d, const lg::ScoreMatrix& scores) {
  const lg::LabelMatrix predicted = (scores.array() >= 0.5f).cast<std::uint8_t>();
  return lg::eval::evaluate(d.labels, scores, predicted).get("mAP");
}

lg::Context context(std::uint64_t seed = 3) {
  lg::Context ctx;
  ctx.device = lg::test::test_device();  // LABELGRAPH_TEST_DEVICE (bench/run_gpu.sh)
  ctx.seed = seed;
  ctx.threads = 1;
  return ctx;
}

}  // namespace

TEST_CASE("mlp-br and mlgcn learn simple rules far better than a constant predictor", "[nets]") {
  const Dataset train = rule_data(400, 1), test = rule_data(300, 2);
  // A constant score per label ranks every row equally: its AP is the label's prevalence
  // (sklearn's AP with one tied threshold), so its mAP is the mean prevalence.
  double constant_map = 0;
  for (Index l = 0; l < test.num_labels(); ++l) constant_map += test.labels.col(l).cast<double>().mean();
  constant_map /= static_cast<double>(test.num_labels());
  for (const std::string name : {"mlp-br", "mlgcn"}) {
    INFO(name);
    auto model = make(name, small_params());
    model->fit(train, context());
    const lg::ScoreMatrix scores = model->predict_scores(test, context());
    REQUIRE(scores.rows() == 300);
    REQUIRE(scores.cols() == 4);
    CHECK(scores.minCoeff() >= 0.0f);
    CHECK(scores.maxCoeff() <= 1.0f);
    const double map = map_of(test, scores);
    CHECK(constant_map < 0.4);
    CHECK(map > 0.85);
    CHECK(map > constant_map + 0.4);
    REQUIRE(model->training_history() != nullptr);
    CHECK(model->training_history()->epochs.size() == 30);
    // The loss falls: the last epoch's is well below the first's.
    CHECK(model->training_history()->epochs.back().train_loss <
          0.6 * model->training_history()->epochs.front().train_loss);
  }
}

TEST_CASE("neural models: same seed gives identical scores, another seed other ones", "[nets]") {
  const Dataset train = rule_data(200, 1), test = rule_data(50, 2);
  toml::table p = small_params(8);
  p.insert_or_assign("validation_fraction", 0.2);  // the validation split is seeded too
  for (const std::string name : {"mlp-br", "mlgcn"}) {
    INFO(name);
    auto a = make(name, p), b = make(name, p), c = make(name, p);
    a->fit(train, context(5));
    b->fit(train, context(5));
    c->fit(train, context(6));
    const lg::ScoreMatrix sa = a->predict_scores(test, context(5));
    CHECK(sa == b->predict_scores(test, context(5)));
    CHECK(sa != c->predict_scores(test, context(6)));
  }
}

TEST_CASE("neural models: checkpoint save -> load gives identical scores", "[nets]") {
  const Dataset train = rule_data(200, 1), test = rule_data(50, 2);
  lg::test::TempDir dir;
  toml::table p = small_params(5);
  p.insert_or_assign("label_bias", true);
  p.insert_or_assign("adjacency", "mlgcn-binary");
  auto model = make("mlgcn", p);
  model->fit(train, context());
  auto& net = dynamic_cast<lg::nets::NetModel&>(*model);
  net.save(dir / "model.pt");
  const std::unique_ptr<lg::nets::NetModel> loaded = lg::nets::NetModel::load(dir / "model.pt");
  CHECK(loaded->name() == "mlgcn");
  CHECK(loaded->predict_scores(test, context()) == model->predict_scores(test, context()));
  REQUIRE(loaded->training_history() != nullptr);
  CHECK(loaded->training_history()->epochs.size() == 5);

  SECTION("another feature width is refused") {
    Dataset wider = test;
    wider.dense.conservativeResize(Eigen::NoChange, 6);
    wider.dense.col(5).setZero();
    wider.feature_names.push_back("x5");
    CHECK_THROWS_WITH(loaded->predict_scores(wider, context()),
                      Catch::Contains("trained on 5 features, the data has 6"));
  }
  SECTION("another label set is refused") {
    Dataset other = test;
    other.label_names[3] = "common";
    CHECK_THROWS_WITH(loaded->predict_scores(other, context()), Catch::Contains("another label set"));
  }
  SECTION("a file that is not a checkpoint is refused with its name") {
    const auto bad = dir.write("bad.pt", "not a checkpoint");
    CHECK_THROWS_WITH(lg::nets::NetModel::load(bad), Catch::Contains("bad.pt"));
    CHECK_THROWS_WITH(lg::nets::NetModel::load(dir / "absent.pt"), Catch::Contains("no such checkpoint"));
  }
}

TEST_CASE("neural models: a resumed run ends where an uninterrupted one ends", "[nets]") {
  const Dataset train = rule_data(200, 1), test = rule_data(50, 2);
  lg::test::TempDir dir;
  toml::table p = small_params(6);
  p.insert_or_assign("validation_fraction", 0.2);  // early-stopping state and best weights
  p.insert_or_assign("patience", 0);
  p.insert_or_assign("schedule", "cosine");
  p.insert_or_assign("optimizer", "sgd");          // momentum buffers must be restored too
  for (const std::string name : {"mlp-br", "mlgcn"}) {
    INFO(name);
    auto whole = make(name, p);
    lg::TrainSession session;
    session.checkpoint_dir = dir.path() / name;
    session.checkpoint_every = 3;
    dynamic_cast<lg::nets::NetModel&>(*whole).train(train, context(), session);
    REQUIRE(std::filesystem::exists(dir.path() / name / "checkpoint-epoch-003.pt"));
    REQUIRE(std::filesystem::exists(dir.path() / name / "checkpoint-epoch-006.pt"));

    auto resumed = make(name, p);
    lg::TrainSession resume;
    resume.resume = dir.path() / name / "checkpoint-epoch-003.pt";
    dynamic_cast<lg::nets::NetModel&>(*resumed).train(train, context(), resume);
    CHECK(resumed->predict_scores(test, context()) == whole->predict_scores(test, context()));
    REQUIRE(resumed->training_history()->epochs.size() == 6);
    CHECK(resumed->training_history()->best_epoch == whole->training_history()->best_epoch);
    for (std::size_t e = 0; e < 6; ++e)
      CHECK(resumed->training_history()->epochs[e].train_loss ==
            whole->training_history()->epochs[e].train_loss);

    SECTION("resuming with other data, seed or parameters is refused") {
      auto again = make(name, p);
      auto& net = dynamic_cast<lg::nets::NetModel&>(*again);
      CHECK_THROWS_WITH(net.train(rule_data(200, 9), context(), resume), Catch::Contains("other data"));
      CHECK_THROWS_WITH(net.train(train, context(4), resume), Catch::Contains("seed 3"));
      toml::table q = p;
      q.insert_or_assign("lr", 0.5);
      auto other = make(name, q);
      CHECK_THROWS_WITH(dynamic_cast<lg::nets::NetModel&>(*other).train(train, context(), resume),
                        Catch::Contains("other parameters"));
    }
  }
}

TEST_CASE("neural models: early stopping keeps the best validation epoch", "[nets]") {
  const Dataset train = rule_data(300, 1);
  toml::table p = small_params(200);
  p.insert_or_assign("validation_fraction", 0.3);
  p.insert_or_assign("patience", 3);
  p.insert_or_assign("lr", 0.05);
  auto model = make("mlp-br", p);
  model->fit(train, context());
  const lg::report::TrainingHistory& h = *model->training_history();
  REQUIRE(h.epochs.size() < 200);
  CHECK(h.stop_reason.find("early stopping") != std::string::npos);
  // The stop comes `patience` epochs after the best one, whose mAP no later epoch beats.
  CHECK(static_cast<int>(h.epochs.size()) == h.best_epoch + 3);
  for (const lg::report::EpochRecord& e : h.epochs) {
    CHECK(!std::isnan(e.validation_map));
    CHECK(e.validation_map <= h.epochs[static_cast<std::size_t>(h.best_epoch - 1)].validation_map);
  }
}

TEST_CASE("mlgcn: label inputs and adjacency variants are one parameter each", "[nets]") {
  const Dataset train = rule_data(200, 1), test = rule_data(40, 2);
  lg::test::TempDir dir;
  const auto glove = dir.write("vectors.txt", "a 1 0 0\nb 0 1 0\na_and_b 1 1 0\nrare 0 0 1\n");
  const std::vector<toml::table> variants = {
      toml::table{{"adjacency", "identity"}},
      toml::table{{"adjacency", "mlgcn-reweighted"}, {"p", 0.3}},
      toml::table{{"adjacency", "npmi"}, {"propagation", "row"}},
      toml::table{{"label_inputs", "spectral"}, {"spectral_dims", 2}},
      toml::table{{"label_inputs", "embeddings"}, {"embeddings", glove.string()}},
      toml::table{{"gcn_depth", 3}, {"gcn_hidden", 8}},
  };
  for (const toml::table& v : variants) {
    toml::table p = small_params(3);
    for (const auto& [key, value] : v) p.insert_or_assign(key, value);
    std::ostringstream shown;
    shown << v;
    INFO(shown.str());
    auto model = make("mlgcn", p);
    model->fit(train, context());
    const lg::ScoreMatrix s = model->predict_scores(test, context());
    CHECK(s.rows() == 40);
    CHECK(s.allFinite());
  }
}

TEST_CASE("mlgcn propagation: kipf and row normalisation by hand", "[nets]") {
  // Labels a, b, c over 4 rows: a b / a b / a / c. P(b|a) = 2/3, P(a|b) = 1, others 0.
  Dataset d;
  d.labels.resize(4, 3);
  d.labels << 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1;
  d.dense.setZero(4, 1);
  d.feature_names = {"x"};
  d.label_names = {"a", "b", "c"};
  lg::Context one;
  one.threads = 1;
  lg::nets::GcnParams g;
  g.graph.weighting = "mlgcn-binary";  // tau 0.4: edges a->b and b->a, diagonal 0
  g.graph.propagation = "kipf";
  // A + I = [[1,1,0],[1,1,0],[0,0,1]], degrees 2, 2, 1: D^-1/2 (A+I) D^-1/2 = [[.5,.5,0],[.5,.5,0],[0,0,1]]
  const lg::Adjacency k = lg::nets::gcn_propagation(d, g, one);
  CHECK(k(0, 0) == Approx(0.5));
  CHECK(k(0, 1) == Approx(0.5));
  CHECK(k(1, 0) == Approx(0.5));
  CHECK(k(2, 2) == Approx(1.0));
  CHECK(k(0, 2) == 0.0);
  g.graph.weighting = "conditional";  // P(b|a) = 2/3, P(a|b) = 1
  g.graph.propagation = "row";        // (A + I) / row sums: row a = [1, 2/3, 0] / (5/3)
  const lg::Adjacency r = lg::nets::gcn_propagation(d, g, one);
  CHECK(r(0, 0) == Approx(0.6));
  CHECK(r(0, 1) == Approx(0.4));
  CHECK(r(1, 0) == Approx(0.5));
  CHECK(r(1, 1) == Approx(0.5));
  CHECK(r(2, 2) == Approx(1.0));
  g.graph.propagation = "auto";  // conditional is not a propagation matrix: kipf
  CHECK(lg::nets::gcn_propagation(d, g, one)(0, 1) == Approx((2.0 / 3.0) / std::sqrt((5.0 / 3.0) * 2.0)));
  g.graph.weighting = "mlgcn-reference";  // already one: used as built
  g.graph.propagation = "auto";
  lg::nets::GcnParams none = g;
  none.graph.propagation = "none";
  CHECK(lg::nets::gcn_propagation(d, g, one) == lg::nets::gcn_propagation(d, none, one));
}

TEST_CASE("neural models: bad parameters name the key and the line", "[nets]") {
  CHECK_THROWS_WITH(make("mlp-br", toml::table{{"adjacency", "identity"}}),
                    Catch::Contains("test.toml") && Catch::Contains("unknown key 'adjacency'"));
  CHECK_THROWS_WITH(make("mlgcn", toml::table{{"optimizer", "rmsprop"}}), Catch::Contains("sgd, adam, adamw"));
  CHECK_THROWS_WITH(make("mlgcn", toml::table{{"hidden", toml::array{}}}), Catch::Contains("hidden"));
  CHECK_THROWS_WITH(make("mlgcn", toml::table{{"label_inputs", "embeddings"}}), Catch::Contains("embeddings = \"PATH\""));
  CHECK_THROWS_WITH(make("mlgcn", toml::table{{"adjacency", "nonsense"}}), Catch::Contains("mlgcn-reference"));
  CHECK_THROWS_WITH(make("mlgcn", toml::table{{"dropout", 1.0}}), Catch::Contains("dropout"));
  CHECK_THROWS_WITH(make("mlgcn", toml::table{{"epochs", "ten"}}), Catch::Contains("epochs"));
  auto model = make("mlgcn", small_params(2));
  lg::Context ctx = context();
  ctx.device = "tpu";
  CHECK_THROWS_WITH(model->fit(rule_data(20, 1), ctx), Catch::Contains("\"tpu\" is not a device"));
}
