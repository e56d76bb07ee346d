// Evaluation measures: hand-computed examples (the article's five images, the zero-division
// policies, ML-GCN's CP..OF1, ranking measures with ties), a naive re-implementation of every
// measure compared on random matrices, and bad input.
#include <catch2/catch.hpp>

#include "helpers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "eval/measures.hpp"

namespace {
using lg::Index;
using lg::LabelMatrix;
using lg::ScoreMatrix;
using lg::ScoreMatrixD;
using namespace lg::eval;

LabelMatrix labels(std::initializer_list<std::initializer_list<int>> rows) {
  return lg::test::label_matrix(rows);
}

ScoreMatrix scores(std::initializer_list<std::initializer_list<double>> rows) {
  return lg::test::score_matrix(rows);
}

EvaluationResult run(const LabelMatrix& y, const ScoreMatrix& s, const LabelMatrix& p,
                     ZeroDivision zd = ZeroDivision::Zero, double beta = 1.0) {
  MeasureOptions o;
  o.zero_division = zd;
  o.beta = beta;
  return evaluate(y, s, p, o);
}

// ---- the naive oracle: each measure written out from its definition ------------------------

struct Oracle {
  std::map<std::string, double> m;
  std::vector<double> ap, ap_mlgcn, auc;  // NaN where undefined
};

double ratio(double num, double den, double empty) { return den == 0 ? empty : num / den; }

/// Precision, recall, F-beta of counts under a policy, written out case by case.
std::array<double, 3> oracle_prf(double tp, double fp, double fn, double beta, ZeroDivision zd) {
  if (zd == ZeroDivision::Mulan) {
    if (tp + fp + fn == 0) return {1, 1, 1};
    const double b2 = beta * beta;
    return {ratio(tp, tp + fp, 0), ratio(tp, tp + fn, 0), (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp)};
  }
  const double e = zd == ZeroDivision::One ? 1 : 0;
  const double p = ratio(tp, tp + fp, e), r = ratio(tp, tp + fn, e);
  const double f = (beta * beta * p + r) == 0 ? 0 : (1 + beta * beta) * p * r / (beta * beta * p + r);
  return {p, r, f};
}

/// MULAN's ranksFromValues: a stable ascending sort, the last element gets rank 1.
template <typename Scalar>
std::vector<Index> mulan_ranks(const std::vector<Scalar>& v) {
  std::vector<Index> order(v.size());
  std::iota(order.begin(), order.end(), Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return v[a] < v[b]; });
  std::vector<Index> ranks(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) ranks[order[i]] = static_cast<Index>(v.size() - i);
  return ranks;
}

