// The batched linear learner (models/linear_learner.hpp): hand-computed objective values,
// a finite-difference gradient check, scikit-learn coefficients at the optimum (fixture from
// tests/fixtures/models/make_sklearn_models.py), batched = per-target fits, sparse = dense,
// constant targets, the extra-column mask, determinism and bad input.
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
#include "models/linear_learner.hpp"

namespace {
using lg::Dataset;
using lg::Index;
using lg::LabelMatrix;
using namespace lg::models;

/// N x D standard normal features; target j is 1 when feature j % D plus noise is > 0.
Dataset gaussian(Index n, Index d, Index t, unsigned seed, float noise = 0.7f) {
  Dataset out;
  out.name = "gaussian";
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  out.dense.resize(n, d);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < d; ++j) out.dense(i, j) = normal(rng);
  out.labels.resize(n, t);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < t; ++j)
      out.labels(i, j) = out.dense(i, j % d) - 0.3f * out.dense(i, (j + 1) % d) +
                                     noise * normal(rng) > 0.2f * static_cast<float>(j)
                             ? 1
                             : 0;
  for (Index j = 0; j < d; ++j) out.feature_names.push_back("f" + std::to_string(j));
  for (Index j = 0; j < t; ++j) out.label_names.push_back("l" + std::to_string(j));
  return out;
}

LinearProblem problem_of(const Dataset& d) {
  LinearProblem p;
  p.x = &d;
  p.targets = &d.labels;
  return p;
}

/// Parameters of target t as one vector: weights, extra weights, intercept.
Eigen::VectorXd theta_of(const LinearFit& fit, Index t) {
  const Index d = fit.weights.rows(), k = fit.extra_weights.rows();
  Eigen::VectorXd out(d + k + 1);
  out.head(d) = fit.weights.col(t).cast<double>();
  out.segment(d, k) = fit.extra_weights.col(t).cast<double>();
  out(d + k) = fit.intercept(t);
  return out;
}

}  // namespace

TEST_CASE("linear objective: hand-computed values at zero", "[models]") {
  // 4 rows, 1 feature x = (1, 2, -1, 0), target y = (1, 0, 0, 0), theta = 0 so z = 0:
  //   every row: log(1 + e^0) = ln 2, so f = 4 ln 2;
  //   dℓ/dz = sigmoid(0) - y = (-0.5, 0.5, 0.5, 0.5);
  //   ∂f/∂w = Σ x_i (σ - y_i) = -0.5 + 1 - 0.5 + 0 = 0; ∂f/∂b = -0.5 + 1.5 = 1.
  // Balanced: n / (2 n_c) = 4 / 2 = 2 for the positive, 4 / 6 = 2/3 for the negatives:
  //   f = (2 + 3 · 2/3) ln 2 = 4 ln 2; ∂f/∂w = 2(-0.5)(1) + (2/3)(0.5)(2 - 1 + 0) = -2/3;
  //   ∂f/∂b = 2(-0.5) + 3 (2/3)(0.5) = 0.
  // Squared hinge (y± = (1, -1, -1, -1), margins 0): loss (1 - 0)² = 1 per row, f = 4;
  //   dℓ/dz = -2 y± (1 - m) = (-2, 2, 2, 2): ∂f/∂w = -2 + 4 - 2 + 0 = 0, ∂f/∂b = 4.
  Dataset d;
  d.dense.resize(4, 1);
  d.dense << 1, 2, -1, 0;
  d.labels.resize(4, 1);
  d.labels << 1, 0, 0, 0;
  const LinearProblem p = problem_of(d);
  const Eigen::MatrixXd zero = Eigen::MatrixXd::Zero(2, 1);
  Eigen::MatrixXd g;
  LinearOptions o;
  Eigen::VectorXd f = linear_objective(p, o, zero, &g);
  CHECK(f(0) == Approx(4 * std::log(2.0)));
  CHECK(g(0, 0) == Approx(0).margin(1e-12));
  CHECK(g(1, 0) == Approx(1.0));
  o.balanced = true;
  f = linear_objective(p, o, zero, &g);
  CHECK(f(0) == Approx(4 * std::log(2.0)));
  CHECK(g(0, 0) == Approx(-2.0 / 3.0));
  CHECK(g(1, 0) == Approx(0).margin(1e-7));
  o = LinearOptions{};
  o.loss = LinearLoss::SquaredHinge;
  f = linear_objective(p, o, zero, &g);
  CHECK(f(0) == Approx(4.0));
  CHECK(g(0, 0) == Approx(0).margin(1e-12));
  CHECK(g(1, 0) == Approx(4.0));
  // the penalty: w = 2, b = 3 with C = 0.5 adds w²/(2C) = 4 (logistic: b not penalised)
  o = LinearOptions{};
  o.C = 0.5;
  Eigen::MatrixXd theta(2, 1);
  theta << 2, 3;
  const Eigen::MatrixXd data_only = (Eigen::MatrixXd(2, 1) << 2, 3).finished();
  o.C = 1e12;
  const double unpenalised = linear_objective(p, o, data_only, nullptr)(0);
  o.C = 0.5;
  CHECK(linear_objective(p, o, theta, nullptr)(0) == Approx(unpenalised + 4.0));
}

