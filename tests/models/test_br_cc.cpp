// br, cc and ecc: scikit-learn parity on the MULAN train/test splits (figures from
// tests/fixtures/models/make_sklearn_models.py), chain orders, chain prediction on predicted
// labels, the registry entries and bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/standardize.hpp"
#include "helpers.hpp"
#include "io/read_dataset.hpp"
#include "models/binary_relevance.hpp"
#include "models/classifier_chain.hpp"
#include "models/registry.hpp"

namespace {
/// A context with `seed` and one thread.
lg::Context seeded(std::uint64_t seed) {
  lg::Context c;
  c.seed = seed;
  c.threads = 1;
  return c;
}
using lg::Dataset;
using lg::Index;
using lg::ScoreMatrix;
using namespace lg::models;

struct Figures {
  double hamming = 0, micro_f1 = 0;
};

/// "dataset model" -> sklearn's figures.
std::map<std::string, Figures> sklearn_figures() {
  std::ifstream in(lg::test::fixture("models/brcc_sklearn_parity.txt"));
  REQUIRE(in.good());
  std::map<std::string, Figures> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string data, model;
    Figures f;
    fields >> data >> model >> f.hamming >> f.micro_f1;
    out[data + " " + model] = f;
  }
  return out;
}

/// Hamming loss and micro-F1 of scores thresholded at 0.5 (score > 0.5 is positive).
Figures measure(const lg::LabelMatrix& truth, const ScoreMatrix& scores) {
  double tp = 0, fp = 0, fn = 0, wrong = 0;
  for (Index i = 0; i < truth.rows(); ++i)
    for (Index j = 0; j < truth.cols(); ++j) {
      const bool p = scores(i, j) > 0.5f, y = truth(i, j) != 0;
      tp += p && y;
      fp += p && !y;
      fn += !p && y;
      wrong += p != y;
    }
  Figures f;
  f.hamming = wrong / static_cast<double>(truth.size());
  f.micro_f1 = 2 * tp / (2 * tp + fp + fn);
  return f;
}

/// A tiny data set: 3 features, labels given per row.
Dataset tiny(const std::vector<std::vector<float>>& x, const std::vector<std::vector<int>>& y) {
  Dataset d;
  d.name = "tiny";
  const Index n = static_cast<Index>(x.size());
  d.dense.resize(n, static_cast<Index>(x[0].size()));
  d.labels.resize(n, static_cast<Index>(y[0].size()));
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < d.dense.cols(); ++j) d.dense(i, j) = x[i][j];
    for (Index j = 0; j < d.labels.cols(); ++j) d.labels(i, j) = static_cast<std::uint8_t>(y[i][j]);
  }
  for (Index j = 0; j < d.dense.cols(); ++j) d.feature_names.push_back("f" + std::to_string(j));
  for (Index j = 0; j < d.labels.cols(); ++j) d.label_names.push_back("l" + std::to_string(j));
  return d;
}

/// A separable-ish synthetic set: N rows, D features, L labels that depend on features and on
/// each other (label j+1 copies label j in most rows, so chains help).
Dataset synthetic(Index n, Index d, Index l, unsigned seed) {
  Dataset out;
  out.name = "synthetic";
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  out.dense.resize(n, d);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < d; ++j) out.dense(i, j) = normal(rng);
  out.labels.resize(n, l);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < l; ++j) {
      const float z = out.dense(i, j % d) + 0.5f * normal(rng);
      out.labels(i, j) = z > 0 ? 1 : 0;
    }
  for (Index j = 0; j < d; ++j) out.feature_names.push_back("f" + std::to_string(j));
  for (Index j = 0; j < l; ++j) out.label_names.push_back("l" + std::to_string(j));
  return out;
}

}  // namespace

TEST_CASE("br and cc with logistic regression match scikit-learn on MULAN splits", "[models]") {
  const auto reference = sklearn_figures();
  REQUIRE(reference.size() == 6);
  for (const std::string name : {"emotions", "scene", "yeast"}) {
    const auto train_path = lg::test::shared_file(name + "/" + name + "-train.arff");
    const auto test_path = lg::test::shared_file(name + "/" + name + "-test.arff");
    if (!train_path || !test_path) return;
    Dataset train = lg::read_dataset(*train_path);
    Dataset test = lg::read_dataset(*test_path);
    const lg::Standardizer scaler = lg::Standardizer::fit(train);
    scaler.apply(train);
    scaler.apply(test);
    lg::Context ctx;
    ctx.threads = 2;
    for (const std::string model : {"br", "cc"}) {
      ModelPtr m = make_model(model, toml::table{});
      m->fit(train, ctx);
      const Figures ours = measure(test.labels, m->predict_scores(test, ctx));
      const Figures theirs = reference.at(name + " " + model);
      INFO(name << " " << model << ": hamming " << ours.hamming << " vs sklearn "
                << theirs.hamming << ", micro-F1 " << ours.micro_f1 << " vs "
                << theirs.micro_f1);
      CHECK(std::abs(ours.hamming - theirs.hamming) <= 0.005);
      CHECK(std::abs(ours.micro_f1 - theirs.micro_f1) <= 0.01);
    }
  }
}

