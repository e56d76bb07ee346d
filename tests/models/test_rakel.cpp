// RAkEL: subsets (cover, disjointness, distinctness, caps, determinism), the vote average on a
// hand example, and whole fits (k >= L is plain LP; uncovered labels score 0 with a note).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "models/label_powerset.hpp"
#include "models/rakel.hpp"

namespace {
using lg::Context;
using lg::Dataset;
using lg::Index;
using lg::ScoreMatrix;
using lg::models::Rakel;
using lg::models::rakel_subsets;
using Subsets = std::vector<std::vector<Index>>;

/// 60 rows, 3 features, 5 labels that depend on the features (a learnable toy).
Dataset toy() {
  Dataset d;
  d.dense = lg::DenseFeatures::Random(60, 3);
  d.labels.resize(60, 5);
  for (Index i = 0; i < 60; ++i) {
    const float a = d.dense(i, 0), b = d.dense(i, 1), c = d.dense(i, 2);
    d.labels.row(i) << (a > 0), (a + b > 0), (b > 0.3f), (c > 0), (a - c > 0);
  }
  d.label_names = {"a", "b", "c", "d", "e"};
  return d;
}

}  // namespace

TEST_CASE("rakel-d subsets are disjoint, cover every label and follow the seed", "[models]") {
  const Subsets s = rakel_subsets(7, "d", 3, 0, 42);
  REQUIRE(s.size() == 3);  // ceil(7 / 3)
  CHECK(s[0].size() == 3);
  CHECK(s[1].size() == 3);
  CHECK(s[2].size() == 1);
  std::vector<Index> all;
  for (const auto& subset : s) {
    CHECK(std::is_sorted(subset.begin(), subset.end()));
    all.insert(all.end(), subset.begin(), subset.end());
  }
  std::sort(all.begin(), all.end());
  CHECK(all == std::vector<Index>{0, 1, 2, 3, 4, 5, 6});
  CHECK(rakel_subsets(7, "d", 3, 0, 42) == s);
  // Some other seed among 1..4 gives another partition.
  bool differs = false;
  for (std::uint64_t seed = 1; seed < 5 && !differs; ++seed)
    differs = rakel_subsets(7, "d", 3, 0, seed) != s;
  CHECK(differs);
}

TEST_CASE("rakel-o subsets are distinct k-subsets, m defaults to 2L, capped by C(L, k)",
          "[models]") {
  std::vector<std::string> notes;
  // C(5, 2) = 10 = 2L: every pair once.
  const Subsets pairs = rakel_subsets(5, "o", 2, 0, 7, &notes);
  CHECK(notes.empty());
  REQUIRE(pairs.size() == 10);
  CHECK(std::set<std::vector<Index>>(pairs.begin(), pairs.end()).size() == 10);
  // m = 12 > C(5, 2): capped with a note.
  const Subsets capped = rakel_subsets(5, "o", 2, 12, 7, &notes);
  CHECK(capped.size() == 10);
  REQUIRE(notes.size() == 1);
  CHECK_THAT(notes[0], Catch::Contains("m = 12 capped at C(5, 2) = 10"));
  // C(100, 3) = 161700: the rejection sampler, 200 distinct sorted triples.
  const Subsets many = rakel_subsets(100, "o", 3, 0, 7);
  REQUIRE(many.size() == 200);
  CHECK(std::set<std::vector<Index>>(many.begin(), many.end()).size() == 200);
  for (const auto& subset : many) {
    CHECK(subset.size() == 3);
    CHECK(std::adjacent_find(subset.begin(), subset.end(), std::greater_equal<Index>()) ==
          subset.end());
    CHECK(subset.back() < 100);
  }
  CHECK(rakel_subsets(100, "o", 3, 0, 7) == many);
  // k >= L: one subset of everything.
  notes.clear();
  CHECK(rakel_subsets(4, "o", 6, 0, 7, &notes) == Subsets{{0, 1, 2, 3}});
  CHECK_THAT(notes.at(0), Catch::Contains("plain LP"));
  CHECK_THROWS_WITH(rakel_subsets(4, "x", 2, 0, 7), Catch::Contains("variant must be"));
  CHECK_THROWS_WITH(rakel_subsets(4, "d", 0, 0, 7), Catch::Contains("k must be >= 1"));
}