/// Every comparison of scores in the scores' own type (float or double), the threshold too.
template <typename Scores>
Oracle oracle(const LabelMatrix& Y, const Scores& S, const LabelMatrix& P, ZeroDivision zd,
              double beta, double threshold = 0.5) {
  using Scalar = typename Scores::Scalar;
  const auto thr = static_cast<Scalar>(threshold);
  const Index n = Y.rows(), L = Y.cols();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Oracle o;
  // thresholded, per row
  double wrong = 0, exact = 0, jac = 0, ep = 0, er = 0, ef = 0, efb = 0;
  for (Index i = 0; i < n; ++i) {
    double tp = 0, fp = 0, fn = 0;
    for (Index l = 0; l < L; ++l) {
      tp += Y(i, l) && P(i, l);
      fp += !Y(i, l) && P(i, l);
      fn += Y(i, l) && !P(i, l);
    }
    wrong += fp + fn;
    exact += (fp + fn == 0);
    jac += ratio(tp, tp + fp + fn, zd == ZeroDivision::Zero ? 0 : 1);
    const auto r1 = oracle_prf(tp, fp, fn, 1, zd), rb = oracle_prf(tp, fp, fn, beta, zd);
    ep += r1[0];
    er += r1[1];
    ef += r1[2];
    efb += rb[2];
  }
  o.m["hamming_loss"] = wrong / (n * L);
  o.m["subset_accuracy"] = exact / n;
  o.m["accuracy"] = jac / n;
  o.m["example_precision"] = ep / n;
  o.m["example_recall"] = er / n;
  o.m["example_f1"] = ef / n;
  // per label
  double TP = 0, FP = 0, FN = 0, mp = 0, mr = 0, mf = 0, mfb = 0;
  for (Index l = 0; l < L; ++l) {
    double tp = 0, fp = 0, fn = 0;
    for (Index i = 0; i < n; ++i) {
      tp += Y(i, l) && P(i, l);
      fp += !Y(i, l) && P(i, l);
      fn += Y(i, l) && !P(i, l);
    }
    TP += tp, FP += fp, FN += fn;
    const auto r1 = oracle_prf(tp, fp, fn, 1, zd), rb = oracle_prf(tp, fp, fn, beta, zd);
    mp += r1[0], mr += r1[1], mf += r1[2], mfb += rb[2];
  }
  const auto micro1 = oracle_prf(TP, FP, FN, 1, zd), microb = oracle_prf(TP, FP, FN, beta, zd);
  o.m["micro_precision"] = micro1[0];
  o.m["micro_recall"] = micro1[1];
  o.m["micro_f1"] = micro1[2];
  o.m["macro_precision"] = mp / L;
  o.m["macro_recall"] = mr / L;
  o.m["macro_f1"] = mf / L;
  if (beta != 1) {
    o.m["example_fbeta"] = efb / n;
    o.m["micro_fbeta"] = microb[2];
    o.m["macro_fbeta"] = mfb / L;
  }
  // ML-GCN, all labels and top 3 (stable sort: ties to the lower label index)
  for (bool top3 : {false, true}) {
    std::vector<double> Np(L, 0), Nc(L, 0), Ng(L, 0);
    for (Index i = 0; i < n; ++i) {
      std::vector<Index> order(L);
      std::iota(order.begin(), order.end(), Index{0});
      std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return S(i, a) > S(i, b); });
      std::vector<bool> allowed(L, !top3);
      for (Index j = 0; j < std::min<Index>(3, L); ++j) allowed[order[j]] = true;
      for (Index l = 0; l < L; ++l) {
        const bool pos = allowed[l] && S(i, l) >= thr;
        Np[l] += pos;
        Nc[l] += pos && Y(i, l);
        Ng[l] += Y(i, l);
      }
    }
    double cp = 0, cr = 0, snc = 0, snp = 0, sng = 0, snp_raw = 0;
    for (Index l = 0; l < L; ++l) {
      const double np = Np[l] == 0 ? 1 : Np[l];
      cp += Nc[l] / np;
      const double empty = zd == ZeroDivision::Zero ? 0 : zd == ZeroDivision::One ? 1 : (Np[l] == 0 ? 1 : 0);
      cr += Ng[l] == 0 ? empty : Nc[l] / Ng[l];
      snc += Nc[l], snp += np, sng += Ng[l], snp_raw += Np[l];
    }
    cp /= L, cr /= L;
    const double op = snc / snp;
    const double empty = zd == ZeroDivision::Zero ? 0 : zd == ZeroDivision::One ? 1 : (snp_raw == 0 ? 1 : 0);
    const double orr = sng == 0 ? empty : snc / sng;
    const std::string sfx = top3 ? "_top3" : "";
    const auto h = [](double a, double b) { return a + b == 0 ? 0 : 2 * a * b / (a + b); };
    o.m["CP" + sfx] = cp, o.m["CR" + sfx] = cr, o.m["CF1" + sfx] = h(cp, cr);
    o.m["OP" + sfx] = op, o.m["OR" + sfx] = orr, o.m["OF1" + sfx] = h(op, orr);
  }
  // ranking, per row
  double one_err = 0, cov = 0, rl = 0, lrap = 0, avgp = 0, avgp_rows = 0;
  for (Index i = 0; i < n; ++i) {
    std::vector<Scalar> v(S.row(i).data(), S.row(i).data() + L);
    const auto ranks = mulan_ranks(v);
    for (Index l = 0; l < L; ++l)
      if (ranks[l] == 1) one_err += Y(i, l) ? 0 : 1;
    std::vector<Index> rel;
    for (Index l = 0; l < L; ++l)
      if (Y(i, l)) rel.push_back(l);
    const Index k = static_cast<Index>(rel.size());
    if (k == 0) {
      lrap += 1;
      continue;
    }
    Scalar lowest = v[rel[0]];
    for (Index r : rel) lowest = std::min(lowest, v[r]);
    for (Index l = 0; l < L; ++l) cov += v[l] >= lowest;
    double wrong_pairs = 0, lr = 0, ap = 0;
    for (Index r : rel) {
      for (Index l = 0; l < L; ++l) wrong_pairs += !Y(i, l) && v[l] >= v[r];
      double rank = 0, above = 0, mulan_above = 0;
      for (Index l = 0; l < L; ++l) {
        rank += v[l] >= v[r];
        above += Y(i, l) && v[l] >= v[r];
        mulan_above += Y(i, l) && ranks[l] <= ranks[r];
      }
      lr += above / rank;
      ap += mulan_above / static_cast<double>(ranks[r]);
    }
    if (k < L) {
      rl += wrong_pairs / (k * (L - k));
      lrap += lr / k;
    } else {
      lrap += 1;
    }
    avgp += ap / k;
    avgp_rows += 1;
  }
  o.m["one_error"] = one_err / n;
  o.m["coverage"] = cov / n - 1;
  o.m["ranking_loss"] = rl / n;
  o.m["lrap"] = lrap / n;
  o.m["average_precision"] = avgp_rows > 0 ? avgp / avgp_rows : 0;
  // per label: AP as the mean over positives of the precision at their own score (the same as
  // scikit-learn's tie-grouped sum), ML-GCN's AP over a stable sort, AUC over all pairs
  double sum_ap = 0, sum_ml = 0, sum_auc = 0, n_ap = 0, n_auc = 0;
  o.ap.assign(L, nan), o.ap_mlgcn.assign(L, nan), o.auc.assign(L, nan);
  for (Index l = 0; l < L; ++l) {
    double pos = 0;
    for (Index i = 0; i < n; ++i) pos += Y(i, l);
    if (pos == 0) continue;
    double ap = 0;
    for (Index i = 0; i < n; ++i) {
      if (!Y(i, l)) continue;
      double tp = 0, all = 0;
      for (Index j = 0; j < n; ++j) {
        all += S(j, l) >= S(i, l);
        tp += Y(j, l) && S(j, l) >= S(i, l);
      }
      ap += tp / all;
    }
    o.ap[l] = ap / pos;
    std::vector<Index> order(n);
    std::iota(order.begin(), order.end(), Index{0});
    std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return S(a, l) > S(b, l); });
    double seen = 0, ml = 0;
    for (Index j = 0; j < n; ++j)
      if (Y(order[j], l)) ml += ++seen / static_cast<double>(j + 1);
    o.ap_mlgcn[l] = ml / pos;
    sum_ap += o.ap[l], sum_ml += o.ap_mlgcn[l], n_ap += 1;
    if (pos == n) continue;
    double u = 0;
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < n; ++j)
        if (Y(i, l) && !Y(j, l)) u += S(i, l) > S(j, l) ? 1 : S(i, l) == S(j, l) ? 0.5 : 0;
    o.auc[l] = u / (pos * (n - pos));
    sum_auc += o.auc[l], n_auc += 1;
  }
  o.m["mAP"] = n_ap > 0 ? sum_ap / n_ap : 0;
  o.m["mAP_mlgcn"] = n_ap > 0 ? sum_ml / n_ap : 0;
  o.m["macro_auc"] = n_auc > 0 ? sum_auc / n_auc : 0;
  double u = 0, pos = 0, neg = 0;
  for (Index a = 0; a < Y.size(); ++a) {
    if (!Y.data()[a]) {
      ++neg;
      continue;
    }
    ++pos;
    for (Index b = 0; b < Y.size(); ++b)
      if (!Y.data()[b])
        u += S.data()[a] > S.data()[b] ? 1 : S.data()[a] == S.data()[b] ? 0.5 : 0;
  }
  o.m["micro_auc"] = pos > 0 && neg > 0 ? u / (pos * neg) : 0;
  return o;
}

