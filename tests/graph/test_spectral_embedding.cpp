// Spectral (Laplacian-eigenmaps) label embeddings: hand-computed small graphs, a numpy/scipy
// reference (tests/fixtures/graph/make_spectral_fixture.py), invariances, and bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "core/error.hpp"
#include "graph/spectral_embedding.hpp"
#include "helpers.hpp"

namespace {
using Catch::Matchers::Contains;
using lg::Adjacency;
using lg::graph::spectral_embedding;
using lg::graph::SpectralNotes;

Adjacency adjacency(std::initializer_list<std::initializer_list<double>> rows) {
  return lg::test::matrix(rows);
}

Eigen::MatrixXd from_rows(const std::vector<std::vector<double>>& rows) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == rows[0].size());
    for (std::size_t j = 0; j < rows[i].size(); ++j) m(i, j) = rows[i][j];
  }
  return m;
}

// Two cliques {0..3} and {4..7} with unit weights, joined by the edge 3 - 4 of weight `bridge`.
Adjacency two_cliques(double bridge) {
  Adjacency a = Adjacency::Zero(8, 8);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j)
      if (i != j && (i < 4) == (j < 4)) a(i, j) = 1.0;
  a(3, 4) = a(4, 3) = bridge;
  return a;
}

}  // namespace

// The path 0 - 1 - 2 (unit weights) and an isolated label 3. Degrees d = (1, 2, 1).
// N = D^-1/2 W D^-1/2 has N_01 = N_12 = 1/sqrt2; its eigenvalues are 1, 0, -1, so those of
// L = I - N are 0, 1, 2.
//   lambda = 1: N v = 0 for v = (1, 0, -1)/sqrt2; times D^-1/2 = (1, 1/sqrt2, 1):
//               (1/sqrt2, 0, -1/sqrt2); the tie |v0| = |v2| goes to the lower index: v0 > 0.
//   lambda = 2: N v = -v for v = (1, -sqrt2, 1)/2; times D^-1/2: (1/2, -1/2, 1/2).
TEST_CASE("spectral: a path by hand, with an isolated label", "[graph][spectral]") {
  const Adjacency path = adjacency({{0, 1, 0, 0}, {1, 0, 1, 0}, {0, 1, 0, 0}, {0, 0, 0, 0}});
  SpectralNotes notes;
  const Eigen::MatrixXd e = spectral_embedding(path, 2, &notes);
  REQUIRE(e.rows() == 4);
  REQUIRE(e.cols() == 2);
  const double r = 1.0 / std::sqrt(2.0);
  const Eigen::MatrixXd expected = lg::test::matrix({{r, 0.5}, {0, -0.5}, {-r, 0.5}, {0, 0}});
  CHECK((e - expected).cwiseAbs().maxCoeff() < 1e-12);
  REQUIRE(notes.eigenvalues.size() == 2);
  CHECK(notes.eigenvalues[0] == Approx(1.0).margin(1e-12));
  CHECK(notes.eigenvalues[1] == Approx(2.0).margin(1e-12));
  CHECK(notes.isolated == std::vector<lg::Index>{3});
  CHECK(notes.components == 1);
  REQUIRE(notes.notes.size() == 1);
  CHECK_THAT(notes.notes[0], Contains("1 labels have no edges"));

  // The same graph given directed, with self-loops and a negative entry: negatives -> 0, then
  // (A + A^T)/2 (2 on one side only -> 1), diagonal ignored.
  const Adjacency messy = adjacency({{7, 2, 0, -5}, {0, 0, 0, 0}, {0, 2, 3, 0}, {0, 0, 0, 0}});
  CHECK((spectral_embedding(messy, 2) - expected).cwiseAbs().maxCoeff() < 1e-12);
}

// Two triangles without an edge between them: degrees all 2, eigenvalue 0 twice. The fixed
// basis: b0 = 1/sqrt6; u = sqrt2 * 1_{0,1,2} minus its projection sqrt3 * b0 is +-1/sqrt2,
// norm sqrt3, so +-1/sqrt6; times D^-1/2 = 1/sqrt2: +1/sqrt12 on {0,1,2}, -1/sqrt12 on {3,4,5}.
// A triangle's L has eigenvalues 0, 3/2, 3/2, so dimension 2 has eigenvalue 3/2, repeated.
TEST_CASE("spectral: two components get a fixed, separating null-space basis", "[graph][spectral]") {
  Adjacency a = Adjacency::Zero(6, 6);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j)
      if (i != j && (i < 3) == (j < 3)) a(i, j) = 1.0;
  SpectralNotes notes;
  const Eigen::MatrixXd e = spectral_embedding(a, 2, &notes);
  const double s = 1.0 / std::sqrt(12.0);
  for (int i = 0; i < 6; ++i) CHECK(e(i, 0) == Approx(i < 3 ? s : -s).margin(1e-12));
  CHECK(notes.components == 2);
  CHECK(notes.eigenvalues[0] == 0.0);
  CHECK(notes.eigenvalues[1] == Approx(1.5).margin(1e-12));
  REQUIRE(notes.notes.size() == 2);
  CHECK_THAT(notes.notes[0], Contains("2 connected components"));
  CHECK_THAT(notes.notes[1], Contains("eigenvalue 1.5 is repeated"));
  // Dimension 2 lies in the eigenspaces of the triangles: orthogonal (in D) to both indicators.
  CHECK(std::abs(e.col(1).head(3).sum()) < 1e-12);
  CHECK(std::abs(e.col(1).tail(3).sum()) < 1e-12);
}