TEST_CASE("linear objective: gradient equals finite differences", "[models]") {
  const Dataset d = gaussian(40, 4, 3, 7);
  // extra columns (2) with a mask, row weights and class weights: every term of the gradient
  Matrix extra(40, 2);
  std::mt19937 rng(3);
  std::bernoulli_distribution coin(0.5);
  for (Index i = 0; i < 40; ++i)
    for (Index k = 0; k < 2; ++k) extra(i, k) = coin(rng) ? 1.0f : 0.0f;
  TargetMask mask(2, 3);
  mask << 0, 1, 1,  //
      0, 0, 1;
  Matrix weights = Matrix::Ones(40, 3);
  for (Index i = 0; i < 40; i += 3) weights.row(i).setConstant(2.0f);
  LinearProblem p = problem_of(d);
  p.extra = &extra;
  p.extra_mask = &mask;
  p.row_weights = &weights;
  for (const LinearLoss loss : {LinearLoss::Logistic, LinearLoss::SquaredHinge}) {
    for (const bool balanced : {false, true}) {
      LinearOptions o;
      o.loss = loss;
      o.balanced = balanced;
      o.C = 0.7;
      std::normal_distribution<double> normal(0.0, 0.3);
      Eigen::MatrixXd theta(4 + 2 + 1, 3);
      for (Index r = 0; r < theta.rows(); ++r)
        for (Index c = 0; c < theta.cols(); ++c) theta(r, c) = normal(rng);
      for (Index k = 0; k < 2; ++k)
        for (Index c = 0; c < 3; ++c)
          if (!mask(k, c)) theta(4 + k, c) = 0;
      Eigen::MatrixXd g;
      linear_objective(p, o, theta, &g);
      const double h = 1e-3;
      for (Index r = 0; r < theta.rows(); ++r)
        for (Index c = 0; c < theta.cols(); ++c) {
          if (r >= 4 && r < 6 && !mask(r - 4, c)) {
            CHECK(g(r, c) == 0.0);  // masked: no gradient
            continue;
          }
          Eigen::MatrixXd plus = theta, minus = theta;
          plus(r, c) += h;
          minus(r, c) -= h;
          const double numeric = (linear_objective(p, o, plus, nullptr)(c) -
                                  linear_objective(p, o, minus, nullptr)(c)) /
                                 (2 * h);
          INFO("loss " << static_cast<int>(loss) << " balanced " << balanced << " row " << r
                       << " target " << c);
          CHECK(g(r, c) == Approx(numeric).epsilon(2e-3).margin(2e-3));
        }
    }
  }
}