void compare(const EvaluationResult& r, const Oracle& o) {
  for (const auto& [name, value] : o.m) {
    INFO("measure " << name);
    REQUIRE(r.has(name));
    CHECK(r.get(name) == Approx(value).epsilon(1e-12).margin(1e-12));
  }
  for (std::size_t l = 0; l < o.ap.size(); ++l) {
    INFO("label " << l);
    CHECK(r.per_label[l].has_positive == !std::isnan(o.ap[l]));
    CHECK(r.per_label[l].has_positive == !std::isnan(o.ap_mlgcn[l]));
    if (!std::isnan(o.ap[l])) {
      CHECK(r.per_label[l].ap == Approx(o.ap[l]).epsilon(1e-12));
      CHECK(r.per_label[l].ap_mlgcn == Approx(o.ap_mlgcn[l]).epsilon(1e-12));
    }
    CHECK((r.per_label[l].has_positive && r.per_label[l].has_negative) == !std::isnan(o.auc[l]));
    if (!std::isnan(o.auc[l])) CHECK(r.per_label[l].auc == Approx(o.auc[l]).epsilon(1e-12));
  }
}

struct Random {
  LabelMatrix y, p;
  ScoreMatrix s;
};

/// Truth with per-label rates in [lo, hi]; scores continuous or on `levels` values (ties);
/// predictions = scores >= 0.5, with some rows flipped to all 0 or all 1.
Random random_case(std::mt19937& rng, Index n, Index L, double lo, double hi, int levels) {
  std::uniform_real_distribution<double> u(0, 1);
  Random c{LabelMatrix(n, L), LabelMatrix(n, L), ScoreMatrix(n, L)};
  std::vector<double> rate(L);
  for (double& r : rate) r = lo + (hi - lo) * u(rng);
  for (Index i = 0; i < n; ++i)
    for (Index l = 0; l < L; ++l) {
      c.y(i, l) = u(rng) < rate[l];
      double v = std::clamp(0.5 * u(rng) + 0.4 * c.y(i, l), 0.0, 1.0);
      if (levels > 0) v = std::round(v * levels) / levels;
      c.s(i, l) = static_cast<float>(v);
      c.p(i, l) = c.s(i, l) >= 0.5f;
    }
  for (Index i = 0; i < n; i += 7) c.p.row(i).setZero();
  for (Index i = 3; i < n; i += 11) c.p.row(i).setOnes();
  return c;
}

}  // namespace

TEST_CASE("the article's five images: Hamming loss is 3/15 = 0.2, not the article's 2/15", "[eval]") {
  // labels (ocean, sand, sun); predicted vs true sets per image:
  //   1: {ocean,sun} vs {ocean,sand}   wrong: sand (missed), sun (extra)  -> 2
  //   2: {sand} vs {sand}                                                 -> 0
  //   3: all three vs all three                                           -> 0
  //   4: {sun} vs {sun}                                                   -> 0
  //   5: all three vs {sand,sun}       wrong: ocean (extra)               -> 1
  // 3 wrong decisions out of 5 x 3 = 15: 3/15 = 0.2. The article's table has these three
  // errors but its text says 2/15, which counts image 1 once instead of twice.
  const LabelMatrix truth = labels({{1, 1, 0}, {0, 1, 0}, {1, 1, 1}, {0, 0, 1}, {0, 1, 1}});
  const LabelMatrix pred = labels({{1, 0, 1}, {0, 1, 0}, {1, 1, 1}, {0, 0, 1}, {1, 1, 1}});
  const EvaluationResult r = evaluate(truth, ScoreMatrix(), pred);
  CHECK(r.get("hamming_loss") == Approx(3.0 / 15.0).epsilon(1e-15));
  CHECK(r.get("hamming_loss") != Approx(2.0 / 15.0));
  // images 2, 3, 4 are exact
  CHECK(r.get("subset_accuracy") == Approx(3.0 / 5.0));
  // per image |Y&P| / |Y|P|: 1/3, 1, 1, 1, 2/3 -> 4/5
  CHECK(r.get("accuracy") == Approx(4.0 / 5.0));
  // precision 1/2, 1, 1, 1, 2/3; recall 1/2, 1, 1, 1, 1; F1 1/2, 1, 1, 1, 4/5
  CHECK(r.get("example_precision") == Approx((0.5 + 3 + 2.0 / 3.0) / 5));
  CHECK(r.get("example_recall") == Approx(0.9));
  CHECK(r.get("example_f1") == Approx(4.3 / 5));
  // per label (tp, fp, fn): ocean (2,1,0), sand (3,0,1), sun (3,1,0); pooled (8,2,1)
  CHECK(r.per_label[0].confusion.tp == 2);
  CHECK(r.per_label[0].confusion.fp == 1);
  CHECK(r.per_label[1].confusion.fn == 1);
  CHECK(r.per_label[2].confusion.tn == 1);
  CHECK(r.get("micro_precision") == Approx(0.8));
  CHECK(r.get("micro_recall") == Approx(8.0 / 9.0));
  CHECK(r.get("micro_f1") == Approx(16.0 / 19.0));
  // precision 2/3, 1, 3/4; recall 1, 3/4, 1; F1 4/5, 6/7, 6/7
  CHECK(r.get("macro_precision") == Approx((2.0 / 3 + 1 + 0.75) / 3));
  CHECK(r.get("macro_recall") == Approx((1 + 0.75 + 1) / 3.0));
  CHECK(r.get("macro_f1") == Approx((0.8 + 12.0 / 7) / 3));
  CHECK_FALSE(r.has("mAP"));
}