TEST_CASE("spectral: two cliques joined by a weak edge split on the first dimension",
          "[graph][spectral]") {
  for (const double bridge : {0.01, 0.3}) {
    INFO("bridge " << bridge);
    SpectralNotes notes;
    const Eigen::MatrixXd e = spectral_embedding(two_cliques(bridge), 2, &notes);
    CHECK(notes.components == 1);
    CHECK(notes.eigenvalues[0] > 0.0);
    CHECK(notes.eigenvalues[0] < 0.1);  // the Fiedler value of a near-cut is small
    const double left = e(0, 0);
    CHECK(std::abs(left) > 1e-3);
    for (int i = 0; i < 8; ++i) {
      INFO("label " << i);
      CHECK((e(i, 0) * left > 0.0) == (i < 4));
    }
  }
}

TEST_CASE("spectral: matches numpy/scipy on a small weighted graph", "[graph][spectral]") {
  const Adjacency a = from_rows(lg::test::read_numeric_csv("graph/spectral_adjacency.csv"));
  const Eigen::MatrixXd expected = from_rows(lg::test::read_numeric_csv("graph/spectral_expected.csv"));
  const auto eigenvalues = lg::test::read_numeric_csv("graph/spectral_eigenvalues.csv");
  REQUIRE(a.rows() == 7);
  REQUIRE(expected.cols() == 3);
  SpectralNotes notes;
  const Eigen::MatrixXd e = spectral_embedding(a, 3, &notes);
  REQUIRE(e.rows() == 7);
  REQUIRE(e.cols() == 3);
  for (int k = 0; k < 3; ++k) {
    INFO("dimension " << k);
    const double same = (e.col(k) - expected.col(k)).cwiseAbs().maxCoeff();
    const double flipped = (e.col(k) + expected.col(k)).cwiseAbs().maxCoeff();
    CHECK(std::min(same, flipped) < 1e-9);
    CHECK(same < 1e-9);  // the script applies the same sign rule (sklearn's)
    CHECK(notes.eigenvalues[k] == Approx(eigenvalues[0][k]).margin(1e-9));
  }
  CHECK(notes.notes.empty());
}

TEST_CASE("spectral: deterministic, scaled by D^-1/2, and equivariant under relabelling",
          "[graph][spectral]") {
  const Adjacency a = from_rows(lg::test::read_numeric_csv("graph/spectral_adjacency.csv"));
  const Eigen::MatrixXd e = spectral_embedding(a, 3);
  CHECK(spectral_embedding(a, 3) == e);  // bit for bit
  // The normalised Laplacian does not see a common factor s of the weights; only the D^-1/2
  // scaling does: degrees times 4 -> coordinates times 1/2.
  CHECK((spectral_embedding(Adjacency(4.0 * a), 3) - 0.5 * e).cwiseAbs().maxCoeff() < 1e-12);
  // Relabelling permutes the rows (the eigenvalues are distinct, and the sign rule follows the
  // largest entry wherever it moves).
  const std::vector<int> order = {3, 6, 0, 5, 1, 4, 2};  // new label i is old label order[i]
  Adjacency p(7, 7);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 7; ++j) p(i, j) = a(order[i], order[j]);
  const Eigen::MatrixXd ep = spectral_embedding(p, 3);
  for (int i = 0; i < 7; ++i) CHECK((ep.row(i) - e.row(order[i])).cwiseAbs().maxCoeff() < 1e-9);
}

TEST_CASE("spectral: bad input is refused with a clear message", "[graph][spectral]") {
  const Adjacency path = adjacency({{0, 1, 0}, {1, 0, 1}, {0, 1, 0}});
  CHECK_THROWS_WITH(spectral_embedding(path, 0), Contains("dims must be in [1, L - 1] = [1, 2]"));
  CHECK_THROWS_WITH(spectral_embedding(path, 3), Contains("got 3"));
  CHECK_NOTHROW(spectral_embedding(path, 2));
  CHECK_THROWS_WITH(spectral_embedding(Adjacency::Zero(2, 3), 1), Contains("square") && Contains("2 x 3"));
  CHECK_THROWS_WITH(spectral_embedding(Adjacency::Zero(1, 1), 1), Contains("dims must be"));
  Adjacency nan = path;
  nan(0, 2) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(spectral_embedding(nan, 1), Contains("NaN"));
  // One edge among four labels: 2 labels with edges give at most 1 dimension.
  const Adjacency sparse = adjacency({{0, 1, 0, 0}, {1, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, -1}});
  CHECK_THROWS_WITH(spectral_embedding(sparse, 2), Contains("only 2 of 4 labels have edges"));
  CHECK_THROWS_WITH(spectral_embedding(Adjacency::Zero(4, 4), 1), Contains("only 0 of 4"));
  const Eigen::MatrixXd one = spectral_embedding(sparse, 1);
  // L = [[1, -1], [-1, 1]]: eigenvalue 2 with v = (1, -1)/sqrt2; D^-1/2 = I; the tie -> v0 > 0.
  CHECK(one(0, 0) == Approx(1.0 / std::sqrt(2.0)).margin(1e-12));
  CHECK(one(1, 0) == Approx(-1.0 / std::sqrt(2.0)).margin(1e-12));
  CHECK(one.bottomRows(2).isZero(0.0));
}