TEST_CASE("cc predicts along the chain from predicted labels", "[models]") {
  // l1 is a copy of l0 in training, and the features say nothing about l1 beyond l0: the link
  // of l1 must follow the PREDICTED l0 at test time (as sklearn's ClassifierChain does).
  Dataset train = synthetic(400, 3, 3, 5);
  train.labels.col(1) = train.labels.col(0);
  const Dataset test = synthetic(200, 3, 3, 6);
  lg::Context ctx;
  ClassifierChain cc(CcParams{});
  cc.fit(train, ctx);
  CHECK(cc.order() == std::vector<Index>{0, 1, 2});
  const ScoreMatrix s = cc.predict_scores(test, ctx);
  Index agree = 0;
  for (Index i = 0; i < s.rows(); ++i) agree += (s(i, 0) > 0.5f) == (s(i, 1) > 0.5f);
  CHECK(agree == s.rows());
  CHECK(s.minCoeff() >= 0.0f);
  CHECK(s.maxCoeff() <= 1.0f);
  // reversed chain: now l0 follows the predicted l1
  CcParams reversed;
  reversed.chain = {"l2", "l1", "l0"};
  ClassifierChain back(reversed);
  back.fit(train, ctx);
  CHECK(back.order() == std::vector<Index>{2, 1, 0});
  const ScoreMatrix r = back.predict_scores(test, ctx);
  agree = 0;
  for (Index i = 0; i < r.rows(); ++i) agree += (r(i, 0) > 0.5f) == (r(i, 1) > 0.5f);
  CHECK(agree == r.rows());
}

TEST_CASE("cc chain orders", "[models]") {
  // label counts in `tiny`: l0 = 1, l1 = 3, l2 = 2
  const Dataset d = tiny({{0, 1}, {1, 0}, {1, 1}, {0, 0}},
                         {{1, 1, 0}, {0, 1, 1}, {0, 1, 1}, {0, 0, 0}});
  CcParams p;
  p.order = "frequency";
  CHECK(chain_order(d, p, seeded(1)) == std::vector<Index>{1, 2, 0});
  p.order = "given";
  CHECK(chain_order(d, p, seeded(1)) == std::vector<Index>{0, 1, 2});
  p.chain = {"l2", "l0", "l1"};
  CHECK(chain_order(d, p, seeded(1)) == std::vector<Index>{2, 0, 1});
  p.chain = {"l2", "l0"};
  CHECK_THROWS_WITH(chain_order(d, p, seeded(1)), Catch::Contains("label 'l1' is missing"));
  p.chain = {"l2", "l0", "l0"};
  CHECK_THROWS_WITH(chain_order(d, p, seeded(1)), Catch::Contains("'l0' is listed twice"));
  p.chain = {"l2", "l0", "nope"};
  CHECK_THROWS_WITH(chain_order(d, p, seeded(1)), Catch::Contains("'nope' is not a label"));
  p.chain.clear();
  p.order = "random";
  const Dataset big = synthetic(50, 3, 12, 1);
  const std::vector<Index> r1 = chain_order(big, p, seeded(7));
  CHECK(chain_order(big, p, seeded(7)) == r1);
  CHECK(chain_order(big, p, seeded(8)) != r1);
  std::vector<Index> sorted = r1;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == chain_order(big, CcParams{}, seeded(7)));
  // mst: l1 and l2 co-occur twice, l0 and l1 once, l0 and l2 never. The forest (NPMI weights:
  // l1-l2 = ln(2·4/(3·2)) / -ln(2/4) = 0.415, l0-l1 = ln(4/3) / ln 4 = 0.208) is l1-l2, l0-l1;
  // breadth-first from the most frequent label l1: l1, l2 (stronger edge), l0.
  p.order = "mst";
  CHECK(chain_order(d, p, seeded(1)) == std::vector<Index>{1, 2, 0});
}