TEST_CASE("rakel votes: mean over the models containing a label, 0 for none", "[models]") {
  // Subsets {0,1} and {1,2} over L = 4; two rows.
  //   label 0: only subset 1:      row 0 0.2,               row 1 1.0
  //   label 1: both: row 0 (0.6 + 0.8) / 2 = 0.7,          row 1 (0.0 + 0.5) / 2 = 0.25
  //   label 2: only subset 2:      row 0 0.4,               row 1 0.5
  //   label 3: no subset: 0, reported as uncovered.
  const Subsets subsets{{0, 1}, {1, 2}};
  ScoreMatrix first(2, 2), second(2, 2);
  first << 0.2f, 0.6f, 1.0f, 0.0f;
  second << 0.8f, 0.4f, 0.5f, 0.5f;
  std::vector<Index> uncovered;
  const ScoreMatrix s = lg::models::combine_votes(subsets, {first, second}, 4, &uncovered);
  ScoreMatrix expected(2, 4);
  expected << 0.2f, 0.7f, 0.4f, 0.0f, 1.0f, 0.25f, 0.5f, 0.0f;
  CHECK(s.isApprox(expected, 1e-6f));
  CHECK(uncovered == std::vector<Index>{3});
  CHECK_THROWS_WITH(lg::models::combine_votes(subsets, {first}, 4),
                    Catch::Contains("2 subsets but 1 score matrices"));
}

TEST_CASE("rakel fits: deterministic, k >= L equals lp, uncovered labels noted", "[models]") {
  const Dataset data = toy();
  Context ctx;
  ctx.seed = 3;
  Rakel::Params p;
  p.k = 2;
  Rakel d(p);
  d.fit(data, ctx);
  REQUIRE(d.subsets().size() == 3);  // ceil(5 / 2)
  const ScoreMatrix scores = d.predict_scores(data, ctx);
  CHECK(scores.rows() == 60);
  CHECK(scores.cols() == 5);
  CHECK(scores.minCoeff() >= 0.0f);
  CHECK(scores.maxCoeff() <= 1.0f);
  Rakel again(p);
  again.fit(data, ctx);
  CHECK(again.subsets() == d.subsets());
  CHECK(again.predict_scores(data, ctx) == scores);

  // k >= L: one LP over all labels, the same scores as lp.
  p.k = 5;
  Rakel whole(p);
  whole.fit(data, ctx);
  lg::models::LabelPowerset lp(lg::models::LabelPowerset::Params{});
  lp.fit(data, ctx);
  CHECK(whole.predict_scores(data, ctx) == lp.predict_scores(data, ctx));

  // RAkEL-o with one pair: three labels in no subset score 0 and are named in a note.
  p.variant = "o";
  p.k = 2;
  p.m = 1;
  Rakel one(p);
  one.fit(data, ctx);
  REQUIRE(one.subsets().size() == 1);
  const ScoreMatrix partial = one.predict_scores(data, ctx);
  for (Index j = 0; j < 5; ++j) {
    const bool covered = std::count(one.subsets()[0].begin(), one.subsets()[0].end(), j) > 0;
    if (!covered) CHECK(partial.col(j).isZero());
  }
  bool noted = false;
  for (const std::string& n : one.notes())
    noted = noted || n.find("3 label(s) in no subset score 0") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("rakel rejects bad parameters", "[models]") {
  Rakel::Params p;
  p.variant = "x";
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("variant must be \"d\" or \"o\""));
  p.variant = "o";
  p.k = 0;
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("k must be >= 1"));
  p.k = 3;
  p.m = -1;
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("m must be >= 0"));
  p.variant = "d";
  p.m = 4;
  CHECK_THROWS_WITH(p.validate(), Catch::Contains("variant \"o\" only"));
}
