#include "eval/measures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <thread>
#include <utility>

#include "core/parallel.hpp"
#include "core/error.hpp"

namespace lg::eval {
namespace {

const std::vector<std::string> kNames = {
    "hamming_loss", "subset_accuracy", "accuracy",
    "example_precision", "example_recall", "example_f1",
    "micro_precision", "micro_recall", "micro_f1",
    "macro_precision", "macro_recall", "macro_f1",
    "example_fbeta", "micro_fbeta", "macro_fbeta",
    "CP", "CR", "CF1", "OP", "OR", "OF1",
    "CP_top3", "CR_top3", "CF1_top3", "OP_top3", "OR_top3", "OF1_top3",
    "one_error", "coverage", "ranking_loss", "lrap", "average_precision",
    "mAP", "mAP_mlgcn", "macro_auc", "micro_auc"};

bool is_loss(const std::string& name) {
  return name == "hamming_loss" || name == "one_error" || name == "coverage" ||
         name == "ranking_loss";
}

// ---- threads -------------------------------------------------------------------------------

// ---- sorting on score bits -----------------------------------------------------------------

/// An unsigned key whose order is the order of the float (-0 and +0 map to one key).
std::uint32_t sortable_key(float s) {
  if (s == 0.0f) s = 0.0f;
  std::uint32_t bits;
  std::memcpy(&bits, &s, sizeof bits);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

/// The same for a double: every distinct double has its own key (-0 and +0 share one).
std::uint64_t sortable_key(double s) {
  if (s == 0.0) s = 0.0;
  std::uint64_t bits;
  std::memcpy(&bits, &s, sizeof bits);
  return (bits & 0x8000000000000000ull) ? ~bits : (bits | 0x8000000000000000ull);
}

__extension__ typedef unsigned __int128 Uint128;  // (__extension__: no -Wpedantic warning)

/// The integer types the measures sort on, per score type. `Packed` carries a complemented key
/// above the truth bit, (~key << 1) | truth, so it needs one bit more than the key: 64 bits for
/// float, 128 for double (a 64-bit double key would otherwise lose its lowest bit, turning
/// neighbouring doubles into ties).
template <typename Scalar>
struct ScoreKeys;
template <>
struct ScoreKeys<float> {
  using Key = std::uint32_t;     ///< sortable_key(float)
  using Packed = std::uint64_t;  ///< (~key << 1) | truth
  static constexpr int kKeyBits = 32;
};
template <>
struct ScoreKeys<double> {
  using Key = std::uint64_t;  ///< sortable_key(double)
  using Packed = Uint128;     ///< (~key << 1) | truth
  static constexpr int kKeyBits = 64;
};

/// The packed key of one entry: ascending packed order is descending score.
template <typename Scalar>
typename ScoreKeys<Scalar>::Packed packed_key(Scalar score, std::uint8_t truth) {
  using Keys = ScoreKeys<Scalar>;
  const typename Keys::Key complemented = static_cast<typename Keys::Key>(~sortable_key(score));
  return (static_cast<typename Keys::Packed>(complemented) << 1) | (truth & 1u);
}

/// Stable LSD radix sort of `a` on bits [low_bit, high_bit) in 11-bit digits; digits that are
/// equal for every element are skipped. `scratch` is reused between calls.
template <typename T>
void radix_sort(std::vector<T>& a, std::vector<T>& scratch, int low_bit, int high_bit) {
  constexpr int kDigit = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kDigit;
  constexpr T kMask = static_cast<T>(kBuckets - 1);
  const std::size_t n = a.size();
  if (n < 2) return;
  const int passes = (high_bit - low_bit + kDigit - 1) / kDigit;
  std::vector<std::uint32_t> counts(static_cast<std::size_t>(passes) * kBuckets, 0);
  for (const T x : a)
    for (int p = 0; p < passes; ++p)
      ++counts[static_cast<std::size_t>(p) * kBuckets +
               static_cast<std::size_t>((x >> (low_bit + p * kDigit)) & kMask)];
  scratch.resize(n);
  for (int p = 0; p < passes; ++p) {
    std::uint32_t* c = &counts[static_cast<std::size_t>(p) * kBuckets];
    if (std::any_of(c, c + kBuckets, [n](std::uint32_t v) { return v == n; })) continue;
    std::uint32_t sum = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) sum += std::exchange(c[b], sum);
    const int shift = low_bit + p * kDigit;
    for (const T x : a) scratch[c[static_cast<std::size_t>((x >> shift) & kMask)]++] = x;
    std::swap(a, scratch);
  }
}

// ---- ratios under the zero-division policy -------------------------------------------------

/// Precision, recall, F1 and F-beta of one row, one label or the pooled counts.
struct Prf {
  double precision = 0.0;  ///< tp / (tp + fp), policy when empty
  double recall = 0.0;     ///< tp / (tp + fn), policy when empty
  double f1 = 0.0;         ///< F1
  double fbeta = 0.0;      ///< F-beta (= f1 when beta = 1)
};

/// F-beta from P and R as scikit-learn 1.2 computes it (0 when the denominator is 0).
double f_from_pr(double p, double r, double beta2) {
  const double denominator = beta2 * p + r;
  return denominator == 0.0 ? 0.0 : (1.0 + beta2) * p * r / denominator;
}

Prf prf(Index tp, Index fp, Index fn, double beta2, ZeroDivision zd) {
  Prf out;
  const double t = static_cast<double>(tp);
  if (zd == ZeroDivision::Mulan) {
    // MULAN's InformationRetrievalMeasures: 1 for an empty truth and an empty prediction.
    if (tp + fp + fn == 0) return {1.0, 1.0, 1.0, 1.0};
    out.precision = tp + fp == 0 ? 0.0 : t / static_cast<double>(tp + fp);
    out.recall = tp + fn == 0 ? 0.0 : t / static_cast<double>(tp + fn);
    out.f1 = 2.0 * t / (2.0 * t + static_cast<double>(fn + fp));
    out.fbeta = (1.0 + beta2) * t /
                ((1.0 + beta2) * t + beta2 * static_cast<double>(fn) + static_cast<double>(fp));
    return out;
  }
  const double empty = zd == ZeroDivision::One ? 1.0 : 0.0;
  out.precision = tp + fp == 0 ? empty : t / static_cast<double>(tp + fp);
  out.recall = tp + fn == 0 ? empty : t / static_cast<double>(tp + fn);
  out.f1 = f_from_pr(out.precision, out.recall, 1.0);
  out.fbeta = f_from_pr(out.precision, out.recall, beta2);
  return out;
}

/// |Y & P| / |Y | P|; an empty union is 0 under Zero, 1 under One and MULAN.
double jaccard(Index tp, Index fp, Index fn, ZeroDivision zd) {
  const Index u = tp + fp + fn;
  if (u == 0) return zd == ZeroDivision::Zero ? 0.0 : 1.0;
  return static_cast<double>(tp) / static_cast<double>(u);
}

/// Nc / Ng for ML-GCN's recall when a label (or the pool) has no true positive entry.
double empty_recall(ZeroDivision zd, Index predicted) {
  switch (zd) {
    case ZeroDivision::Zero: return 0.0;
    case ZeroDivision::One: return 1.0;
    case ZeroDivision::Mulan: return predicted == 0 ? 1.0 : 0.0;
  }
  return 0.0;
}

double harmonic(double a, double b) { return a + b == 0.0 ? 0.0 : 2.0 * a * b / (a + b); }

// ---- the row pass --------------------------------------------------------------------------

constexpr Index kRowsPerChunk = 256;

/// Per-worker integer counts (order-independent, so summed in any order).
struct WorkerCounts {
  std::vector<Index> truth, predicted, both;           ///< per label: Y, P, Y & P
  std::vector<Index> ml_np, ml_nc, ml_np3, ml_nc3;     ///< per label: ML-GCN's Np, Nc (+ top-3)