TEST_CASE("zero-division policies: scikit-learn's 0 and 1 and MULAN's, by hand", "[eval]") {
  // rows (Y | P): {} | {}   {a} | {b}   {b} | {}   {} | {a}; label c never true nor predicted
  const LabelMatrix y = labels({{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 0}});
  const LabelMatrix p = labels({{0, 0, 0}, {0, 1, 0}, {0, 0, 0}, {1, 0, 0}});
  const ScoreMatrix none;
  const EvaluationResult zero = run(y, none, p, ZeroDivision::Zero);
  const EvaluationResult one = run(y, none, p, ZeroDivision::One);
  const EvaluationResult mulan = run(y, none, p, ZeroDivision::Mulan);
  // Zero: every row has tp = 0, so every ratio is 0
  for (const char* m : {"accuracy", "example_precision", "example_recall", "example_f1"})
    CHECK(zero.get(m) == 0.0);
  // One: precision 1, 0, 1 (P empty), 0 -> 1/2; recall 1, 0, 0, 1 (Y empty) -> 1/2;
  // F from P and R: 1, 0, 0 (P=1, R=0), 0 (P=0, R=1) -> 1/4; Jaccard 1, 0, 0, 0 -> 1/4
  CHECK(one.get("example_precision") == Approx(0.5));
  CHECK(one.get("example_recall") == Approx(0.5));
  CHECK(one.get("example_f1") == Approx(0.25));
  CHECK(one.get("accuracy") == Approx(0.25));
  // MULAN: 1 only where Y = P = {} (row 1), else 0 -> 1/4 for all four
  for (const char* m : {"accuracy", "example_precision", "example_recall", "example_f1"})
    CHECK(mulan.get(m) == Approx(0.25));
  // labels: a and b (tp 0, fp 1, fn 1) give 0 everywhere; c (no tp, fp, fn) gives 0 / 1 / 1
  CHECK(zero.get("macro_precision") == 0.0);
  CHECK(one.get("macro_precision") == Approx(1.0 / 3));
  CHECK(one.get("macro_f1") == Approx(1.0 / 3));
  CHECK(mulan.get("macro_recall") == Approx(1.0 / 3));
  CHECK(one.per_label[2].f1 == 1.0);
  CHECK(zero.per_label[2].f1 == 0.0);
  // pooled (0, 2, 2): 0 under every policy; Hamming loss 4/12 under every policy
  for (const EvaluationResult* r : {&zero, &one, &mulan}) {
    CHECK(r->get("micro_f1") == 0.0);
    CHECK(r->get("hamming_loss") == Approx(1.0 / 3));
  }
  CHECK(parse_zero_division("0") == ZeroDivision::Zero);
  CHECK(parse_zero_division("1") == ZeroDivision::One);
  CHECK(parse_zero_division("mulan") == ZeroDivision::Mulan);
  CHECK_THROWS_WITH(parse_zero_division("2"), Catch::Contains("expected 0, 1 or mulan"));
}

TEST_CASE("F-beta appears only when beta != 1", "[eval]") {
  // one row, Y = {a, b}, P = {a, c}: tp 1, fp 1, fn 1, P = R = 1/2; F2 = 5 PR / (4P + R) = 1/2
  const LabelMatrix y = labels({{1, 1, 0}});
  const LabelMatrix p = labels({{1, 0, 1}});
  CHECK_FALSE(run(y, ScoreMatrix(), p).has("example_fbeta"));
  const EvaluationResult r = run(y, ScoreMatrix(), p, ZeroDivision::Zero, 2.0);
  CHECK(r.get("example_fbeta") == Approx(0.5));
  // pooled the same; per label a (1,0,0): 1, b (0,0,1): 0, c (0,1,0): 0 -> 1/3
  CHECK(r.get("micro_fbeta") == Approx(0.5));
  CHECK(r.get("macro_fbeta") == Approx(1.0 / 3));
  CHECK_THROWS_WITH(run(y, ScoreMatrix(), p).get("macro_fbeta"), Catch::Contains("beta != 1"));
}

TEST_CASE("ML-GCN's CP..OF1 by hand: Np = 0 -> 1, OP over the substituted sum, top-3", "[eval]") {
  // positives at score >= 0.5:
  //   row 0: S .9 .6 .7 .65 .1   Y 1 0 1 0 1   positive 1 1 1 1 0
  //   row 1: S .8 .7 .4 .1  .2   Y 0 1 0 0 0   positive 1 1 0 0 0
  //   row 2: S .6 .3 .2 .55 .3   Y 1 1 0 0 0   positive 1 0 0 1 0
  // (Ng, Np, Nc) per label: (2,3,2) (2,2,1) (1,1,1) (0,2,0) (1,0->1,0)
  // CP = (2/3 + 1/2 + 1 + 0 + 0)/5 = 13/30; CR = (1 + 1/2 + 1 + 0 [Ng = 0] + 0)/5 = 1/2
  // CF1 = 2 CP CR / (CP + CR) = 13/28; OP = 4/(3+2+1+2+1) = 4/9 (the plain pooled 4/8 would
  // ignore the substituted 1); OR = 4/6; OF1 = 8/15.
  // Top 3: row 0 keeps labels 0, 2, 3 (drops label 1 at .6); row 2's third place is a tie at .3
  // between labels 1 and 4 (below .5 either way). (Np, Nc): (3,2) (1,1) (1,1) (2,0) (0->1,0)
  // CP = (2/3 + 1 + 1)/5 = 8/15; CR = 1/2; CF1 = 16/31; OP = 4/8; OR = 4/6; OF1 = 4/7.
  // (Cross-checked with the transcription of ML-GCN's util.py in make_sklearn_fixtures.py.)
  const LabelMatrix y = labels({{1, 0, 1, 0, 1}, {0, 1, 0, 0, 0}, {1, 1, 0, 0, 0}});
  const ScoreMatrix s = scores({{.9, .6, .7, .65, .1}, {.8, .7, .4, .1, .2}, {.6, .3, .2, .55, .3}});
  const LabelMatrix p = LabelMatrix::Zero(3, 5);  // ML-GCN's figures ignore P
  const EvaluationResult r = run(y, s, p);
  CHECK(r.get("CP") == Approx(13.0 / 30));
  CHECK(r.get("CR") == Approx(0.5));
  CHECK(r.get("CF1") == Approx(13.0 / 28));
  CHECK(r.get("OP") == Approx(4.0 / 9));
  CHECK(r.get("OR") == Approx(2.0 / 3));
  CHECK(r.get("OF1") == Approx(8.0 / 15));
  CHECK(r.get("CP_top3") == Approx(8.0 / 15));
  CHECK(r.get("CR_top3") == Approx(0.5));
  CHECK(r.get("CF1_top3") == Approx(16.0 / 31));
  CHECK(r.get("OP_top3") == Approx(0.5));
  CHECK(r.get("OR_top3") == Approx(2.0 / 3));
  CHECK(r.get("OF1_top3") == Approx(4.0 / 7));

  // top-3 ties go to the lower label index: four equal scores keep labels 0, 1, 2, so the one
  // relevant label (3) is not predicted: OP_top3 = 0/3
  const EvaluationResult tie = run(labels({{0, 0, 0, 1}}), scores({{.9, .9, .9, .9}}),
                                   LabelMatrix::Zero(1, 4));
  CHECK(tie.get("OP_top3") == 0.0);
  CHECK(tie.get("OP") == Approx(0.25));

  // the threshold is an option: at 0.75 only .9 and .8 (label 0, rows 0 and 1) count:
  // Np after substitution 2 + 1 + 1 + 1 + 1 = 6, Nc = 1 -> OP = 1/6
  MeasureOptions o;
  o.mlgcn_threshold = 0.75;
  CHECK(evaluate(y, s, p, o).get("OP") == Approx(1.0 / 6));
}

