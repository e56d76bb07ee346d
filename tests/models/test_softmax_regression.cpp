// Softmax regression against scikit-learn's LogisticRegression(multi_class="multinomial",
// solver="lbfgs", C=1) on tests/fixtures/models/lp_* (written by make_partition_fixtures.py),
// the same fit from CSR features, and the argument checks.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "helpers.hpp"
#include "models/softmax_regression.hpp"

namespace {
using lg::Dataset;
using lg::Index;
using lg::models::Matrix;
using lg::models::SoftmaxOptions;
using lg::models::SoftmaxRegression;

Dataset dense(const std::vector<std::vector<double>>& rows) {
  Dataset d;
  d.dense.resize(static_cast<Index>(rows.size()), static_cast<Index>(rows[0].size()));
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < rows[i].size(); ++j)
      d.dense(static_cast<Index>(i), static_cast<Index>(j)) = static_cast<float>(rows[i][j]);
  d.labels.resize(d.dense.rows(), 0);
  return d;
}

std::vector<int> class_ids() {
  std::vector<int> y;
  for (const auto& row : lg::test::read_numeric_csv("models/lp_train_class.csv")) y.push_back(static_cast<int>(row[0]));
  return y;
}

SoftmaxOptions tight() {
  SoftmaxOptions o;
  o.tol = 1e-6;
  o.max_iter = 1000;
  o.threads = 2;
  return o;
}

void check_against_sklearn(const SoftmaxRegression& model, const Dataset& test) {
  const auto coef = lg::test::read_numeric_csv("models/lp_sklearn_coef.csv");  // K x D
  const auto intercept = lg::test::read_numeric_csv("models/lp_sklearn_intercept.csv");
  const auto proba = lg::test::read_numeric_csv("models/lp_sklearn_proba.csv");
  REQUIRE(model.num_classes() == static_cast<int>(coef.size()));
  for (std::size_t k = 0; k < coef.size(); ++k) {
    for (std::size_t j = 0; j < coef[k].size(); ++j)
      CHECK(model.coefficients()(static_cast<Index>(j), static_cast<Index>(k)) ==
            Approx(coef[k][j]).margin(2e-3));
    CHECK(model.intercepts()(static_cast<Index>(k)) == Approx(intercept[k][0]).margin(2e-3));
  }
  const Matrix p = model.predict_proba(test, 1);
  REQUIRE(p.rows() == static_cast<Index>(proba.size()));
  for (std::size_t i = 0; i < proba.size(); ++i) {
    CHECK(p.row(static_cast<Index>(i)).sum() == Approx(1.0).margin(1e-5));
    for (std::size_t k = 0; k < proba[i].size(); ++k)
      CHECK(p(static_cast<Index>(i), static_cast<Index>(k)) == Approx(proba[i][k]).margin(5e-4));
  }
}

}  // namespace

TEST_CASE("softmax regression matches sklearn's multinomial LogisticRegression", "[models]") {
  const Dataset train = dense(lg::test::read_numeric_csv("models/lp_train_x.csv"));
  const Dataset test = dense(lg::test::read_numeric_csv("models/lp_test_x.csv"));
  const std::vector<int> y = class_ids();
  const int k = static_cast<int>(lg::test::read_numeric_csv("models/lp_classes.csv").size());
  SoftmaxRegression model;
  const auto report = model.fit(train, y, k, tight());
  CHECK(report.converged);
  CHECK(std::isfinite(report.objective));
  check_against_sklearn(model, test);

  SECTION("CSR features give the same model") {
    SoftmaxRegression sparse_model;
    sparse_model.fit(lg::test::as_sparse(train), y, k, tight());
    check_against_sklearn(sparse_model, lg::test::as_sparse(test));
    const Matrix a = model.predict_proba(test, 1);
    const Matrix b = sparse_model.predict_proba(lg::test::as_sparse(test), 1);
    CHECK((a - b).cwiseAbs().maxCoeff() < 1e-3f);
  }
  SECTION("same data and threads: bit-identical") {
    SoftmaxRegression again;
    again.fit(train, y, k, tight());
    CHECK(again.coefficients() == model.coefficients());
    CHECK(again.intercepts() == model.intercepts());
  }
  SECTION("the default tolerance (1e-4) stays close to the optimum") {
    SoftmaxRegression loose;
    loose.fit(train, y, k, SoftmaxOptions{});
    const Matrix a = model.predict_proba(test, 1);
    const Matrix b = loose.predict_proba(test, 1);
    CHECK((a - b).cwiseAbs().maxCoeff() < 1e-2f);
  }
}