TEST_CASE("linear learner reaches scikit-learn's optimum on emotions", "[models]") {
  const auto path = lg::test::shared_file("emotions/emotions-train.arff");
  if (!path) return;
  Dataset train = lg::read_dataset(*path);
  lg::Standardizer::fit(train).apply(train);
  std::ifstream in(lg::test::fixture("models/linear_emotions_coef.txt"));
  REQUIRE(in.good());
  std::map<std::string, std::vector<Eigen::VectorXd>> reference;  // learner -> per label
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string learner;
    Index label = 0;
    fields >> learner >> label;
    std::vector<double> values;
    double v = 0;
    while (fields >> v) values.push_back(v);
    REQUIRE(static_cast<Index>(values.size()) == train.num_features() + 1);
    reference[learner].push_back(Eigen::Map<Eigen::VectorXd>(values.data(), values.size()));
  }
  REQUIRE(reference.size() == 4);
  struct Case {
    std::string name;
    LinearLoss loss;
    bool balanced;
    double C;
  };
  for (const Case& c : {Case{"lr", LinearLoss::Logistic, false, 1.0},
                        Case{"lr-balanced", LinearLoss::Logistic, true, 1.0},
                        Case{"lr-c0.01", LinearLoss::Logistic, false, 0.01},
                        Case{"svm", LinearLoss::SquaredHinge, false, 1.0}}) {
    LinearOptions o;
    o.loss = c.loss;
    o.balanced = c.balanced;
    o.C = c.C;
    o.tol = 1e-4;
    o.max_iter = 2000;
    const LinearFit fit = fit_linear(problem_of(train), o);
    for (Index t = 0; t < train.num_labels(); ++t) {
      const Eigen::VectorXd& ref = reference.at(c.name)[static_cast<std::size_t>(t)];
      const Index d = train.num_features();
      Eigen::VectorXd ours(d + 1);
      ours(0) = fit.intercept(t);
      ours.tail(d) = fit.weights.col(t).cast<double>();
      INFO(c.name << " label " << t << " iterations " << fit.iterations[t]);
      CHECK(fit.converged[static_cast<std::size_t>(t)]);
      // relative to the coefficient vector's size: the optima agree to float precision
      CHECK((ours - ref).cwiseAbs().maxCoeff() <= 2e-3 * std::max(1.0, ref.cwiseAbs().maxCoeff()));
    }
  }
}

TEST_CASE("linear learner: batched fit equals per-target fits", "[models]") {
  const Dataset d = gaussian(500, 6, 5, 11);
  LinearOptions o;
  const LinearFit all = fit_linear(problem_of(d), o);
  for (Index t = 0; t < d.num_labels(); ++t) {
    const LabelMatrix single = d.labels.col(t);
    LinearProblem p = problem_of(d);
    p.targets = &single;
    const LinearFit one = fit_linear(p, o);
    INFO("target " << t);
    CHECK(one.iterations[0] == all.iterations[static_cast<std::size_t>(t)]);
    CHECK((theta_of(one, 0) - theta_of(all, t)).cwiseAbs().maxCoeff() <= 1e-4);
  }
}

TEST_CASE("linear learner: converged fits have a gradient within tol", "[models]") {
  const Dataset d = gaussian(400, 8, 4, 5);
  for (const LinearLoss loss : {LinearLoss::Logistic, LinearLoss::SquaredHinge}) {
    LinearOptions o;
    o.loss = loss;
    o.max_iter = 1000;
    const LinearFit fit = fit_linear(problem_of(d), o);
    Eigen::MatrixXd theta(d.num_features() + 1, d.num_labels());
    for (Index t = 0; t < d.num_labels(); ++t) theta.col(t) = theta_of(fit, t);
    Eigen::MatrixXd g;
    const Eigen::VectorXd f = linear_objective(problem_of(d), o, theta, &g);
    for (Index t = 0; t < d.num_labels(); ++t) {
      INFO("loss " << static_cast<int>(loss) << " target " << t);
      REQUIRE(fit.converged[static_cast<std::size_t>(t)]);
      // float products: allow a little over tol, far below the gradient at 0 (about N/4)
      CHECK(g.col(t).cwiseAbs().maxCoeff() <= 1e-2);
      // and a perturbation only makes f worse
      Eigen::MatrixXd moved = theta;
      moved(0, t) += 0.05;
      CHECK(linear_objective(problem_of(d), o, moved, nullptr)(t) > f(t));
    }
  }
}

