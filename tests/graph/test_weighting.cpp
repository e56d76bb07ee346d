// Adjacency builders and post-steps, every one on a hand-computed example (the 8-row, 5-label
// matrix of test_cooccurrence.cpp), plus parameter errors and the notes a build leaves.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "graph/cooccurrence.hpp"
#include "graph/weighting.hpp"
#include "helpers.hpp"

namespace {
using lg::Adjacency;
using lg::Index;
using lg::graph::build_adjacency;
using lg::graph::BuildNotes;
using lg::graph::Cooccurrence;
using lg::graph::LabelGraphSpec;
using lg::test::matrix;

// Labels a b c d e over n = 8 rows: {a,b} {a,b,c} {a} {b,c} {a,b} {c,d} {} {a,c}.
// N = (5, 4, 4, 1, 0); M (diagonal = N):
//   a [5 3 2 0 0]
//   b [3 4 2 0 0]
//   c [2 2 4 1 0]
//   d [0 0 1 1 0]
//   e [0 0 0 0 0]
Cooccurrence small() {
  const int rows[8][5] = {{1, 1, 0, 0, 0}, {1, 1, 1, 0, 0}, {1, 0, 0, 0, 0}, {0, 1, 1, 0, 0},
                          {1, 1, 0, 0, 0}, {0, 0, 1, 1, 0}, {0, 0, 0, 0, 0}, {1, 0, 1, 0, 0}};
  lg::LabelMatrix y(8, 5);
  for (Index r = 0; r < 8; ++r)
    for (Index l = 0; l < 5; ++l) y(r, l) = static_cast<std::uint8_t>(rows[r][l]);
  return lg::graph::count_cooccurrence(y, {"a", "b", "c", "d", "e"});
}

LabelGraphSpec spec(const std::string& name) {
  LabelGraphSpec s;
  s.weighting = name;
  return s;
}

double max_abs_diff(const Adjacency& a, const Eigen::MatrixXd& b) {
  REQUIRE(a.rows() == b.rows());
  REQUIRE(a.cols() == b.cols());
  return (a - b).cwiseAbs().maxCoeff();
}

bool has_note(const BuildNotes& notes, const std::string& text) {
  for (const std::string& n : notes.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("weighting: the names and which are directed", "[graph][weighting]") {
  CHECK(lg::graph::weighting_names() == std::vector<std::string>{"counts", "conditional", "pmi",
                                                                 "npmi", "jaccard", "lift",
                                                                 "mlgcn-binary", "mlgcn-reweighted",
                                                                 "mlgcn-reference", "identity"});
  for (const char* directed :
       {"conditional", "mlgcn-binary", "mlgcn-reweighted", "mlgcn-reference"})
    CHECK(lg::graph::is_directed(directed));
  for (const char* undirected : {"counts", "pmi", "npmi", "jaccard", "lift", "identity"})
    CHECK_FALSE(lg::graph::is_directed(undirected));
  LabelGraphSpec s = spec("jaccard");
  CHECK_FALSE(lg::graph::is_directed(s));
  s.normalization = "symmetric";
  CHECK_FALSE(lg::graph::is_directed(s));
  s.top_k = 2;
  CHECK(lg::graph::is_directed(s));
  s.top_k = 0;
  s.normalization = "row";
  CHECK(lg::graph::is_directed(s));
  CHECK_THROWS_WITH(lg::graph::is_directed("cosine"),
                    Catch::Contains("unknown weighting 'cosine'"));
}

TEST_CASE("weighting: counts is scikit-multilearn's weighted graph with self-edges",
          "[graph][weighting]") {
  // LabelCooccurrenceGraphBuilder(weighted=True, include_self_edges=True,
  // normalize_self_edges=False): edge (a, b) weight = rows with both, (a, a) = rows with a.
  BuildNotes notes;
  const Adjacency a = build_adjacency(small(), spec("counts"), &notes);
  CHECK(a ==
        matrix(
            {{5, 3, 2, 0, 0}, {3, 4, 2, 0, 0}, {2, 2, 4, 1, 0}, {0, 0, 1, 1, 0}, {0, 0, 0, 0, 0}}));
  CHECK(notes.edges == 8);  // ab ac bc cd, both directions
  CHECK(has_note(notes, "1 label(s) never occur in the counts and have no edges: e"));
}

TEST_CASE("weighting: conditional, pmi, npmi, jaccard, lift without self-edges",
          "[graph][weighting]") {
  const Cooccurrence c = small();
  // P(j|i) = M_ij / N_i, N = (5, 4, 4, 1, 0).
  CHECK(max_abs_diff(build_adjacency(c, spec("conditional")),
                     matrix({{0, 3.0 / 5, 2.0 / 5, 0, 0},
                             {3.0 / 4, 0, 2.0 / 4, 0, 0},
                             {2.0 / 4, 2.0 / 4, 0, 1.0 / 4, 0},
                             {0, 0, 1, 0, 0},
                             {0, 0, 0, 0, 0}})) < 1e-15);
  // PMI ln(M_ij n / (N_i N_j)), n = 8: ab ln(24/20), ac ln(16/20) < 0 (kept), bc ln 1 = 0,
  // cd ln(8/4).
  const double ab = std::log(1.2), ac = std::log(0.8), cd = std::log(2.0);
  BuildNotes pmi_notes;
  CHECK(max_abs_diff(build_adjacency(c, spec("pmi"), &pmi_notes), matrix({{0, ab, ac, 0, 0},
                                                                          {ab, 0, 0, 0, 0},
                                                                          {ac, 0, 0, cd, 0},
                                                                          {0, 0, cd, 0, 0},
                                                                          {0, 0, 0, 0, 0}})) <
        1e-15);
  CHECK(pmi_notes.edges == 6);  // bc has PMI exactly 0: no edge
  // NPMI = PMI / -ln(M_ij / n): ab / ln(8/3), ac / ln 4, cd / ln 8.
  CHECK(max_abs_diff(build_adjacency(c, spec("npmi")),
                     matrix({{0, ab / std::log(8.0 / 3), ac / std::log(4.0), 0, 0},
                             {ab / std::log(8.0 / 3), 0, 0, 0, 0},
                             {ac / std::log(4.0), 0, 0, 1.0 / 3, 0},
                             {0, 0, 1.0 / 3, 0, 0},
                             {0, 0, 0, 0, 0}})) < 1e-15);
  // Jaccard M_ij / (N_i + N_j - M_ij): ab 3/6, ac 2/7, bc 2/6, cd 1/4.
  CHECK(max_abs_diff(build_adjacency(c, spec("jaccard")), matrix({{0, 0.5, 2.0 / 7, 0, 0},
                                                                  {0.5, 0, 1.0 / 3, 0, 0},
                                                                  {2.0 / 7, 1.0 / 3, 0, 0.25, 0},
                                                                  {0, 0, 0.25, 0, 0},
                                                                  {0, 0, 0, 0, 0}})) < 1e-15);
  // lift M_ij n / (N_i N_j): ab 1.2, ac 0.8, bc 1, cd 2.
  CHECK(max_abs_diff(build_adjacency(c, spec("lift")), matrix({{0, 1.2, 0.8, 0, 0},
                                                               {1.2, 0, 1, 0, 0},
                                                               {0.8, 1, 0, 2, 0},
                                                               {0, 0, 2, 0, 0},
                                                               {0, 0, 0, 0, 0}})) < 1e-15);
  CHECK(build_adjacency(c, spec("identity")) == Eigen::MatrixXd::Identity(5, 5));
}

TEST_CASE("weighting: mlgcn-binary thresholds P(j|i) >= tau", "[graph][weighting]") {
  const Cooccurrence c = small();
  // P: a->b 0.6, a->c 0.4, b->a 0.75, b->c 0.5, c->a 0.5, c->b 0.5, c->d 0.25, d->c 1.
  LabelGraphSpec s = spec("mlgcn-binary");
  s.tau = 0.5;
  BuildNotes notes;
  CHECK(build_adjacency(c, s, &notes) ==
        matrix(
            {{0, 1, 0, 0, 0}, {1, 0, 1, 0, 0}, {1, 1, 0, 0, 0}, {0, 0, 1, 0, 0}, {0, 0, 0, 0, 0}}));
  CHECK(notes.edges == 6);
  CHECK(has_note(notes, "mlgcn-binary at tau = 0.5: 6 directed edges"));
  // tau = 0.4: a->c joins, since 2.0 / 5.0 is the double nearest 0.4, the same as tau (the
  // authors' divide-then-compare; 0.4 * 5 would also do here, but not in general).
  s.tau = 0.4;
  const Adjacency at04 = build_adjacency(c, s, &notes);
  CHECK(at04(0, 2) == 1.0);
  CHECK(notes.edges == 7);
  s.tau = 1.0;  // only d -> c (P = 1)
  CHECK(build_adjacency(c, s, &notes).sum() == 1.0);
  CHECK(notes.edges == 1);
}

TEST_CASE("weighting: mlgcn-reweighted as in the paper", "[graph][weighting]") {
  // tau 0.5 edges: a: {b}; b: {a, c}; c: {a, b}; d: {c}; e: none.
  // p = 0.2: neighbours share 0.2 equally, the diagonal keeps 0.8; e keeps only 0.8.
  LabelGraphSpec s = spec("mlgcn-reweighted");
  s.tau = 0.5;
  s.p = 0.2;
  BuildNotes notes;
  CHECK(max_abs_diff(build_adjacency(small(), s, &notes), matrix({{0.8, 0.2, 0, 0, 0},
                                                                  {0.1, 0.8, 0.1, 0, 0},
                                                                  {0.1, 0.1, 0.8, 0, 0},
                                                                  {0, 0, 0.2, 0.8, 0},
                                                                  {0, 0, 0, 0, 0.8}})) < 1e-15);
  CHECK(notes.edges == 6);
  CHECK(has_note(notes, "1 label(s) have no neighbour at tau = 0.5"));
}

TEST_CASE("weighting: mlgcn-reference is the authors' D A'^T D", "[graph][weighting]") {
  // A (tau 0.5) as in the mlgcn-binary test; column sums a 2, b 2, c 2, d 0, e 0, so every
  // edge gets w = 0.25 / (2 + 1e-6) and A' = A w + I:
  //   a [1 w 0 0 0]  row sum 1 + w
  //   b [w 1 w 0 0]  1 + 2w
  //   c [w w 1 0 0]  1 + 2w
  //   d [0 0 w 1 0]  1 + w
  //   e [0 0 0 0 1]  1
  // d_i = rowsum^-1/2; result (i, j) = A'_ji d_i d_j.
  const double w = 0.25 / (2 + 1e-6);
  const double s1 = 1 + w, s2 = 1 + 2 * w;
  const double cross = w / std::sqrt(s1 * s2);
  const Eigen::MatrixXd expected = matrix({{1 / s1, cross, cross, 0, 0},
                                           {cross, 1 / s2, w / s2, 0, 0},
                                           {0, w / s2, 1 / s2, cross, 0},
                                           {0, 0, 0, 1 / s1, 0},
                                           {0, 0, 0, 0, 1}});
  LabelGraphSpec s = spec("mlgcn-reference");
  s.tau = 0.5;
  s.p = 0.9;  // not used: the authors' code has 0.25 built in
  CHECK(max_abs_diff(build_adjacency(small(), s), expected) < 1e-15);
}

TEST_CASE("weighting: min_support drops rare pairs, never the diagonal", "[graph][weighting]") {
  LabelGraphSpec s = spec("counts");
  s.min_support = 2;  // M_cd = 1 goes (both directions); d's own count 1 stays
  BuildNotes notes;
  CHECK(build_adjacency(small(), s, &notes) ==
        matrix(
            {{5, 3, 2, 0, 0}, {3, 4, 2, 0, 0}, {2, 2, 4, 0, 0}, {0, 0, 0, 1, 0}, {0, 0, 0, 0, 0}}));
  CHECK(notes.pruned_by_support == 2);
  CHECK(notes.edges == 6);
  CHECK(has_note(notes, "min_support 2: 2 edge(s)"));
  // On a derived weight the support is still M_ij: jaccard with min_support 3 keeps only ab.
  s = spec("jaccard");
  s.min_support = 3;
  const Adjacency j = build_adjacency(small(), s, &notes);
  CHECK(j == matrix({{0, 0.5, 0, 0, 0},
                     {0.5, 0, 0, 0, 0},
                     {0, 0, 0, 0, 0},
                     {0, 0, 0, 0, 0},
                     {0, 0, 0, 0, 0}}));
  CHECK(notes.pruned_by_support == 6);
}

TEST_CASE("weighting: top_k keeps the strongest edges of each row", "[graph][weighting]") {
  // Jaccard rows: a {b .5, c 2/7} -> b; b {a .5, c 1/3} -> a; c {a 2/7, b 1/3, d 1/4} -> b;
  // d {c 1/4} -> c. Pruned: a->c, b->c, c->a, c->d = 4.
  LabelGraphSpec s = spec("jaccard");
  s.top_k = 1;
  BuildNotes notes;
  CHECK(build_adjacency(small(), s, &notes) == matrix({{0, 0.5, 0, 0, 0},
                                                       {0.5, 0, 0, 0, 0},
                                                       {0, 1.0 / 3, 0, 0, 0},
                                                       {0, 0, 0.25, 0, 0},
                                                       {0, 0, 0, 0, 0}}));
  CHECK(notes.pruned_by_top_k == 4);
  // Largest by value: PMI's negative a->c loses to b's positive weight; ties keep the lower
  // column (counts row c: a 2, b 2, d 1 -> a; the diagonal is not an edge and stays).
  s = spec("counts");
  s.top_k = 1;
  CHECK(build_adjacency(small(), s, &notes) ==
        matrix(
            {{5, 3, 0, 0, 0}, {3, 4, 0, 0, 0}, {2, 0, 4, 0, 0}, {0, 0, 1, 1, 0}, {0, 0, 0, 0, 0}}));
  CHECK(notes.pruned_by_top_k == 4);  // a->c, b->c, c->b, c->d
  s = spec("pmi");
  s.top_k = 1;
  const Adjacency pmi = build_adjacency(small(), s, &notes);
  CHECK(pmi(0, 1) == Approx(std::log(1.2)));
  CHECK(pmi(0, 2) == 0.0);
  CHECK(pmi(2, 3) == Approx(std::log(2.0)));
  CHECK(pmi(2, 0) == 0.0);
}

TEST_CASE("weighting: symmetric and row normalisation", "[graph][weighting]") {
  // counts row sums (diagonal included): a 10, b 9, c 9, d 2, e 0.
  LabelGraphSpec s = spec("counts");
  s.normalization = "row";
  BuildNotes notes;
  CHECK(max_abs_diff(build_adjacency(small(), s, &notes),
                     matrix({{0.5, 0.3, 0.2, 0, 0},
                             {3.0 / 9, 4.0 / 9, 2.0 / 9, 0, 0},
                             {2.0 / 9, 2.0 / 9, 4.0 / 9, 1.0 / 9, 0},
                             {0, 0, 0.5, 0.5, 0},
                             {0, 0, 0, 0, 0}})) < 1e-15);
  CHECK(has_note(notes, "1 row(s) sum to 0 and stay 0"));
  // Symmetric: M_ij / sqrt(d_i d_j).
  s.normalization = "symmetric";
  const double r10 = std::sqrt(10.0), r2 = std::sqrt(2.0);
  CHECK(max_abs_diff(build_adjacency(small(), s),
                     matrix({{0.5, 3 / (r10 * 3), 2 / (r10 * 3), 0, 0},
                             {3 / (3 * r10), 4.0 / 9, 2.0 / 9, 0, 0},
                             {2 / (3 * r10), 2.0 / 9, 4.0 / 9, 1 / (3 * r2), 0},
                             {0, 0, 1 / (r2 * 3), 0.5, 0},
                             {0, 0, 0, 0, 0}})) < 1e-15);
  // Composition: min_support, then top_k, then normalisation. counts, support 2 drops cd,
  // top 1 keeps ab, ba, ca: rows a [5 3] / 8, b [3 4] / 7, c [2 . 4] / 6, d [1] / 1.
  s.min_support = 2;
  s.top_k = 1;
  s.normalization = "row";
  CHECK(max_abs_diff(build_adjacency(small(), s, &notes), matrix({{5.0 / 8, 3.0 / 8, 0, 0, 0},
                                                                  {3.0 / 7, 4.0 / 7, 0, 0, 0},
                                                                  {2.0 / 6, 0, 4.0 / 6, 0, 0},
                                                                  {0, 0, 0, 1, 0},
                                                                  {0, 0, 0, 0, 0}})) < 1e-15);
  CHECK(notes.pruned_by_support == 2);
  CHECK(notes.pruned_by_top_k == 3);  // a->c, b->c, c->b
  CHECK(notes.edges == 3);
}

TEST_CASE("weighting: mlgcn builders with post-steps say so", "[graph][weighting]") {
  LabelGraphSpec s = spec("mlgcn-reweighted");
  s.tau = 0.5;
  s.top_k = 1;
  BuildNotes notes;
  build_adjacency(small(), s, &notes);
  CHECK(has_note(notes, "post-steps applied to mlgcn-reweighted"));
  s.top_k = 0;
  build_adjacency(small(), s, &notes);
  CHECK_FALSE(has_note(notes, "post-steps"));
}

TEST_CASE("weighting: bad names and parameters", "[graph][weighting]") {
  const Cooccurrence c = small();
  CHECK_THROWS_WITH(build_adjacency(c, spec("cosine")),
                    Catch::Contains("unknown weighting 'cosine' (known: counts, conditional"));
  LabelGraphSpec s = spec("mlgcn-binary");
  for (double tau : {0.0, -0.1, 1.5, std::nan("")}) {
    s.tau = tau;
    CHECK_THROWS_WITH(build_adjacency(c, s), Catch::Contains("tau must be in (0, 1]"));
  }
  s = spec("mlgcn-reweighted");
  s.p = 1.2;
  CHECK_THROWS_WITH(build_adjacency(c, s), Catch::Contains("p must be in [0, 1], not 1.2"));
  s = spec("counts");
  s.min_support = -1;
  CHECK_THROWS_WITH(build_adjacency(c, s), Catch::Contains("min_support must be"));
  s.min_support = 0;
  s.top_k = -2;
  CHECK_THROWS_WITH(build_adjacency(c, s), Catch::Contains("top_k must be >= 0"));
  s = spec("pmi");
  s.normalization = "symmetric";
  CHECK_THROWS_WITH(build_adjacency(c, s),
                    Catch::Contains("symmetric normalisation needs non-negative weights"));
  Cooccurrence unknown_rows = small();
  unknown_rows.rows = 0;
  CHECK_THROWS_WITH(build_adjacency(unknown_rows, spec("npmi")), Catch::Contains("NPMI needs n"));
}