TEST_CASE("softmax regression: stronger L2 shrinks the weights", "[models]") {
  const Dataset train = dense(lg::test::read_numeric_csv("models/lp_train_x.csv"));
  const std::vector<int> y = class_ids();
  const int k = static_cast<int>(lg::test::read_numeric_csv("models/lp_classes.csv").size());
  SoftmaxRegression weak, strong;
  SoftmaxOptions o = tight();
  weak.fit(train, y, k, o);
  o.C = 0.01;
  strong.fit(train, y, k, o);
  CHECK(strong.coefficients().norm() < 0.5f * weak.coefficients().norm());
}

TEST_CASE("softmax regression rejects bad input", "[models]") {
  Dataset x = dense({{0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}});
  SoftmaxRegression model;
  CHECK_THROWS_WITH(model.predict_proba(x), Catch::Contains("before fit"));
  CHECK_THROWS_WITH(model.fit(x, {0, 1}, 2, {}), Catch::Contains("2 class ids for 3 rows"));
  CHECK_THROWS_WITH(model.fit(x, {0, 1, 2}, 2, {}), Catch::Contains("class id 2 of row 3"));
  CHECK_THROWS_WITH(model.fit(x, {0, 0, 0}, 1, {}), Catch::Contains("at least 2 classes"));
  SoftmaxOptions bad;
  bad.C = 0;
  CHECK_THROWS_WITH(model.fit(x, {0, 1, 0}, 2, bad), Catch::Contains("C and tol must be > 0"));
  x.dense(1, 1) = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(model.fit(x, {0, 1, 0}, 2, {}),
                    Catch::Contains("feature 2 of row 2 is not a finite number"));
  x.dense(1, 1) = 0.0f;
  model.fit(x, {0, 1, 0}, 2, {});
  CHECK_THROWS_WITH(model.predict_proba(dense({{1.0, 2.0, 3.0}})),
                    Catch::Contains("fitted on 2 features, given 3"));
}

TEST_CASE("softmax regression: the same model for every thread count", "[models]") {
  // The products sum every element in the same order whatever the split, and the softmax
  // pass adds fixed pieces of rows in order, so 1 and 2 threads give identical bits.
  const Dataset train = dense(lg::test::read_numeric_csv("models/lp_train_x.csv"));
  const std::vector<int> y = class_ids();
  const int k = static_cast<int>(lg::test::read_numeric_csv("models/lp_classes.csv").size());
  SoftmaxOptions one = tight(), two = tight();
  one.threads = 1;
  two.threads = 2;
  SoftmaxRegression a, b;
  const auto ra = a.fit(train, y, k, one);
  const auto rb = b.fit(train, y, k, two);
  CHECK(ra.iterations == rb.iterations);
  CHECK(a.coefficients() == b.coefficients());
  CHECK(a.intercepts() == b.intercepts());
}

TEST_CASE("softmax regression: double products reach the same optimum", "[models]") {
  // The double phase (what a fit switches to when float round-off stalls the line search)
  // run from the start: sklearn's optimum, and the float fit's within float accuracy.
  const Dataset train = dense(lg::test::read_numeric_csv("models/lp_train_x.csv"));
  const Dataset test = dense(lg::test::read_numeric_csv("models/lp_test_x.csv"));
  const std::vector<int> y = class_ids();
  const int k = static_cast<int>(lg::test::read_numeric_csv("models/lp_classes.csv").size());
  SoftmaxOptions o = tight();
  o.double_products = true;
  SoftmaxRegression exact, single;
  const auto report = exact.fit(train, y, k, o);
  const auto float_report = single.fit(train, y, k, tight());
  INFO("iterations " << report.iterations << " (float " << float_report.iterations << ")");
  CHECK(report.used_double);
  CHECK_FALSE(float_report.used_double);
  CHECK(report.converged);
  check_against_sklearn(exact, test);
  CHECK(std::abs(report.objective - float_report.objective) <
        1e-6 * std::abs(float_report.objective));
  CHECK((exact.predict_proba(test, 1) - single.predict_proba(test, 1)).cwiseAbs().maxCoeff() <
        1e-4f);

  SECTION("CSR features too") {
    SoftmaxRegression sparse_model;
    const auto sparse_report = sparse_model.fit(lg::test::as_sparse(train), y, k, o);
    CHECK(sparse_report.converged);
    check_against_sklearn(sparse_model, lg::test::as_sparse(test));
  }
}