  void init(Index labels, bool scores) {
    truth.assign(labels, 0);
    predicted.assign(labels, 0);
    both.assign(labels, 0);
    if (scores) {
      ml_np.assign(labels, 0);
      ml_nc.assign(labels, 0);
      ml_np3.assign(labels, 0);
      ml_nc3.assign(labels, 0);
    }
  }
};

/// Per-chunk sums, added in chunk order so that results do not depend on the thread count.
struct ChunkSums {
  Index exact_rows = 0;  ///< rows with P_i = Y_i
  double jaccard = 0.0, precision = 0.0, recall = 0.0, f1 = 0.0, fbeta = 0.0;  ///< per-row sums
  Index one_errors = 0;  ///< rows whose top label is not relevant
  Index coverage = 0;    ///< sum of sklearn's per-row coverage_error
  double ranking_loss = 0.0, lrap = 0.0;  ///< per-row sums
  double average_precision = 0.0;         ///< MULAN's, summed over rows with a relevant label
  Index average_precision_rows = 0;       ///< those rows
  Index bad_row = -1, bad_label = -1;  ///< first entry that is not 0/1 (Y, P) or is NaN (S)
  const char* bad_what = nullptr;      ///< what is wrong with it
};

/// Sorted keys of the rarer class of Y (positives or negatives) over all N x L entries, with
/// a table of where each stretch of the key range starts, so that an entry of the other class
/// finds how many keys are below and equal to its own in a few steps. The table spans the keys'
/// own range (not the whole float range: scores of one model often share a few exponents).
/// `Key` is the sortable key of the score type (uint32 for float, uint64 for double).
template <typename Key>
struct MicroAucIndex {
  bool defined = false;             ///< false when Y is all 0 or all 1 (no pair to compare)
  bool minority_positive = true;    ///< whether `keys` holds the positives
  std::uint8_t majority_value = 0;  ///< the Y value of the entries that look keys up
  std::vector<Key> keys;            ///< sortable keys of the rarer class, ascending
  Key min_key = 0, max_key = 0;     ///< the range the table spans
  int shift = 0;                    ///< a key's stretch is (key - min_key) >> shift
  std::vector<std::uint32_t> start;  ///< ((max_key - min_key) >> shift) + 2 offsets into keys
  std::uint64_t positives = 0, negatives = 0;  ///< over all N x L entries

  /// 2 x (number of keys below k) + (number of keys equal to k).
  std::uint64_t twice_rank(Key k) const {
    if (k < min_key) return 0;
    if (k > max_key) return 2ull * keys.size();
    const auto b = static_cast<std::size_t>((k - min_key) >> shift);
    const Key* first = keys.data() + start[b];
    const Key* last = keys.data() + start[b + 1];
    const Key* lower = first;
    const Key* upper;
    if (last - first <= 16) {  // the usual case: a short linear scan
      while (lower < last && *lower < k) ++lower;
      upper = lower;
      while (upper < last && *upper == k) ++upper;
    } else {  // many keys in one stretch (heavily tied scores)
      lower = std::lower_bound(first, last, k);
      upper = std::upper_bound(lower, last, k);
    }
    // equal keys share a stretch, so none are outside [first, last)
    const std::uint64_t j = static_cast<std::uint64_t>(lower - keys.data());
    const std::uint64_t e = static_cast<std::uint64_t>(upper - keys.data());
    return 2ull * j + (e - j);
  }
};

/// Small per-worker buffers for the ranking measures of one row (`Scalar`: the score type).
/// A "group" is one distinct score among the row's relevant labels.
template <typename Scalar>
struct RowScratch {
  std::vector<std::pair<Scalar, Index>> relevant;  ///< (score, label) of the relevant labels
  std::vector<Scalar> distinct;          ///< distinct relevant scores, descending
  std::vector<Index> relevant_in_group;  ///< relevant labels per distinct score
  std::vector<Index> below;          ///< labels strictly below group g - 1 and above group g
  std::vector<Index> tied;           ///< labels with exactly the group's score
  std::vector<Index> relevant_seen;  ///< running count of relevant labels met in the group
  std::vector<Index> greater_equal;  ///< labels with a score >= the group's score
  std::vector<Index> relevant_above;  ///< relevant labels with a higher score than the group's
  /// A relevant label met while scanning the row in label order.
  struct Event {
    Index group;          ///< its group
    Index tied_seen;      ///< labels of its group met so far, itself included
    Index relevant_seen;  ///< relevant labels of its group met so far, itself included
  };
  std::vector<Event> events;  ///< one per relevant label, in label order
};

/// Everything computed row by row: thresholded per-row figures and per-label counts, ML-GCN's
/// counts, and the ranking measures. `Scores` is ScoreMatrix or ScoreMatrixD.
template <typename Scores>
struct RowPass {
  using Scalar = typename Scores::Scalar;
  const LabelMatrix& y;           ///< truth
  const Scores& s;                ///< scores (empty when !with_scores)
  const LabelMatrix& p;           ///< predictions
  const MeasureOptions& options;  ///< policy, threshold
  bool with_scores;               ///< whether S is given
  double beta2;                   ///< beta squared

