// Standardizer: scikit-learn StandardScaler semantics checked against hand-computed values.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.hpp"
#include "data/standardize.hpp"

namespace {
using lg::Dataset;

Dataset features(std::initializer_list<std::initializer_list<float>> rows) {
  Dataset d;
  d.name = "hand";
  d.dense.resize(static_cast<lg::Index>(rows.size()), static_cast<lg::Index>(rows.begin()->size()));
  lg::Index r = 0;
  for (const auto& row : rows) {
    lg::Index c = 0;
    for (float v : row) d.dense(r, c++) = v;
    ++r;
  }
  d.labels.resize(d.dense.rows(), 0);
  for (lg::Index c = 0; c < d.dense.cols(); ++c) d.feature_names.push_back("f" + std::to_string(c));
  return d;
}
}  // namespace

TEST_CASE("standardize: dense columns centred and divided by the population sd", "[data]") {
  // column 0: 1, 2, 3, 6 -> mean 3; deviations -2, -1, 0, 3; squares 4 + 1 + 0 + 9 = 14;
  //   variance (ddof 0) 14/4 = 3.5; sd sqrt(3.5).
  // column 1: constant 5 -> mean 5, scale 1 (left unscaled; values become 0).
  // column 2: -1, 1, -1, 1 -> mean 0, variance 1, scale 1.
  Dataset train = features({{1, 5, -1}, {2, 5, 1}, {3, 5, -1}, {6, 5, 1}});
  const lg::Standardizer s = lg::Standardizer::fit(train);
  CHECK(s.mean(0) == Approx(3.0));
  CHECK(s.mean(1) == Approx(5.0));
  CHECK(s.mean(2) == Approx(0.0).margin(1e-15));
  CHECK(s.scale(0) == Approx(std::sqrt(3.5)));
  CHECK(s.scale(1) == 1.0);
  CHECK(s.scale(2) == Approx(1.0));
  s.apply(train);
  CHECK(train.dense(0, 0) == Approx(-2 / std::sqrt(3.5)));
  CHECK(train.dense(3, 0) == Approx(3 / std::sqrt(3.5)));
  CHECK(train.dense(2, 1) == 0.0f);
  CHECK(train.dense(1, 2) == Approx(1.0));
  // a test row uses the TRAINING statistics: (9 - 3) / sqrt(3.5), (7 - 5) / 1, (2 - 0) / 1
  Dataset test = features({{9, 7, 2}});
  s.apply(test);
  CHECK(test.dense(0, 0) == Approx(6 / std::sqrt(3.5)));
  CHECK(test.dense(0, 1) == Approx(2.0));
  CHECK(test.dense(0, 2) == Approx(2.0));
}

TEST_CASE("standardize: sparse features are scaled, not centred", "[data]") {
  // column 0 (with the implicit zeros): 0, 2, 0, 4 -> mean 1.5; deviations -1.5, 0.5, -1.5,
  //   2.5; squares 2.25 + 0.25 + 2.25 + 6.25 = 11; variance 11/4 = 2.75.
  // column 1: all zero -> scale 1.
  Dataset dense = features({{0, 0}, {2, 0}, {0, 0}, {4, 0}});
  Dataset sparse = dense;
  sparse.sparse = true;
  sparse.csr = dense.dense.sparseView();
  sparse.dense.resize(0, 0);
  const lg::Standardizer s = lg::Standardizer::fit(sparse);
  CHECK(s.mean.isZero());
  CHECK(s.scale(0) == Approx(std::sqrt(2.75)));
  CHECK(s.scale(1) == 1.0);
  s.apply(sparse);
  CHECK(sparse.csr.nonZeros() == 2);  // zeros stay zeros
  CHECK(sparse.csr.coeff(1, 0) == Approx(2 / std::sqrt(2.75)));
  CHECK(sparse.csr.coeff(3, 0) == Approx(4 / std::sqrt(2.75)));
  // the dense scaler has the same scale (and a mean)
  const lg::Standardizer sd = lg::Standardizer::fit(dense);
  CHECK(sd.scale(0) == Approx(s.scale(0)));
  CHECK(sd.mean(0) == Approx(1.5));
}

TEST_CASE("standardize: bad input", "[data]") {
  Dataset train = features({{1, 2}, {3, 4}});
  const lg::Standardizer s = lg::Standardizer::fit(train);
  Dataset wider = features({{1, 2, 3}});
  CHECK_THROWS_WITH(s.apply(wider), Catch::Contains("has 3 features, the scaler was fitted on 2"));
  Dataset nan = features({{1, 2}, {std::nanf(""), 4}});
  CHECK_THROWS_WITH(lg::Standardizer::fit(nan), Catch::Contains("non-finite"));
  Dataset empty;
  empty.dense.resize(0, 2);
  CHECK_THROWS_WITH(lg::Standardizer::fit(empty), Catch::Contains("no rows"));
}