TEST_CASE("linear learner: sparse features give the dense results", "[models]") {
  Dataset dense = gaussian(300, 10, 3, 21);
  for (Index i = 0; i < dense.rows(); ++i)  // make it genuinely sparse
    for (Index j = 0; j < 10; ++j)
      if ((i + j) % 3 == 0) dense.dense(i, j) = 0;
  Dataset sparse = dense;
  sparse.sparse = true;
  sparse.csr = dense.dense.sparseView();
  sparse.dense.resize(0, 0);
  for (const LinearLoss loss : {LinearLoss::Logistic, LinearLoss::SquaredHinge}) {
    LinearOptions o;
    o.loss = loss;
    const LinearFit a = fit_linear(problem_of(dense), o);
    const LinearFit b = fit_linear(problem_of(sparse), o);
    for (Index t = 0; t < 3; ++t)
      CHECK((theta_of(a, t) - theta_of(b, t)).cwiseAbs().maxCoeff() <= 1e-3);
    CHECK((linear_scores(dense, a) - linear_scores(sparse, b)).cwiseAbs().maxCoeff() <= 1e-3);
  }
}

TEST_CASE("linear learner: constant targets get a constant score", "[models]") {
  Dataset d = gaussian(100, 3, 3, 2);
  d.labels.col(0).setZero();
  d.labels.col(2).setOnes();
  const LinearFit fit = fit_linear(problem_of(d), LinearOptions{});
  CHECK(fit.constant == std::vector<int>{0, -1, 1});
  CHECK(fit.iterations[0] == 0);
  CHECK(fit.weights.col(0).isZero());
  const lg::ScoreMatrix s = linear_scores(d, fit);
  CHECK((s.col(0).array() == 0.0f).all());
  CHECK((s.col(2).array() == 1.0f).all());
  CHECK(s.col(1).minCoeff() < 0.5f);
  CHECK(s.col(1).maxCoeff() > 0.5f);
  // a target that is constant on its weighted rows only is constant too
  Matrix w = Matrix::Ones(100, 3);
  for (Index i = 0; i < 100; ++i)
    if (d.labels(i, 1)) w(i, 1) = 0;
  LinearProblem p = problem_of(d);
  p.row_weights = &w;
  CHECK(fit_linear(p, LinearOptions{}).constant[1] == 0);
}

TEST_CASE("linear learner: the extra-column mask", "[models]") {
  // Target 1 copies target 0, which the features predict; targets see extra column k (the
  // label k) only when k comes before them: strictly lower triangular in target order.
  Dataset d = gaussian(300, 3, 3, 9, 1.5f);
  d.labels.col(1) = d.labels.col(0);
  const Matrix extra = d.labels.cast<float>();
  TargetMask mask(3, 3);
  mask << 0, 1, 1,  //
      0, 0, 1,      //
      0, 0, 0;
  LinearProblem p = problem_of(d);
  p.extra = &extra;
  p.extra_mask = &mask;
  const LinearFit fit = fit_linear(p, LinearOptions{});
  for (Index k = 0; k < 3; ++k)
    for (Index t = 0; t < 3; ++t)
      if (!mask(k, t)) CHECK(fit.extra_weights(k, t) == 0.0f);
  // target 1 leans on label 0 (its copy) far more than target 0 can on anything
  CHECK(fit.extra_weights(0, 1) > 3.0f);
  CHECK(std::abs(fit.weights(0, 1)) < std::abs(fit.weights(0, 0)));
}