  void run(Index chunk, WorkerCounts& counts, RowScratch<Scalar>& scratch, ChunkSums& sums) const {
    const Index begin = chunk * kRowsPerChunk;
    const Index end = std::min<Index>(y.rows(), begin + kRowsPerChunk);
    for (Index i = begin; i < end; ++i) {
      if (!thresholded_row(i, counts, sums)) return;
      if (!with_scores) continue;
      if (!score_row(i, counts, sums)) return;
      ranking_row(i, scratch, sums);
    }
  }

  static void mark_bad(ChunkSums& sums, Index row, Index label, const char* what) {
    if (sums.bad_row < 0) {
      sums.bad_row = row;
      sums.bad_label = label;
      sums.bad_what = what;
    }
  }

  bool thresholded_row(Index i, WorkerCounts& c, ChunkSums& sums) const {
    const Index labels = y.cols();
    const std::uint8_t* yr = y.data() + i * labels;
    const std::uint8_t* pr = p.data() + i * labels;
    // restrict: the uint8 rows could otherwise alias the counts, which stops vectorisation
    Index* __restrict__ truth = c.truth.data();
    Index* __restrict__ predicted = c.predicted.data();
    Index* __restrict__ both = c.both.data();
    Index ny = 0, np = 0, nyp = 0;
    unsigned bad = 0;
    for (Index l = 0; l < labels; ++l) {
      const unsigned yv = yr[l], pv = pr[l];
      bad |= yv | pv;
      truth[l] += yv;
      predicted[l] += pv;
      both[l] += yv & pv;
      ny += yv;
      np += pv;
      nyp += yv & pv;
    }
    if (bad > 1) {
      for (Index l = 0; l < labels; ++l) {
        if (yr[l] > 1) mark_bad(sums, i, l, "the truth holds a value other than 0 or 1");
        if (pr[l] > 1) mark_bad(sums, i, l, "the predictions hold a value other than 0 or 1");
      }
      return false;
    }
    const Index fp = np - nyp, fn = ny - nyp;
    sums.exact_rows += (fp == 0 && fn == 0) ? 1 : 0;
    sums.jaccard += jaccard(nyp, fp, fn, options.zero_division);
    const Prf r = prf(nyp, fp, fn, beta2, options.zero_division);
    sums.precision += r.precision;
    sums.recall += r.recall;
    sums.f1 += r.f1;
    sums.fbeta += r.fbeta;
    return true;
  }

  // ML-GCN's counts (all labels and top 3) and the NaN check.
  bool score_row(Index i, WorkerCounts& c, ChunkSums& sums) const {
    const Index labels = y.cols();
    const std::uint8_t* yr = y.data() + i * labels;
    const Scalar* sr = s.data() + i * labels;
    // compared in the scores' type, as NumPy compares a float32 (float64) array with a Python
    // float: in float32 (float64)
    const Scalar threshold = static_cast<Scalar>(options.mlgcn_threshold);
    Index* __restrict__ ml_np = c.ml_np.data();
    Index* __restrict__ ml_nc = c.ml_nc.data();
    bool nan = false;
    for (Index l = 0; l < labels; ++l) {
      const bool positive = sr[l] >= threshold;
      nan |= std::isnan(sr[l]);
      ml_np[l] += positive;
      ml_nc[l] += positive & (yr[l] != 0);
    }
    if (nan) {
      for (Index l = 0; l < labels; ++l)
        if (std::isnan(sr[l])) mark_bad(sums, i, l, "the score is NaN");
      return false;
    }
    // The three highest scores; a later label replaces an earlier one only when strictly
    // higher, so ties go to the lower label index.
    Index top[3] = {-1, -1, -1};
    const Index k = std::min<Index>(3, labels);
    for (Index l = 0; l < labels; ++l) {
      const Scalar v = sr[l];
      Index pos = k;
      while (pos > 0 && (top[pos - 1] < 0 || v > sr[top[pos - 1]])) --pos;
      if (pos == k) continue;
      for (Index m = k - 1; m > pos; --m) top[m] = top[m - 1];
      top[pos] = l;
    }
    for (Index m = 0; m < k; ++m) {
      const Index l = top[m];
      if (sr[l] >= threshold) {
        ++c.ml_np3[l];
        c.ml_nc3[l] += yr[l] != 0;
      }
    }
    return true;
  }