TEST_CASE("ranking measures with ties, by hand", "[eval]") {
  // row 0: S .8 .5 .5 .3 .5 .1, Y = {1, 3, 4}: irrelevant 0 (.8), 2 (.5), 5 (.1)
  //   coverage_error: 5 labels >= .3; ranking loss: each relevant is below or tied with 0 and
  //   2 -> 6 of 9 pairs; LRAP: label 1 and 4: 2 relevant of 4 at >= .5, label 3: 3 of 5
  //   -> (1/2 + 1/2 + 3/5)/3 = 8/15.
  //   MULAN ranks (stable ascending sort, the last ranks 1): 0:1 4:2 2:3 1:4 3:5 5:6;
  //   top label 0 is irrelevant (one-error 1); AP = (2/4 + 3/5 + 1/2)/3 = 8/15.
  // row 1: S .2 .2 .2 .2 .2 .1, Y = {4}: five labels tied at the top.
  //   coverage_error 5; ranking loss 4 of 5; LRAP 1/5 (pessimistic: rank 5).
  //   MULAN gives the tie to the highest index: label 4 ranks 1 -> one-error 0, AP = 1.
  // row 2: Y = {} -> one-error 1 (MULAN), coverage_error 0, ranking loss 0, LRAP 1 (sklearn),
  //   left out of MULAN's average precision.
  // one_error = 2/3; coverage = (5 + 5 + 0)/3 - 1 = 7/3; ranking_loss = (2/3 + 4/5 + 0)/3 = 22/45;
  // lrap = (8/15 + 1/5 + 1)/3 = 26/45; average_precision = (8/15 + 1)/2 = 23/30.
  // (sklearn 1.2 gives the same coverage_error - 1, label_ranking_loss and LRAP.)
  const LabelMatrix y = labels({{0, 1, 0, 1, 1, 0}, {0, 0, 0, 0, 1, 0}, {0, 0, 0, 0, 0, 0}});
  const ScoreMatrix s = scores({{.8, .5, .5, .3, .5, .1}, {.2, .2, .2, .2, .2, .1}, {.1, .2, .3, .4, .5, .6}});
  const EvaluationResult r = run(y, s, LabelMatrix::Zero(3, 6));
  CHECK(r.get("one_error") == Approx(2.0 / 3));
  CHECK(r.get("coverage") == Approx(7.0 / 3));
  CHECK(r.get("ranking_loss") == Approx(22.0 / 45));
  CHECK(r.get("lrap") == Approx(26.0 / 45));
  CHECK(r.get("average_precision") == Approx(23.0 / 30));
}

TEST_CASE("per-label AP groups ties, ML-GCN's AP does not, AUC counts ties 1/2", "[eval]") {
  // S .9 .5 .5 .1, Y 0 1 0 1.
  // scikit-learn: thresholds .9 (tp 0, fp 1), .5 (tp 1, fp 2: precision 1/3), .1 (tp 2, fp 2:
  //   1/2); AP = 1/2 * 1/3 + 1/2 * 1/2 = 5/12.
  // ML-GCN, stable order rows 0 1 2 3: positives at places 2 and 4 -> (1/2 + 2/4)/2 = 1/2.
  // AUC: pairs (pos, neg): (.5,.9) 0, (.5,.5) 1/2, (.1,.9) 0, (.1,.5) 0 -> 0.5/4 = 1/8.
  const LabelMatrix y = labels({{0}, {1}, {0}, {1}});
  const ScoreMatrix s = scores({{.9}, {.5}, {.5}, {.1}});
  const EvaluationResult r = run(y, s, LabelMatrix::Zero(4, 1));
  CHECK(r.per_label[0].ap == Approx(5.0 / 12));
  CHECK(r.per_label[0].ap_mlgcn == Approx(0.5));
  CHECK(r.per_label[0].auc == Approx(0.125));
  CHECK(r.get("mAP") == Approx(5.0 / 12));
  CHECK(r.get("mAP_mlgcn") == Approx(0.5));
  CHECK(r.get("macro_auc") == Approx(0.125));
  CHECK(r.get("micro_auc") == Approx(0.125));  // one label: the same pairs
}

TEST_CASE("labels without a positive are skipped and counted, never NaN", "[eval]") {
  // label 0: positives and negatives; label 1: no positive; label 2: positive on every row
  const LabelMatrix y = labels({{1, 0, 1}, {0, 0, 1}, {1, 0, 1}});
  const ScoreMatrix s = scores({{.9, .2, .3}, {.1, .8, .3}, {.4, .1, .9}});
  const EvaluationResult r = run(y, s, LabelMatrix::Zero(3, 3));
  CHECK(r.skipped_labels == 1);
  CHECK(r.auc_skipped_labels == 2);
  CHECK_FALSE(r.per_label[1].has_positive);
  CHECK_FALSE(r.per_label[2].has_negative);
  CHECK(r.per_label[2].ap == 1.0);  // every row positive: precision 1 at every threshold
  CHECK(r.per_label[0].ap == 1.0);  // .9, .4 above .1
  CHECK(r.get("mAP") == Approx(1.0));
  CHECK(r.get("macro_auc") == Approx(1.0));  // label 0 only
  CHECK(r.undefined_measures.empty());
  for (const MeasureValue& m : r.measures) CHECK_FALSE(std::isnan(m.value));

  const EvaluationResult none = run(LabelMatrix::Zero(2, 2), scores({{.1, .2}, {.3, .4}}),
                                    LabelMatrix::Zero(2, 2));
  CHECK(none.skipped_labels == 2);
  CHECK(none.get("mAP") == 0.0);
  CHECK(none.undefined_measures ==
        std::vector<std::string>{"average_precision", "mAP", "mAP_mlgcn", "macro_auc", "micro_auc"});
  for (const MeasureValue& m : none.measures) CHECK_FALSE(std::isnan(m.value));
}