TEST_CASE("linear learner: deterministic for a thread count", "[models]") {
  // 6 targets x 5000 rows x 21 parameters: enough work to split the targets into groups
  const Dataset d = gaussian(5000, 20, 6, 4);
  LinearOptions o;
  o.threads = 2;
  const LinearFit a = fit_linear(problem_of(d), o);
  const LinearFit b = fit_linear(problem_of(d), o);
  CHECK(a.weights == b.weights);
  CHECK(a.intercept == b.intercept);
  o.threads = 1;
  const LinearFit c = fit_linear(problem_of(d), o);
  CHECK((a.weights - c.weights).cwiseAbs().maxCoeff() <= 1e-4);
  CHECK((linear_scores(d, a, 2) - linear_scores(d, c, 1)).cwiseAbs().maxCoeff() <= 1e-4);
  if (fast_kernels_available()) {
    // the dense kernels sum every output element in one order, and the targets are split over
    // threads whole: the same bits with 1, 2 or 3 threads
    CHECK(a.weights == c.weights);
    o.threads = 3;
    CHECK(fit_linear(problem_of(d), o).weights == c.weights);
  }
}

TEST_CASE("linear learner: bad input is an error", "[models]") {
  const Dataset d = gaussian(50, 3, 2, 1);
  LabelMatrix short_targets = d.labels.topRows(49);
  LinearProblem p = problem_of(d);
  p.targets = &short_targets;
  CHECK_THROWS_WITH(fit_linear(p, LinearOptions{}),
                    Catch::Contains("50 feature rows but 49 target rows"));
  LabelMatrix bad = d.labels;
  bad(3, 1) = 2;
  p.targets = &bad;
  CHECK_THROWS_WITH(fit_linear(p, LinearOptions{}), Catch::Contains("expected 0 or 1"));
  p = problem_of(d);
  LinearOptions o;
  o.C = 0;
  CHECK_THROWS_WITH(fit_linear(p, o), Catch::Contains("C must be a positive number"));
  const Matrix extra = Matrix::Zero(50, 2);
  p.extra = &extra;
  CHECK_THROWS_WITH(fit_linear(p, LinearOptions{}), Catch::Contains("need a mask"));
  TargetMask mask = TargetMask::Zero(3, 2);
  p.extra_mask = &mask;
  CHECK_THROWS_WITH(fit_linear(p, LinearOptions{}), Catch::Contains("expected 2 x 2"));
  p = problem_of(d);
  Matrix w = Matrix::Ones(50, 2);
  w(0, 0) = -1;
  p.row_weights = &w;
  CHECK_THROWS_WITH(fit_linear(p, LinearOptions{}), Catch::Contains(">= 0"));
  Dataset nan = d;
  nan.dense(2, 2) = std::nanf("");
  CHECK_THROWS_WITH(fit_linear(problem_of(nan), LinearOptions{}), Catch::Contains("non-finite"));
  const LinearFit fit = fit_linear(problem_of(d), LinearOptions{});
  const Dataset wider = gaussian(10, 4, 2, 1);
  CHECK_THROWS_WITH(linear_scores(wider, fit), Catch::Contains("fitted on 3 features"));
}

