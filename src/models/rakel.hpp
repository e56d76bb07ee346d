#pragma once
// RAkEL (Tsoumakas, Katakis, Vlahavas 2011; reference doc §5): label powerset on random
// k-label subsets.
//
//   * variant "d" (RAkEL-d): the labels shuffled and cut into ceil(L/k) disjoint subsets of k
//     (the last one smaller when k does not divide L); every label is in exactly one subset.
//   * variant "o" (RAkEL-o): m distinct random k-subsets (m = 0 means 2L), capped by C(L, k)
//     with a note. A label's score is the mean of the soft votes (LP marginals) of the models
//     whose subset contains it; a label in no subset gets score 0 and a note.
//   * k >= L is one subset of all labels (plain LP), with a note.
//
// Subsets are drawn from std::mt19937_64 seeded with ctx.seed + seed_offset (the engine is
// fully specified by the standard; the bounded draws are our own, so the subsets are the same
// on every platform). Each subset's LP is fitted by models/label_powerset.hpp.
#include <cstdint>
#include <string>
#include <vector>

#include "models/label_powerset.hpp"
#include "models/model.hpp"

namespace lg::models {

/// The label subsets of a RAkEL variant: each sorted ascending; for "o" in drawing order.
/// `m` = 0 means 2L; `notes` (may be null) receives the caps applied. Throws lg::Error for an
/// unknown variant, k < 1 or L < 1.
std::vector<std::vector<Index>> rakel_subsets(Index num_labels, const std::string& variant,
                                              Index k, Index m, std::uint64_t seed,
                                              std::vector<std::string>* notes = nullptr);

/// Mean vote per label: score(i, j) = mean over subsets s containing j of
/// subset_scores[s](i, position of j in s); 0 for a label in no subset (listed in
/// `uncovered` when not null). Throws lg::Error when shapes disagree.
ScoreMatrix combine_votes(const std::vector<std::vector<Index>>& subsets,
                          const std::vector<ScoreMatrix>& subset_scores, Index num_labels,
                          std::vector<Index>* uncovered = nullptr);

class Rakel : public Model {
 public:
  struct Params {
    std::string variant = "d";
    std::int64_t k = 3;
    std::int64_t m = 0;
    std::uint64_t seed_offset = 0;
    LabelPowerset::Params lp;  ///< each subset's LP (C, tol, max_iter, max_classes)
    template <class V>
    void visit(V& v) {
      v("variant", variant, "d (disjoint subsets) | o (m overlapping subsets, votes averaged)");
      v("k", k, "labels per subset");
      v("m", m, "subsets for variant o; 0 = 2L (capped by C(L, k))");
      v("seed_offset", seed_offset, "added to the run seed to draw the subsets");
      lp.visit(v);
    }
    void validate() const;
  };

  explicit Rakel(const Params& params) : params_(params) {}
  std::string name() const override { return "rakel"; }
  void fit(const Dataset& train, const Context& ctx) override;
  ScoreMatrix predict_scores(const Dataset& data, const Context& ctx) const override;
  void save_state(ModelState& state) const override;
  void load_state(const ModelState& state) override;

  /// The subsets of the last fit().
  const std::vector<std::vector<Index>>& subsets() const { return subsets_; }

 private:
  Params params_;
  std::vector<std::vector<Index>> subsets_;
  std::vector<PowersetClassifier> models_;
  Index num_labels_ = -1;
};

}  // namespace lg::models