TEST_CASE("ignored entries (VOC's difficult) leave the ranking and count negative in CP..OF1", "[eval]") {
  // rows:      0    1    2    3
  // label 0: S .9   .8   .7   .6   Y 1 1 0 1   ignored: row 1
  // label 1: S .2   .9   .3   .4   Y 0 1 0 0   ignored: row 1 (its only positive)
  // label 2: S .5   .5   .1   .9   Y 1 0 0 1   nothing ignored
  // Ranking without the ignored rows (ML-GCN's AveragePrecisionMeter skips them):
  //   label 0: (.9 +) (.7 -) (.6 +): AP = AP_mlgcn = (1 + 2/3)/2 = 5/6; AUC 1/2
  //            (all rows: (1 + 1 + 3/4)/3 = 11/12)
  //   label 1: no positive left: skipped
  //   label 2: (.9 +) (.5 +, .5 - tied) (.1 -): sklearn AP = 1/2 * 1 + 1/2 * 2/3 = 5/6;
  //            ML-GCN's stable order keeps row 0 (+) before row 1 (-): 1; AUC (1+1+1/2+1)/4 = 7/8
  //   mAP = 5/6, mAP_mlgcn = (5/6 + 1)/2 = 11/12, macro_auc = (1/2 + 7/8)/2 = 11/16
  // CP..OF1 at .5 with ignored entries negative: (Ng, Np, Nc) = (2, 4, 2) (0, 1, 0) (2, 3, 2)
  //   CP = (1/2 + 0 + 2/3)/3 = 7/18, CR = (1 + 0 [Ng = 0] + 1)/3 = 2/3, OP = 4/8, OR = 4/4
  // The rest reads Y as given: with P = 0, hamming loss = 6 positives / 12 entries.
  const LabelMatrix y = labels({{1, 0, 1}, {1, 1, 0}, {0, 0, 0}, {1, 0, 1}});
  const ScoreMatrix s = scores({{.9, .2, .5}, {.8, .9, .5}, {.7, .3, .1}, {.6, .4, .9}});
  const LabelMatrix p = LabelMatrix::Zero(4, 3);
  const LabelMatrix ignore = labels({{0, 0, 0}, {1, 1, 0}, {0, 0, 0}, {0, 0, 0}});
  MeasureOptions o;
  o.ignore = &ignore;
  const EvaluationResult r = evaluate(y, s, p, o);
  CHECK(r.per_label[0].ap == Approx(5.0 / 6));
  CHECK(r.per_label[0].ap_mlgcn == Approx(5.0 / 6));
  CHECK(r.per_label[0].auc == Approx(0.5));
  CHECK_FALSE(r.per_label[1].has_positive);
  CHECK(r.per_label[2].ap == Approx(5.0 / 6));
  CHECK(r.per_label[2].ap_mlgcn == Approx(1.0));
  CHECK(r.per_label[2].auc == Approx(7.0 / 8));
  CHECK(r.skipped_labels == 1);
  CHECK(r.auc_skipped_labels == 1);
  CHECK(r.get("mAP") == Approx(5.0 / 6));
  CHECK(r.get("mAP_mlgcn") == Approx(11.0 / 12));
  CHECK(r.get("macro_auc") == Approx(11.0 / 16));
  CHECK(r.get("CP") == Approx(7.0 / 18));
  CHECK(r.get("CR") == Approx(2.0 / 3));
  CHECK(r.get("OP") == Approx(0.5));
  CHECK(r.get("OR") == Approx(1.0));
  CHECK(r.get("hamming_loss") == Approx(0.5));
  CHECK(r.per_label[1].confusion.fn == 1);  // the confusion still counts the difficult positive

  const EvaluationResult all = run(y, s, p);
  CHECK(all.per_label[0].ap == Approx(11.0 / 12));
  CHECK(all.get("OP") == Approx(6.0 / 8));

  // an all-zero mask changes nothing
  const LabelMatrix none = LabelMatrix::Zero(4, 3);
  o.ignore = &none;
  const EvaluationResult same = evaluate(y, s, p, o);
  for (const MeasureValue& m : all.measures) CHECK(same.get(m.name) == m.value);

  // a mask of another shape, or not 0/1, is named
  const LabelMatrix small = LabelMatrix::Zero(3, 3);
  o.ignore = &small;
  CHECK_THROWS_WITH(evaluate(y, s, p, o), Catch::Contains("ignore mask is 3 x 3"));
  LabelMatrix two = LabelMatrix::Zero(4, 3);
  two(2, 1) = 2;
  o.ignore = &two;
  CHECK_THROWS_WITH(evaluate(y, s, p, o), Catch::Contains("ignore mask entry (2, 1) is 2"));
}

TEST_CASE("every measure equals a naive re-implementation on random matrices", "[eval]") {
  std::mt19937 rng(20261125);
  struct Shape {
    Index n, L;
    double lo, hi;
    int levels;
  };
  // small and large rows, sparse and dense truth (dense: the micro AUC indexes negatives and
  // rows have more than 8 distinct relevant scores), continuous and tied scores, more rows
  // than one chunk of 256
  const Shape shapes[] = {{1, 1, 0.5, 0.5, 0},   {7, 1, 0.2, 0.8, 4},  {40, 5, 0.0, 0.6, 0},
                          {60, 9, 0.1, 0.5, 3},  {30, 30, 0.6, 0.95, 0}, {25, 24, 0.5, 0.9, 20},
                          {300, 4, 0.05, 0.4, 8}, {520, 6, 0.0, 0.3, 0}};
  for (const Shape& sh : shapes) {
    const Random c = random_case(rng, sh.n, sh.L, sh.lo, sh.hi, sh.levels);
    for (ZeroDivision zd : {ZeroDivision::Zero, ZeroDivision::One, ZeroDivision::Mulan}) {
      for (double beta : {1.0, 0.5}) {
        INFO("n " << sh.n << " L " << sh.L << " levels " << sh.levels << " zd "
                  << static_cast<int>(zd) << " beta " << beta);
        MeasureOptions o;
        o.zero_division = zd;
        o.beta = beta;
        o.threads = 2;
        compare(evaluate(c.y, c.s, c.p, o), oracle(c.y, c.s, c.p, zd, beta));
      }
    }
  }
}