  void ranking_row(Index i, RowScratch<Scalar>& w, ChunkSums& sums) const {
    const Index labels = y.cols();
    const std::uint8_t* yr = y.data() + i * labels;
    const Scalar* sr = s.data() + i * labels;

    // The top label under MULAN's ranking: the highest score, the highest index among ties.
    Index top = 0;
    for (Index l = 1; l < labels; ++l)
      if (sr[l] >= sr[top]) top = l;
    sums.one_errors += yr[top] ? 0 : 1;

    w.relevant.clear();
    for (Index l = 0; l < labels; ++l)
      if (yr[l]) w.relevant.emplace_back(sr[l], l);
    const Index k = static_cast<Index>(w.relevant.size());
    if (k == 0) {
      sums.lrap += 1.0;  // scikit-learn's convention; coverage_error and ranking loss add 0
      return;
    }
    std::sort(w.relevant.begin(), w.relevant.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    w.distinct.clear();
    w.relevant_in_group.clear();
    for (const auto& r : w.relevant) {
      if (w.distinct.empty() || r.first != w.distinct.back()) {
        w.distinct.push_back(r.first);
        w.relevant_in_group.push_back(0);
      }
      ++w.relevant_in_group.back();
    }
    const Index groups = static_cast<Index>(w.distinct.size());
    w.below.assign(groups + 1, 0);
    w.tied.assign(groups, 0);
    w.relevant_seen.assign(groups, 0);
    w.events.clear();

    // Each label falls strictly between two distinct relevant scores (below[g]: g relevant
    // scores are higher) or on one of them (tied[g]).
    const Scalar* d = w.distinct.data();
    const Scalar lowest = d[groups - 1];
    Index below_all = 0;
    for (Index l = 0; l < labels; ++l) {
      const Scalar v = sr[l];
      if (v < lowest) {  // most labels: below every relevant score
        ++below_all;
        continue;
      }
      Index g;
      if (groups <= 8) {
        g = 0;
        for (Index h = 0; h < groups; ++h) g += d[h] > v;
      } else {
        g = std::partition_point(d, d + groups, [v](Scalar x) { return x > v; }) - d;
      }
      if (g < groups && v == d[g]) {
        ++w.tied[g];
        if (yr[l]) w.events.push_back({g, w.tied[g], ++w.relevant_seen[g]});
      } else {
        ++w.below[g];
      }
    }
    w.below[groups] += below_all;

    // greater_equal[h]: labels with a score >= d[h]; relevant ones: relevant_ge.
    w.greater_equal.assign(groups, 0);
    Index ge = 0, relevant_ge = 0;
    double lrap = 0.0, wrong_pairs = 0.0;
    for (Index h = 0; h < groups; ++h) {
      ge += w.below[h] + w.tied[h];
      relevant_ge += w.relevant_in_group[h];
      w.greater_equal[h] = ge;
      const double n_rel = static_cast<double>(w.relevant_in_group[h]);
      lrap += n_rel * static_cast<double>(relevant_ge) / static_cast<double>(ge);
      wrong_pairs += n_rel * static_cast<double>(ge - relevant_ge);
    }
    sums.coverage += ge;
    if (k < labels) {
      sums.lrap += lrap / static_cast<double>(k);
      sums.ranking_loss += wrong_pairs / (static_cast<double>(k) * static_cast<double>(labels - k));
    } else {
      sums.lrap += 1.0;
    }

    // MULAN's average precision: ties ranked by label index, the higher index first.
    w.relevant_above.assign(groups, 0);
    for (Index h = 1; h < groups; ++h)
      w.relevant_above[h] = w.relevant_above[h - 1] + w.relevant_in_group[h - 1];
    double average_precision = 0.0;
    for (const typename RowScratch<Scalar>::Event& e : w.events) {
      const Index h = e.group;
      const Index greater = w.greater_equal[h] - w.tied[h];
      const Index rank = greater + (w.tied[h] - e.tied_seen) + 1;
      const Index relevant_at_or_above =
          w.relevant_above[h] + (w.relevant_in_group[h] - e.relevant_seen + 1);
      average_precision += static_cast<double>(relevant_at_or_above) / static_cast<double>(rank);
    }
    sums.average_precision += average_precision / static_cast<double>(k);
    ++sums.average_precision_rows;
  }
};

template <typename Scores>
MicroAucIndex<typename ScoreKeys<typename Scores::Scalar>::Key> build_micro_auc_index(
    const LabelMatrix& y, const Scores& s, int threads) {
  using Key = typename ScoreKeys<typename Scores::Scalar>::Key;
  MicroAucIndex<Key> index;
  const std::size_t n = static_cast<std::size_t>(y.size());
  const std::uint8_t* yd = y.data();
  const typename Scores::Scalar* sd = s.data();
  // Count positives per piece (Y is 0/1: the row pass has checked), for where each piece's
  // keys go.
  constexpr std::size_t kPiece = 1 << 22;
  const std::size_t pieces = (n + kPiece - 1) / kPiece;
  std::vector<std::uint64_t> positives(pieces, 0);
  parallel_for(static_cast<Index>(pieces), threads, [&](Index p) {
    const auto piece = static_cast<std::size_t>(p);
    const std::size_t b = piece * kPiece, e = std::min(n, b + kPiece);
    std::uint64_t count = 0;
    for (std::size_t j = b; j < e; ++j) count += yd[j];
    positives[piece] = count;
  });
  for (std::uint64_t c : positives) index.positives += c;
  index.negatives = n - index.positives;
  if (index.positives == 0 || index.negatives == 0) return index;
  index.defined = true;
  index.minority_positive = index.positives <= index.negatives;
  const std::uint8_t minority = index.minority_positive ? 1 : 0;
  index.majority_value = index.minority_positive ? 0 : 1;

  // Gather the minority keys piece by piece into their final places, then sort.
  std::vector<std::size_t> offset(pieces + 1, 0);
  for (std::size_t piece = 0; piece < pieces; ++piece) {
    const std::size_t b = piece * kPiece, e = std::min(n, b + kPiece);
    const std::uint64_t in_piece = index.minority_positive ? positives[piece]
                                                           : (e - b) - positives[piece];
    offset[piece + 1] = offset[piece] + in_piece;
  }
  index.keys.resize(offset[pieces]);
  parallel_for(static_cast<Index>(pieces), threads, [&](Index p) {
    const auto piece = static_cast<std::size_t>(p);
    const std::size_t b = piece * kPiece, e = std::min(n, b + kPiece);
    Key* out = index.keys.data() + offset[piece];
    for (std::size_t j = b; j < e; ++j)
      if (yd[j] == minority) *out++ = sortable_key(sd[j]);
  });
  std::vector<Key> scratch;
  radix_sort(index.keys, scratch, 0, ScoreKeys<typename Scores::Scalar>::kKeyBits);

  // About 2 keys per stretch of the key range, at most 2^22 stretches (16 MB).
  index.min_key = index.keys.front();
  index.max_key = index.keys.back();
  const std::uint64_t span = std::uint64_t{index.max_key} - index.min_key;
  std::uint64_t stretches = std::min<std::uint64_t>(std::uint64_t{1} << 22, index.keys.size() / 2 + 1);
  index.shift = 0;
  // (span >> shift) + 1 > stretches, written so that a double key span of 2^64 - 1 cannot wrap
  while ((span >> index.shift) >= stretches) ++index.shift;
  const std::size_t entries = static_cast<std::size_t>(span >> index.shift) + 2;
  index.start.assign(entries, 0);
  std::size_t j = 0;
  for (std::size_t b = 0; b < entries; ++b) {
    // first key whose stretch is >= b
    while (j < index.keys.size() && ((index.keys[j] - index.min_key) >> index.shift) < b) ++j;
    index.start[b] = static_cast<std::uint32_t>(j);
  }
  return index;
}

// ---- the label pass: AP, AUC and ML-GCN's AP per label -------------------------------------

/// `sorted`: the packed keys (ScoreKeys::Packed) of one column, ascending.
template <typename Packed>
void label_figures(const std::vector<Packed>& sorted, Index positives, LabelMeasures& m) {
  const Index n = static_cast<Index>(sorted.size());
  const Index negatives = n - positives;
  std::uint64_t tp = 0, fp = 0, twice_u = 0;
  double ap = 0.0, ap_mlgcn = 0.0;
  Index i = 0;
  while (i < n) {
    const Packed key = sorted[i] >> 1;
    std::uint64_t group_pos = 0, group_neg = 0;
    Index j = i;
    for (; j < n && (sorted[j] >> 1) == key; ++j) {
      if (sorted[j] & 1u) {
        ++group_pos;
        // ML-GCN: precision at this positive in the (stable) sorted order.
        ap_mlgcn += static_cast<double>(tp + group_pos) / static_cast<double>(j + 1);
      } else {
        ++group_neg;
      }
    }
    tp += group_pos;
    fp += group_neg;
    if (group_pos > 0) {
      // one precision-recall point per distinct score (scikit-learn's tie grouping)
      ap += static_cast<double>(group_pos) * static_cast<double>(tp) / static_cast<double>(tp + fp);
      // negatives below count 1, tied ones 1/2
      twice_u += group_pos * (2 * (static_cast<std::uint64_t>(negatives) - fp) + group_neg);
    }
    i = j;
  }
  m.ap = ap / static_cast<double>(positives);
  m.ap_mlgcn = ap_mlgcn / static_cast<double>(positives);
  m.auc = static_cast<double>(twice_u) /
          (2.0 * static_cast<double>(positives) * static_cast<double>(negatives));
}

/// 2 x U of micro AUC restricted to one sorted column: each run of equal scores looks up, once,
/// how many of the indexed (rarer) class lie below and on it. The column is sorted, so the
/// lookups walk the index in one direction and stay in cache.
template <typename Packed, typename Key>
std::uint64_t micro_column(const std::vector<Packed>& sorted, const MicroAucIndex<Key>& micro) {
  std::uint64_t twice = 0;
  const std::size_t n = sorted.size();
  for (std::size_t i = 0; i < n;) {
    const Packed key = sorted[i] >> 1;
    std::uint64_t majority = 0;
    for (; i < n && (sorted[i] >> 1) == key; ++i) majority += (sorted[i] & 1u) == micro.majority_value;
    if (majority > 0) twice += majority * micro.twice_rank(static_cast<Key>(~static_cast<Key>(key)));
  }
  return twice;
}

/// Per-label AP, ML-GCN's AP and AUC into `out`; returns 2 x U of the micro AUC (0 when
/// `micro` is undefined).
template <typename Scores>
std::uint64_t label_pass(const LabelMatrix& y, const Scores& s, const std::vector<Index>& positives,
                         const MicroAucIndex<typename ScoreKeys<typename Scores::Scalar>::Key>& micro,
                         int threads, std::vector<LabelMeasures>& out) {
  using Scalar = typename Scores::Scalar;
  using Packed = typename ScoreKeys<Scalar>::Packed;
  const Index n = y.rows(), labels = y.cols();
  // Labels are gathered `width` at a time so that one sweep over the rows reads each cache
  // line of S once; the width keeps the per-thread buffers near 64 MB.
  const Index width = std::clamp<Index>(
      (Index{64} << 20) / std::max<Index>(1, static_cast<Index>(sizeof(Packed)) * n), 1, 16);
  const std::size_t blocks = static_cast<std::size_t>((labels + width - 1) / width);
  const auto workers = static_cast<std::size_t>(worker_count(static_cast<Index>(blocks), threads));
  struct Buffers {
    std::vector<std::vector<Packed>> keys;
    std::vector<Packed> scratch;
    std::uint64_t micro_twice_u = 0;
  };
  std::vector<Buffers> buffers(workers);
  parallel_for_workers(static_cast<Index>(blocks), threads, [&](int worker, Index block) {
    Buffers& b = buffers[static_cast<std::size_t>(worker)];
    const Index l0 = static_cast<Index>(block) * width;
    const Index l1 = std::min(labels, l0 + width);
    std::vector<Index> todo;
    for (Index l = l0; l < l1; ++l) {
      LabelMeasures& m = out[l];
      m.has_positive = positives[l] > 0;
      m.has_negative = positives[l] < n;
      // every row positive: precision 1 at every threshold, AUC undefined
      if (m.has_positive && !m.has_negative) m.ap = m.ap_mlgcn = 1.0;
      // a column of one class still holds micro AUC pairs
      if ((m.has_positive && m.has_negative) || micro.defined) todo.push_back(l);
    }
    if (todo.empty()) return;
    b.keys.resize(todo.size());
    for (auto& k : b.keys) k.resize(static_cast<std::size_t>(n));
    // Key: bits 1..32 (1..64 for double) the complemented sortable score (ascending =
    // descending score), bit 0 the truth; rows stay in order among ties (a stable sort).
    constexpr Index kAhead = 8;  // rows are a page apart: the hardware prefetcher stops there
    for (Index i = 0; i < n; ++i) {
      if (i + kAhead < n) {
        const Scalar* ahead = s.data() + (i + kAhead) * labels;
        __builtin_prefetch(ahead + todo.front());
        __builtin_prefetch(ahead + todo.back());
        __builtin_prefetch(y.data() + (i + kAhead) * labels + todo.front());
      }
      const Scalar* sr = s.data() + i * labels;
      const std::uint8_t* yr = y.data() + i * labels;
      for (std::size_t t = 0; t < todo.size(); ++t) {
        const Index l = todo[t];
        b.keys[t][static_cast<std::size_t>(i)] = packed_key(sr[l], yr[l]);
      }
    }
    for (std::size_t t = 0; t < todo.size(); ++t) {
      radix_sort(b.keys[t], b.scratch, 1, 1 + ScoreKeys<Scalar>::kKeyBits);
      const LabelMeasures& m = out[todo[t]];
      if (m.has_positive && m.has_negative) label_figures(b.keys[t], positives[todo[t]], out[todo[t]]);
      if (micro.defined) b.micro_twice_u += micro_column(b.keys[t], micro);
    }
  });
  std::uint64_t twice_u = 0;
  for (const Buffers& b : buffers) twice_u += b.micro_twice_u;
  return twice_u;
}

[[noreturn]] void throw_bad_entry(const ChunkSums& c) {
  throw Error(fmt::format("evaluation input: row {}, label {} (counting from 1): {}",
                          c.bad_row + 1, c.bad_label + 1, c.bad_what));
}

}  // namespace

double f1_from_counts(Index tp, Index fp, Index fn, ZeroDivision zd) {
  return prf(tp, fp, fn, 1.0, zd).f1;
}

ZeroDivision parse_zero_division(const std::string& text) {
  if (text == "0") return ZeroDivision::Zero;
  if (text == "1") return ZeroDivision::One;
  if (text == "mulan" || text == "MULAN") return ZeroDivision::Mulan;
  throw Error(fmt::format("zero division policy '{}': expected 0, 1 or mulan", text));
}

const std::vector<std::string>& measure_names() { return kNames; }

Direction measure_direction(const std::string& name) {
  if (std::find(kNames.begin(), kNames.end(), name) == kNames.end())
    throw Error(fmt::format("unknown measure '{}'; known measures: {}", name,
                            fmt::join(kNames, ", ")));
  return is_loss(name) ? Direction::LowerIsBetter : Direction::HigherIsBetter;
}

bool EvaluationResult::has(const std::string& name) const {
  return std::any_of(measures.begin(), measures.end(),
                     [&](const MeasureValue& m) { return m.name == name; });
}

double EvaluationResult::get(const std::string& name) const {
  for (const MeasureValue& m : measures)
    if (m.name == name) return m.value;
  measure_direction(name);  // throws for an unknown name
  throw Error(fmt::format("measure '{}' was not computed ({})", name,
                          name.find("fbeta") != std::string::npos
                              ? "F-beta is reported only when beta != 1"
                              : "it needs scores"));
}

namespace {

template <typename Scores>
EvaluationResult evaluate_all_entries(const LabelMatrix& truth, const Scores& scores,
                                      const LabelMatrix& predictions, const MeasureOptions& options) {
  using Scalar = typename Scores::Scalar;
  const Index n = truth.rows(), labels = truth.cols();
  const bool with_scores = scores.size() != 0 || scores.rows() != 0 || scores.cols() != 0;
  if (predictions.rows() != n || predictions.cols() != labels)
    throw Error(fmt::format("evaluation input: the truth is {} x {} but the predictions are {} x {}",
                            n, labels, predictions.rows(), predictions.cols()));
  if (with_scores && (scores.rows() != n || scores.cols() != labels))
    throw Error(fmt::format("evaluation input: the truth is {} x {} but the scores are {} x {}", n,
                            labels, scores.rows(), scores.cols()));
  if (n == 0 || labels == 0)
    throw Error(fmt::format("evaluation input: nothing to evaluate ({} rows, {} labels)", n, labels));
  if (!(options.beta >= 0.0) || !std::isfinite(options.beta))
    throw Error(fmt::format("F-beta: beta must be finite and >= 0, not {}", options.beta));
  if (std::isnan(options.mlgcn_threshold))
    throw Error("ML-GCN threshold: NaN is not a threshold");
  const double beta2 = options.beta * options.beta;
  const ZeroDivision zd = options.zero_division;

  const std::size_t chunks = static_cast<std::size_t>((n + kRowsPerChunk - 1) / kRowsPerChunk);
  const auto workers =
      static_cast<std::size_t>(worker_count(static_cast<Index>(chunks), options.threads));
  std::vector<WorkerCounts> counts(workers);
  for (WorkerCounts& c : counts) c.init(labels, with_scores);
  std::vector<RowScratch<Scalar>> scratch(workers);
  std::vector<ChunkSums> sums(chunks);
  const RowPass<Scores> pass{truth, scores, predictions, options, with_scores, beta2};
  parallel_for_workers(static_cast<Index>(chunks), options.threads, [&](int w, Index chunk) {
    const auto worker = static_cast<std::size_t>(w);
    pass.run(chunk, counts[worker], scratch[worker], sums[static_cast<std::size_t>(chunk)]);
  });
  for (const ChunkSums& c : sums)
    if (c.bad_row >= 0) throw_bad_entry(c);

  // Totals: integers in any order, doubles in chunk order.
  WorkerCounts total;
  total.init(labels, with_scores);
  for (const WorkerCounts& c : counts) {
    for (Index l = 0; l < labels; ++l) {
      total.truth[l] += c.truth[l];
      total.predicted[l] += c.predicted[l];
      total.both[l] += c.both[l];
      if (with_scores) {
        total.ml_np[l] += c.ml_np[l];
        total.ml_nc[l] += c.ml_nc[l];
        total.ml_np3[l] += c.ml_np3[l];
        total.ml_nc3[l] += c.ml_nc3[l];
      }
    }
  }
  ChunkSums row;
  for (const ChunkSums& c : sums) {
    row.exact_rows += c.exact_rows;
    row.jaccard += c.jaccard;
    row.precision += c.precision;
    row.recall += c.recall;
    row.f1 += c.f1;
    row.fbeta += c.fbeta;
    row.one_errors += c.one_errors;
    row.coverage += c.coverage;
    row.ranking_loss += c.ranking_loss;
    row.lrap += c.lrap;
    row.average_precision += c.average_precision;
    row.average_precision_rows += c.average_precision_rows;
  }

  EvaluationResult result;
  result.per_label.resize(static_cast<std::size_t>(labels));
  const double nd = static_cast<double>(n), ld = static_cast<double>(labels);

  // Label-based figures at P.
  Index tp_all = 0, fp_all = 0, fn_all = 0, errors = 0;
  Prf macro;
  for (Index l = 0; l < labels; ++l) {
    LabelMeasures& m = result.per_label[l];
    m.confusion.tp = total.both[l];
    m.confusion.fp = total.predicted[l] - total.both[l];
    m.confusion.fn = total.truth[l] - total.both[l];
    m.confusion.tn = n - m.confusion.tp - m.confusion.fp - m.confusion.fn;
    const Prf r = prf(m.confusion.tp, m.confusion.fp, m.confusion.fn, beta2, zd);
    m.precision = r.precision;
    m.recall = r.recall;
    m.f1 = r.f1;
    m.fbeta = r.fbeta;
    m.has_positive = total.truth[l] > 0;
    m.has_negative = total.truth[l] < n;
    macro.precision += r.precision;
    macro.recall += r.recall;
    macro.f1 += r.f1;
    macro.fbeta += r.fbeta;
    tp_all += m.confusion.tp;
    fp_all += m.confusion.fp;
    fn_all += m.confusion.fn;
    errors += m.confusion.fp + m.confusion.fn;
  }
  const Prf micro_prf = prf(tp_all, fp_all, fn_all, beta2, zd);

  std::vector<MeasureValue>& out = result.measures;
  const auto add = [&out](const char* name, double value) { out.push_back({name, value}); };
  add("hamming_loss", static_cast<double>(errors) / (nd * ld));
  add("subset_accuracy", static_cast<double>(row.exact_rows) / nd);
  add("accuracy", row.jaccard / nd);
  add("example_precision", row.precision / nd);
  add("example_recall", row.recall / nd);
  add("example_f1", row.f1 / nd);
  add("micro_precision", micro_prf.precision);
  add("micro_recall", micro_prf.recall);
  add("micro_f1", micro_prf.f1);
  add("macro_precision", macro.precision / ld);
  add("macro_recall", macro.recall / ld);
  add("macro_f1", macro.f1 / ld);
  if (options.beta != 1.0) {
    add("example_fbeta", row.fbeta / nd);
    add("micro_fbeta", micro_prf.fbeta);
    add("macro_fbeta", macro.fbeta / ld);
  }
  for (const MeasureValue& m : out)
    if (std::isnan(m.value)) throw Error("internal error: NaN in " + m.name);
  if (!with_scores) {
    for (const LabelMeasures& m : result.per_label) result.skipped_labels += !m.has_positive;
    for (const LabelMeasures& m : result.per_label)
      result.auc_skipped_labels += !(m.has_positive && m.has_negative);
    return result;
  }

  // ML-GCN's CP..OF1, all labels and top 3.
  const auto mlgcn = [&](const std::vector<Index>& np_raw, const std::vector<Index>& nc,
                         const std::string& suffix) {
    double cp = 0.0, cr = 0.0;
    Index sum_nc = 0, sum_np = 0, sum_ng = 0, sum_np_raw = 0;
    for (Index l = 0; l < labels; ++l) {
      const Index np = std::max<Index>(np_raw[l], 1);  // ML-GCN: Np[Np == 0] = 1
      const Index ng = total.truth[l];
      cp += static_cast<double>(nc[l]) / static_cast<double>(np);
      cr += ng == 0 ? empty_recall(zd, np_raw[l])
                    : static_cast<double>(nc[l]) / static_cast<double>(ng);
      sum_nc += nc[l];
      sum_np += np;
      sum_ng += ng;
      sum_np_raw += np_raw[l];
    }
    cp /= ld;
    cr /= ld;
    const double op = static_cast<double>(sum_nc) / static_cast<double>(sum_np);
    const double orr = sum_ng == 0 ? empty_recall(zd, sum_np_raw)
                                   : static_cast<double>(sum_nc) / static_cast<double>(sum_ng);
    out.push_back({"CP" + suffix, cp});
    out.push_back({"CR" + suffix, cr});
    out.push_back({"CF1" + suffix, harmonic(cp, cr)});
    out.push_back({"OP" + suffix, op});
    out.push_back({"OR" + suffix, orr});
    out.push_back({"OF1" + suffix, harmonic(op, orr)});
  };
  mlgcn(total.ml_np, total.ml_nc, "");
  mlgcn(total.ml_np3, total.ml_nc3, "_top3");

  // Ranking measures.
  add("one_error", static_cast<double>(row.one_errors) / nd);
  add("coverage", static_cast<double>(row.coverage) / nd - 1.0);
  add("ranking_loss", row.ranking_loss / nd);
  add("lrap", row.lrap / nd);
  if (row.average_precision_rows > 0) {
    add("average_precision", row.average_precision / static_cast<double>(row.average_precision_rows));
  } else {
    add("average_precision", 0.0);
    result.undefined_measures.push_back("average_precision");
  }

  // Per-label AP and AUC, and micro AUC from the sorted columns.
  const auto micro = build_micro_auc_index(truth, scores, options.threads);
  const std::uint64_t micro_twice_u =
      label_pass(truth, scores, total.truth, micro, options.threads, result.per_label);
  double sum_ap = 0.0, sum_ap_mlgcn = 0.0, sum_auc = 0.0;
  for (const LabelMeasures& m : result.per_label) {
    if (!m.has_positive) {
      ++result.skipped_labels;
    } else {
      sum_ap += m.ap;
      sum_ap_mlgcn += m.ap_mlgcn;
    }
    if (m.has_positive && m.has_negative) sum_auc += m.auc;
    else ++result.auc_skipped_labels;
  }
  const Index ap_labels = labels - result.skipped_labels;
  const Index auc_labels = labels - result.auc_skipped_labels;
  const auto mean_or_undefined = [&](const char* name, double sum, Index count) {
    if (count > 0) {
      add(name, sum / static_cast<double>(count));
    } else {
      add(name, 0.0);
      result.undefined_measures.push_back(name);
    }
  };
  mean_or_undefined("mAP", sum_ap, ap_labels);
  mean_or_undefined("mAP_mlgcn", sum_ap_mlgcn, ap_labels);
  mean_or_undefined("macro_auc", sum_auc, auc_labels);
  if (micro.defined) {
    // Mann-Whitney U over all entries; the index holds the rarer class.
    const double pairs = static_cast<double>(micro.positives) * static_cast<double>(micro.negatives);
    double twice_u = static_cast<double>(micro_twice_u);
    // With the negatives indexed, each positive counted 2 x negatives below + tied: that is
    // 2U. With the positives indexed, each negative counted 2 x positives below + tied:
    // 2 x (pairs with the positive not above) = 2 x pairs - 2U.
    if (micro.minority_positive) twice_u = 2.0 * pairs - twice_u;
    add("micro_auc", twice_u / (2.0 * pairs));
  } else {
    add("micro_auc", 0.0);
    result.undefined_measures.push_back("micro_auc");
  }
  for (const MeasureValue& m : out)
    if (std::isnan(m.value)) throw Error("internal error: NaN in " + m.name);
  return result;
}

/// Replace a measure's value, keeping undefined_measures in step.
void replace_measure(EvaluationResult& result, const std::string& name, double sum, Index count) {
  auto& undefined = result.undefined_measures;
  undefined.erase(std::remove(undefined.begin(), undefined.end(), name), undefined.end());
  for (MeasureValue& m : result.measures) {
    if (m.name != name) continue;
    m.value = count > 0 ? sum / static_cast<double>(count) : 0.0;
    if (count == 0) undefined.push_back(name);
  }
}

/// AP, ML-GCN's AP and AUC of label l over the rows whose entry is not ignored.
template <typename Scores>
void label_figures_kept(const LabelMatrix& y, const Scores& s, const LabelMatrix& ignore,
                        Index l, LabelMeasures& m) {
  using Scalar = typename Scores::Scalar;
  std::vector<typename ScoreKeys<Scalar>::Packed> keys, scratch;
  Index positives = 0;
  for (Index i = 0; i < y.rows(); ++i) {
    if (ignore(i, l)) continue;
    keys.push_back(packed_key(s(i, l), y(i, l)));
    positives += y(i, l) & 1u;
  }
  const Index n = static_cast<Index>(keys.size());
  m.has_positive = positives > 0;
  m.has_negative = positives < n;
  m.ap = m.ap_mlgcn = m.auc = 0.0;
  if (m.has_positive && !m.has_negative) m.ap = m.ap_mlgcn = 1.0;
  if (!(m.has_positive && m.has_negative)) return;
  radix_sort(keys, scratch, 1, 1 + ScoreKeys<Scalar>::kKeyBits);
  label_figures(keys, positives, m);
}

template <typename Scores>
EvaluationResult evaluate_scores(const LabelMatrix& truth, const Scores& scores,
                                 const LabelMatrix& predictions, const MeasureOptions& options) {
  MeasureOptions plain = options;
  plain.ignore = nullptr;
  const LabelMatrix* ignore = options.ignore;
  if (ignore == nullptr || ignore->size() == 0) return evaluate_all_entries(truth, scores, predictions, plain);
  if (ignore->rows() != truth.rows() || ignore->cols() != truth.cols())
    throw Error(fmt::format("evaluation input: the truth is {} x {} but the ignore mask is {} x {}",
                            truth.rows(), truth.cols(), ignore->rows(), ignore->cols()));
  for (Index i = 0; i < ignore->rows(); ++i)
    for (Index l = 0; l < ignore->cols(); ++l)
      if ((*ignore)(i, l) > 1)
        throw Error(fmt::format("evaluation input: ignore mask entry ({}, {}) is {}, not 0 or 1", i,
                                l, static_cast<int>((*ignore)(i, l))));
  EvaluationResult result = evaluate_all_entries(truth, scores, predictions, plain);
  const bool with_scores = scores.size() != 0 || scores.rows() != 0 || scores.cols() != 0;
  if (!with_scores || ignore->cwiseEqual(0).all()) return result;

  // ML-GCN's CP..OF1 with ignored entries as negatives.
  const LabelMatrix negative_where_ignored = truth.cwiseProduct(ignore->unaryExpr(
      [](std::uint8_t v) { return static_cast<std::uint8_t>(1 - v); }));
  const EvaluationResult as_negative =
      evaluate_all_entries(negative_where_ignored, scores, predictions, plain);
  for (MeasureValue& m : result.measures) {
    const bool mlgcn = m.name.rfind("CP", 0) == 0 || m.name.rfind("CR", 0) == 0 ||
                       m.name.rfind("CF1", 0) == 0 || m.name.rfind("OP", 0) == 0 ||
                       m.name.rfind("OR", 0) == 0 || m.name.rfind("OF1", 0) == 0;
    if (mlgcn) m.value = as_negative.get(m.name);
  }

  // Per-label ranking figures without the ignored rows, and their means.
  const Index labels = truth.cols();
  for (Index l = 0; l < labels; ++l)
    if (!ignore->col(l).cwiseEqual(0).all())
      label_figures_kept(truth, scores, *ignore, l, result.per_label[static_cast<std::size_t>(l)]);
  double sum_ap = 0.0, sum_ap_mlgcn = 0.0, sum_auc = 0.0;
  result.skipped_labels = result.auc_skipped_labels = 0;
  for (const LabelMeasures& m : result.per_label) {
    if (!m.has_positive) {
      ++result.skipped_labels;
    } else {
      sum_ap += m.ap;
      sum_ap_mlgcn += m.ap_mlgcn;
    }
    if (m.has_positive && m.has_negative) sum_auc += m.auc;
    else ++result.auc_skipped_labels;
  }
  replace_measure(result, "mAP", sum_ap, labels - result.skipped_labels);
  replace_measure(result, "mAP_mlgcn", sum_ap_mlgcn, labels - result.skipped_labels);
  replace_measure(result, "macro_auc", sum_auc, labels - result.auc_skipped_labels);
  return result;
}

}  // namespace

EvaluationResult evaluate(const LabelMatrix& truth, const ScoreMatrix& scores,
                          const LabelMatrix& predictions, const MeasureOptions& options) {
  return evaluate_scores(truth, scores, predictions, options);
}

EvaluationResult evaluate(const LabelMatrix& truth, const ScoreMatrixD& scores,
                          const LabelMatrix& predictions, const MeasureOptions& options) {
  return evaluate_scores(truth, scores, predictions, options);
}

}  // namespace lg::eval