TEST_CASE("fast dense kernels equal Eigen's products", "[models]") {
  // shapes around the kernels' blocks: rows in pairs, columns in fours, features in 8 / 16
  for (const Index d : {1, 7, 8, 16, 23, 40}) {
    for (const Index k : {1, 3, 4, 6, 9}) {
      const Dataset x = gaussian(37, d, 1, static_cast<unsigned>(d * 10 + k));
      std::mt19937 rng(static_cast<unsigned>(k));
      std::normal_distribution<float> normal;
      Matrix w(d, k), g(37, k);
      for (Index i = 0; i < w.size(); ++i) w.data()[i] = normal(rng);
      for (Index i = 0; i < g.size(); ++i) g.data()[i] = normal(rng);
      const Matrix xw = x.dense.cast<float>() * w;
      const Matrix xtg = x.dense.transpose().cast<float>() * g;
      for (const int threads : {1, 2, 3}) {
        INFO("d " << d << " k " << k << " threads " << threads);
        CHECK((features_times_fast(x, w, threads) - xw).cwiseAbs().maxCoeff() <= 1e-4f);
        CHECK((features_transpose_times_fast(x, g, threads) - xtg).cwiseAbs().maxCoeff() <=
              1e-4f);
        CHECK(features_times_fast(x, w, threads) == features_times_fast(x, w, 1));
        CHECK(features_transpose_times_fast(x, g, threads) ==
              features_transpose_times_fast(x, g, 1));
      }
    }
  }
  // a large enough product to be split over threads: still the same bits
  const Dataset big = gaussian(3000, 300, 1, 5);
  Matrix w = Matrix::Constant(300, 5, 0.01f);
  Matrix g = Matrix::Constant(3000, 5, 0.5f);
  CHECK(features_times_fast(big, w, 2) == features_times_fast(big, w, 1));
  CHECK(features_transpose_times_fast(big, g, 2) == features_transpose_times_fast(big, g, 1));
  CHECK((features_times_fast(big, w, 2) - big.dense * w).cwiseAbs().maxCoeff() <= 1e-3f);
}

TEST_CASE("linear objective: large margins and every row count match a scalar reference",
          "[models]") {
  // The logistic data terms run 4 rows at a time (AVX2 exp / log where available) with a
  // scalar tail: row counts 1..9 cover both, margins up to ±800 cover exp's clamp at -708.
  for (Index n = 1; n <= 9; ++n) {
    Dataset d = gaussian(n, 2, 1, static_cast<unsigned>(n));
    d.labels(0, 0) = 1;
    const Eigen::MatrixXd theta = (Eigen::MatrixXd(3, 1) << 300.0, -40.0, 0.25).finished();
    Eigen::MatrixXd g;
    const double f = linear_objective(problem_of(d), LinearOptions{}, theta, &g)(0);
    double loss = 0, bias_grad = 0;
    for (Index i = 0; i < n; ++i) {
      const float w0 = static_cast<float>(theta(0)), w1 = static_cast<float>(theta(1));
      const double z = static_cast<double>(d.dense(i, 0) * w0 + d.dense(i, 1) * w1 +
                                           static_cast<float>(theta(2)));
      const double y = d.labels(i, 0) ? 1.0 : -1.0, m = y * z;
      loss += std::log1p(std::exp(-std::abs(m))) + std::max(-m, 0.0);
      bias_grad += -y / (1.0 + std::exp(m));
    }
    const double penalty = (300.0 * 300.0 + 40.0 * 40.0) / 2.0;
    INFO("rows " << n);
    CHECK(f == Approx(loss + penalty).epsilon(1e-6));
    CHECK(g(2, 0) == Approx(bias_grad).epsilon(1e-5).margin(1e-6));
  }
  // moderate margins, 203 rows (50 blocks of 4 and a tail of 3); z differs from the
  // reference only by the float products' rounding
  const Dataset d = gaussian(203, 3, 1, 8);
  const Eigen::MatrixXd theta = (Eigen::MatrixXd(4, 1) << 0.7, -1.3, 2.1, 0.4).finished();
  LinearOptions o;
  o.C = 1e300;  // no penalty
  const Eigen::MatrixXd z =
      (d.dense * theta.topRows(3).cast<float>()).cast<double>().array() + 0.4;
  double loss = 0;
  for (Index i = 0; i < 203; ++i) {
    const double m = (d.labels(i, 0) ? 1.0 : -1.0) * z(i);
    loss += std::log1p(std::exp(-std::abs(m))) + std::max(-m, 0.0);
  }
  CHECK(linear_objective(problem_of(d), o, theta, nullptr)(0) == Approx(loss).epsilon(1e-6));
}