/// Float64 scores that float32 cannot tell apart: each draw is a base value, its float64
/// neighbours a few bits up or down, or a value within 2^-40 of it (equal in float32), and
/// some exactly 0.5 or one bit around it. Predictions = scores >= 0.5 in double.
struct RandomD {
  LabelMatrix y, p;
  ScoreMatrixD s;
};

RandomD near_tie_case(std::mt19937& rng, Index n, Index L, double lo, double hi, int bases) {
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> pick(0, bases - 1), how(0, 5), steps(1, 3);
  std::vector<double> base(static_cast<std::size_t>(bases));
  for (double& b : base) b = u(rng);
  base[0] = 0.5;
  RandomD c{LabelMatrix(n, L), LabelMatrix(n, L), ScoreMatrixD(n, L)};
  std::vector<double> rate(L);
  for (double& r : rate) r = lo + (hi - lo) * u(rng);
  for (Index i = 0; i < n; ++i)
    for (Index l = 0; l < L; ++l) {
      c.y(i, l) = u(rng) < rate[l];
      double v = base[pick(rng)];
      switch (how(rng)) {
        case 0: break;  // exact ties
        case 1: for (int k = steps(rng); k > 0; --k) v = std::nextafter(v, 2.0); break;
        case 2: for (int k = steps(rng); k > 0; --k) v = std::nextafter(v, -1.0); break;
        case 3: v += steps(rng) * 0x1p-40; break;  // float32-equal
        case 4: v -= steps(rng) * 0x1p-40; break;
        default: v = c.y(i, l) ? std::nextafter(v, 2.0) : v; break;  // positives one bit up
      }
      c.s(i, l) = v;
      c.p(i, l) = v >= 0.5;
    }
  return c;
}

TEST_CASE("float64 scores: every measure equals the naive re-implementation on near-ties",
          "[eval][float64]") {
  // The oracle compares in double; so must evaluate(): a float32 narrowing would turn most of
  // these neighbours into ties and fail the AUCs, AP and the ranking measures.
  std::mt19937 rng(20261207);
  struct Shape {
    Index n, L;
    double lo, hi;
    int bases;
  };
  const Shape shapes[] = {{1, 1, 0.5, 0.5, 2},  {9, 1, 0.2, 0.8, 2},  {40, 5, 0.0, 0.6, 3},
                          {60, 9, 0.1, 0.5, 4}, {30, 30, 0.6, 0.95, 3}, {25, 24, 0.5, 0.9, 12},
                          {300, 4, 0.05, 0.4, 5}, {520, 6, 0.0, 0.3, 2}};
  for (const Shape& sh : shapes) {
    const RandomD c = near_tie_case(rng, sh.n, sh.L, sh.lo, sh.hi, sh.bases);
    for (ZeroDivision zd : {ZeroDivision::Zero, ZeroDivision::Mulan}) {
      INFO("n " << sh.n << " L " << sh.L << " bases " << sh.bases << " zd " << static_cast<int>(zd));
      MeasureOptions o;
      o.zero_division = zd;
      o.threads = 2;
      compare(evaluate(c.y, c.s, c.p, o), oracle(c.y, c.s, c.p, zd, 1.0));
    }
  }
}

TEST_CASE("float64 scores one bit apart are ranked apart; -0 and +0 stay one score",
          "[eval][float64]") {
  const double a = 0.5, b = std::nextafter(0.5, 1.0);  // equal as float32
  REQUIRE(static_cast<float>(a) == static_cast<float>(b));
  ScoreMatrixD s(2, 2);
  s << a, b,  //
      b, a;
  const LabelMatrix y = labels({{1, 0}, {0, 1}});  // every positive one bit below a negative
  const EvaluationResult r = evaluate(y, s, labels({{1, 1}, {1, 1}}));
  CHECK(r.get("micro_auc") == 0.0);  // 0.5 if they were ties
  CHECK(r.get("macro_auc") == 0.0);
  CHECK(r.get("ranking_loss") == 1.0);
  CHECK(r.get("one_error") == 1.0);
  CHECK(r.get("lrap") == 0.5);
  CHECK(r.get("mAP") == 0.5);
  // the ML-GCN threshold compares in double: nextafter(0.5, 0) is below 0.5
  ScoreMatrixD below(1, 2);
  below << std::nextafter(0.5, 0.0), 0.5;
  const EvaluationResult rb = evaluate(labels({{1, 1}}), below, labels({{0, 1}}));
  CHECK(rb.get("CR") == 0.5);
  CHECK(rb.get("OR") == 0.5);
  // -0 and +0 are one score (one key), also in double
  ScoreMatrixD zeros(2, 1);
  zeros << 0.0, -0.0;
  const EvaluationResult rz = evaluate(labels({{1}, {0}}), zeros, labels({{0}, {0}}));
  CHECK(rz.get("micro_auc") == 0.5);
  CHECK(rz.per_label[0].auc == 0.5);
  // the full double range: huge, subnormal and negative scores sort as numbers
  ScoreMatrixD wide(6, 1);
  wide << 1e300, -1e300, 5e-324, -5e-324, 1e-310, 3.5e38;
  const EvaluationResult rw =
      evaluate(labels({{1}, {0}, {1}, {0}, {0}, {1}}), wide, labels({{1}, {0}, {0}, {0}, {0}, {1}}));
  CHECK(rw.get("micro_auc") == Approx(8.0 / 9.0).margin(1e-15));  // 5e-324 < 1e-310
}

TEST_CASE("float64 scores: ignored entries leave the ranking, neighbours stay apart",
          "[eval][float64]") {
  // label 0 over rows 0..3: S = a, up(a), a, up(up(a)) (all one float32), Y = 1 0 1 0, row 3
  // ignored. Kept: (up(a) -) (a +) (a +): AUC 0, AP = 2/3 (one point: 2 of 3 at score a),
  // ML-GCN's AP in stable order: (1/2 + 2/3)/2 = 7/12. As float32 all would tie: AUC 1/2.
  const double a = 0.25, b = std::nextafter(a, 1.0), c = std::nextafter(b, 1.0);
  ScoreMatrixD s(4, 2);
  s << a, 0.1,  //
      b, 0.3,   //
      a, 0.2,   //
      c, 0.4;
  const LabelMatrix y = labels({{1, 0}, {0, 1}, {1, 0}, {0, 1}});
  const LabelMatrix ignore = labels({{0, 0}, {0, 0}, {0, 0}, {1, 0}});
  MeasureOptions o;
  o.ignore = &ignore;
  const EvaluationResult r = evaluate(y, s, LabelMatrix::Zero(4, 2), o);
  CHECK(r.per_label[0].auc == 0.0);
  CHECK(r.per_label[0].ap == Approx(2.0 / 3).margin(1e-15));
  CHECK(r.per_label[0].ap_mlgcn == Approx(7.0 / 12).margin(1e-15));
  CHECK(r.per_label[1].auc == 1.0);
  CHECK(r.get("macro_auc") == Approx(0.5).margin(1e-15));
}