TEST_CASE("ecc averages seeded chains, bagging changes the fit", "[models]") {
  const Dataset train = synthetic(300, 4, 5, 2);
  const Dataset test = synthetic(100, 4, 5, 3);
  toml::table params;
  params.insert("m", 4);
  lg::Context ctx;
  ModelPtr a = make_model("ecc", params);
  a->fit(train, ctx);
  const ScoreMatrix sa = a->predict_scores(test, ctx);
  ModelPtr b = make_model("ecc", params);
  b->fit(train, ctx);
  CHECK(sa == b->predict_scores(test, ctx));  // same seed, same threads: identical
  ctx.seed = 43;
  ModelPtr c = make_model("ecc", params);
  c->fit(train, ctx);
  CHECK(sa != c->predict_scores(test, ctx));
  params.insert("bagging", 0.6);
  ModelPtr bagged = make_model("ecc", params);
  bagged->fit(train, ctx);
  const ScoreMatrix sb = bagged->predict_scores(test, ctx);
  CHECK(sb != c->predict_scores(test, ctx));
  CHECK(sb.minCoeff() >= 0.0f);
  CHECK(sb.maxCoeff() <= 1.0f);
  // one chain of ecc is a cc with that chain's random order
  ctx.seed = 42;
  toml::table one;
  one.insert("m", 1);
  ModelPtr single = make_model("ecc", one);
  single->fit(train, ctx);
  CcParams random;
  random.order = "random";
  ClassifierChain cc(random);
  cc.fit(train, ctx);
  CHECK((single->predict_scores(test, ctx) - cc.predict_scores(test, ctx)).cwiseAbs().maxCoeff() <=
        1e-6f);
  // agreement with the truth is far above chance
  const Figures f = measure(test.labels, sa);
  CHECK(f.hamming < 0.3);
}

TEST_CASE("br: svm learner, constant labels and notes", "[models]") {
  Dataset train = synthetic(300, 4, 4, 8);
  train.labels.col(3).setZero();
  const Dataset test = synthetic(100, 4, 4, 9);
  toml::table params;
  params.insert("learner", "svm");
  params.insert("class_weight", "balanced");
  ModelPtr m = make_model("br", params);
  lg::Context ctx;
  m->fit(train, ctx);
  const ScoreMatrix s = m->predict_scores(test, ctx);
  CHECK((s.col(3).array() == 0.0f).all());
  REQUIRE(m->notes().size() == 1);
  CHECK(m->notes()[0] == "label 'l3' has no positive in training: constant score 0");
  CHECK(measure(test.labels.leftCols(3), s.leftCols(3)).hamming < 0.3);
  // cc on the same data: the constant label is constant there too
  ModelPtr cc = make_model("cc", toml::table{});
  cc->fit(train, ctx);
  CHECK((cc->predict_scores(test, ctx).col(3).array() == 0.0f).all());
}

TEST_CASE("br / cc / ecc: registry parameters and bad input", "[models]") {
  for (const std::string name : {"br", "cc", "ecc"}) {
    const ModelEntry* e = find_model(name);
    REQUIRE(e != nullptr);
    CHECK(e->params_help.find("max_iter = 100") != std::string::npos);
  }
  toml::table bad;
  bad.insert("learner", "tree");
  CHECK_THROWS_WITH(make_model("br", bad), Catch::Contains("learner must be"));
  toml::table order;
  order.insert("order", "alphabetical");
  CHECK_THROWS_WITH(make_model("cc", order), Catch::Contains("order must be"));
  toml::table weighting;
  weighting.insert("order", "mst");
  weighting.insert("order_weighting", "cosine");
  CHECK_THROWS_WITH(make_model("cc", weighting), Catch::Contains("order_weighting") && Catch::Contains("unknown weighting 'cosine'"));
  toml::table bag;
  bag.insert("bagging", 1.5);
  CHECK_THROWS_WITH(make_model("ecc", bag), Catch::Contains("bagging must be in (0, 1]"));
  toml::table unknown;
  unknown.insert("alpha", 1.0);
  CHECK_THROWS(make_model("br", unknown));

  // mismatched rows and feature counts
  lg::Context ctx;
  Dataset train = synthetic(50, 3, 2, 1);
  Dataset broken = train;
  broken.labels.conservativeResize(49, 2);
  for (const std::string name : {"br", "cc", "ecc"}) {
    ModelPtr m = make_model(name, toml::table{});
    CHECK_THROWS_WITH(m->fit(broken, ctx), Catch::Contains("50 feature rows but 49 label rows"));
    CHECK_THROWS_WITH(m->predict_scores(train, ctx), Catch::Contains("before fit()"));
    m->fit(train, ctx);
    const Dataset wider = synthetic(10, 4, 2, 1);
    CHECK_THROWS_WITH(m->predict_scores(wider, ctx), Catch::Contains("fitted on 3 features"));
  }
}
