#pragma once
// Binary relevance (reference doc §5): one linear model per label, all labels fitted as one
// batched problem (models/linear_learner.hpp). Registered as `br`.
//
// The features are used as given: standardise them first (data/standardize.hpp) when the
// parity with scikit-learn's lbfgs (which stops after max_iter iterations) matters.
#include <string>
#include <vector>

#include "models/linear_learner.hpp"
#include "models/model.hpp"

namespace lg::models {

/// The base-learner parameters shared by br, cc and ecc.
struct LearnerParams {
  std::string learner = "lr";         ///< "lr" (logistic regression) or "svm" (squared hinge)
  double C = 1.0;                     ///< inverse L2 regularisation strength
  std::string class_weight = "none";  ///< "none" or "balanced" (n / (2 n_c))
  double tol = 1e-4;                  ///< per-label gradient max-norm tolerance
  int max_iter = 100;                 ///< L-BFGS iterations per label

  template <class V>
  void visit(V& v) {
    v("learner", learner, "lr (logistic regression, sklearn lbfgs) | svm (squared hinge)");
    v("C", C, "inverse L2 regularisation strength (> 0)");
    v("class_weight", class_weight, "none | balanced (n / (2 n_c) per label)");
    v("tol", tol, "stop a label when max |gradient| <= tol");
    v("max_iter", max_iter, "L-BFGS iterations per label");
  }
  /// Throws lg::Error naming the bad value.
  void validate() const;
  LinearOptions options(int threads) const;
};

/// Notes for a fit: constant labels (with their score) and labels that hit max_iter.
std::vector<std::string> fit_notes(const LinearFit& fit, const std::vector<std::string>& names,
                                   int max_iter, const std::string& what);

/// A LinearFit in a model file's state, its arrays and values under `prefix`.
void save_linear_fit(ModelState& state, const std::string& prefix, const LinearFit& fit);
/// Reads it back; throws lg::Error (a damaged file) when the parts disagree in size.
void load_linear_fit(const ModelState& state, const std::string& prefix, LinearFit& fit);

class BinaryRelevance : public Model {
 public:
  using Params = LearnerParams;
  explicit BinaryRelevance(const Params& params) : params_(params) {}

  std::string name() const override { return "br"; }
  void fit(const Dataset& train, const Context& ctx) override;
  ScoreMatrix predict_scores(const Dataset& data, const Context& ctx) const override;
  void save_state(ModelState& state) const override;
  void load_state(const ModelState& state) override;

 private:
  Params params_;
  LinearFit fit_;
  bool fitted_ = false;
};

}  // namespace lg::models