TEST_CASE("float64 scores: NaN is an error naming the entry", "[eval][float64]") {
  ScoreMatrixD s = ScoreMatrixD::Constant(3, 2, 0.25);
  s(2, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(evaluate(labels({{1, 0}, {0, 1}, {1, 1}}), s, labels({{1, 0}, {0, 0}, {1, 1}})),
                    Catch::Contains("row 3, label 2 (counting from 1): the score is NaN"));
}

TEST_CASE("float64 scores: results do not depend on the number of threads", "[eval][float64]") {
  std::mt19937 rng(8);
  const RandomD c = near_tie_case(rng, 1300, 17, 0.02, 0.5, 6);
  MeasureOptions o;
  o.threads = 1;
  const EvaluationResult a = evaluate(c.y, c.s, c.p, o);
  for (int threads : {2, 3}) {
    o.threads = threads;
    const EvaluationResult b = evaluate(c.y, c.s, c.p, o);
    REQUIRE(a.measures.size() == b.measures.size());
    for (std::size_t i = 0; i < a.measures.size(); ++i) {
      INFO(a.measures[i].name << " with " << threads << " threads");
      CHECK(a.measures[i].value == b.measures[i].value);  // bit for bit
    }
  }
}

TEST_CASE("results do not depend on the number of threads", "[eval]") {
  std::mt19937 rng(7);
  const Random c = random_case(rng, 1300, 17, 0.02, 0.5, 0);
  MeasureOptions o;
  o.threads = 1;
  const EvaluationResult a = evaluate(c.y, c.s, c.p, o);
  for (int threads : {2, 3, 8}) {
    o.threads = threads;
    const EvaluationResult b = evaluate(c.y, c.s, c.p, o);
    REQUIRE(a.measures.size() == b.measures.size());
    for (std::size_t i = 0; i < a.measures.size(); ++i) {
      INFO(a.measures[i].name << " with " << threads << " threads");
      CHECK(a.measures[i].value == b.measures[i].value);  // bit for bit
    }
    for (std::size_t l = 0; l < a.per_label.size(); ++l) CHECK(a.per_label[l].ap == b.per_label[l].ap);
  }
}

TEST_CASE("measure names, directions and lookup", "[eval]") {
  const auto& names = measure_names();
  CHECK(std::find(names.begin(), names.end(), "mAP") != names.end());
  CHECK(std::find(names.begin(), names.end(), "OF1_top3") != names.end());
  CHECK(measure_direction("hamming_loss") == Direction::LowerIsBetter);
  CHECK(measure_direction("coverage") == Direction::LowerIsBetter);
  CHECK(measure_direction("ranking_loss") == Direction::LowerIsBetter);
  CHECK(measure_direction("one_error") == Direction::LowerIsBetter);
  CHECK(measure_direction("micro_f1") == Direction::HigherIsBetter);
  CHECK(measure_direction("mAP") == Direction::HigherIsBetter);
  CHECK_THROWS_WITH(measure_direction("f1_score"), Catch::Contains("unknown measure 'f1_score'"));

  // a result lists its measures in measure_names() order
  const EvaluationResult r = run(labels({{1, 0}}), scores({{.7, .2}}), labels({{1, 0}}));
  std::vector<std::string> got;
  for (const MeasureValue& m : r.measures) got.push_back(m.name);
  std::vector<std::string> expected;
  for (const std::string& n : names)
    if (n.find("fbeta") == std::string::npos) expected.push_back(n);
  CHECK(got == expected);
  CHECK_THROWS_WITH(r.get("nope"), Catch::Contains("unknown measure 'nope'"));
}

TEST_CASE("bad evaluation input is named, not crashed on", "[eval]") {
  const LabelMatrix y = labels({{1, 0}, {0, 1}, {1, 1}});
  const ScoreMatrix s = scores({{.1, .2}, {.3, .4}, {.5, .6}});
  const LabelMatrix p = labels({{1, 0}, {0, 0}, {1, 1}});
  CHECK_THROWS_WITH(evaluate(y, s, labels({{1, 0}})),
                    Catch::Contains("the truth is 3 x 2 but the predictions are 1 x 2"));
  CHECK_THROWS_WITH(evaluate(y, scores({{.1}, {.2}, {.3}}), p),
                    Catch::Contains("the scores are 3 x 1"));
  CHECK_THROWS_WITH(evaluate(LabelMatrix(0, 2), ScoreMatrix(), LabelMatrix(0, 2)),
                    Catch::Contains("nothing to evaluate"));

  ScoreMatrix nan = s;
  nan(2, 1) = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(evaluate(y, nan, p), Catch::Contains("row 3, label 2 (counting from 1): the score is NaN"));
  LabelMatrix two = y;
  two(1, 0) = 2;
  CHECK_THROWS_WITH(evaluate(two, s, p), Catch::Contains("row 2, label 1") &&
                                             Catch::Contains("truth holds a value other than 0 or 1"));
  LabelMatrix bad_p = p;
  bad_p(0, 1) = 7;
  CHECK_THROWS_WITH(evaluate(y, s, bad_p), Catch::Contains("predictions hold a value other than 0 or 1"));
  MeasureOptions o;
  o.beta = -1;
  CHECK_THROWS_WITH(evaluate(y, s, p, o), Catch::Contains("beta must be finite and >= 0"));
  // -0 and +0 are one score
  const EvaluationResult zeros = evaluate(labels({{1}, {0}}), scores({{0.0}, {-0.0}}), labels({{0}, {0}}));
  CHECK(zeros.get("micro_auc") == 0.5);
  CHECK(zeros.per_label[0].auc == 0.5);
}
