#pragma once
// lp-communities: label-space partitioning by communities of the training label graph
// (in the spirit of Szymański et al. 2016, "How is a data-driven approach better than random
// choice in label space division for multi-label classification?"), then label powerset per
// block.
//
//   1. co-occurrence counts of the TRAINING labels (graph/cooccurrence.hpp), weighted by
//      `weighting` (graph/weighting.hpp; default npmi: pairs that co-occur more than chance
//      get positive weight, the rest are left out of modularity by graph/communities.hpp);
//   2. Leiden communities (modularity, `resolution`, seed ctx.seed);
//   3. one PowersetClassifier per community; a label alone in its community gets LP over
//      {0, 1}, i.e. a binary logistic regression (a label without positives a constant 0).
// Scores are each block's LP marginals, so every label gets exactly one score.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/weighting.hpp"
#include "models/label_powerset.hpp"
#include "models/model.hpp"

namespace lg::models {

/// The label blocks (communities, largest first, labels ascending) of a training label matrix.
/// `spec` is the label graph (build_label_graph); `notes` (may be null) receives its notes.
/// Throws lg::Error for a bad spec.
std::vector<std::vector<Index>> community_blocks(const LabelMatrix& labels,
                                                 const std::vector<std::string>& names,
                                                 const graph::LabelGraphSpec& spec,
                                                 double resolution, const Context& ctx,
                                                 std::vector<std::string>* notes = nullptr);

class CommunityPowerset : public Model {
 public:
  struct Params {
    graph::LabelGraphSpec graph = npmi();  ///< the label graph whose communities are the blocks
    double resolution = 1.0;
    LabelPowerset::Params lp;  ///< each block's LP (C, tol, max_iter, max_classes)
    /// The key of graph's builder (an experiment's `graph = "NAME"` fills it).
    static constexpr const char* kGraphWeightingKey = "weighting";
    static graph::LabelGraphSpec npmi() {
      graph::LabelGraphSpec s;
      s.weighting = "npmi";
      return s;
    }
    template <class V>
    void visit(V& v) {
      graph.visit(v, kGraphWeightingKey);
      v("resolution", resolution, "Leiden modularity resolution (larger = smaller blocks)");
      lp.visit(v);
    }
    void validate() const;
  };

  explicit CommunityPowerset(const Params& params) : params_(params) {}
  std::string name() const override { return "lp-communities"; }
  void fit(const Dataset& train, const Context& ctx) override;
  ScoreMatrix predict_scores(const Dataset& data, const Context& ctx) const override;
  void save_state(ModelState& state) const override;
  void load_state(const ModelState& state) override;

  /// The label blocks of the last fit().
  const std::vector<std::vector<Index>>& blocks() const { return blocks_; }

 private:
  Params params_;
  std::vector<std::vector<Index>> blocks_;
  std::vector<PowersetClassifier> models_;
  Index num_labels_ = -1;
};

}  // namespace lg::models
