#pragma once
// Label powerset (reference doc §5): every distinct training label set is one class of a
// multinomial logistic regression (models/softmax_regression.hpp).
//
// Scores: the marginal of each label under the predicted class distribution,
//   score(label j) = sum over classes c of P(c | x) [j in c],
// so a score is a probability in [0, 1]: the runner's 0.5 threshold means "more likely than
// not" and ranking measures see a graded order. Thresholding the marginals need not give the
// most probable label set (the argmax class), and may give an unseen set; the class
// distribution itself only puts mass on sets seen in training.
//
// A training set with a single distinct label set gives constant scores (that set) and a note.
// PowersetClassifier is the reusable part (rakel and lp-communities fit one per label subset).
#include <cstdint>
#include <string>
#include <vector>

#include "models/model.hpp"
#include "models/softmax_regression.hpp"

namespace lg::models {

/// Base-learner settings shared by lp, rakel and lp-communities.
struct PowersetOptions {
  double C = 1.0;                  ///< inverse L2 strength of the softmax regression
  double tol = 1e-4;               ///< L-BFGS gradient tolerance
  int max_iter = 100;              ///< L-BFGS iterations at most
  std::int64_t max_classes = 2048; ///< refuse more distinct label sets than this
};

/// LP on the columns of one label matrix; no Model interface (no names, no registry).
class PowersetClassifier {
 public:
  /// Fit on features `x` and the N x Ls label matrix `y` (a subset of the labels, or all).
  /// `what` names the caller in errors and notes ("lp", "rakel subset 3", ...).
  /// Throws lg::Error naming the count when y has more than max_classes distinct rows.
  void fit(const Dataset& x, const LabelMatrix& y, const PowersetOptions& options, int threads,
           const std::string& what);
  /// N x Ls marginal label probabilities.
  ScoreMatrix predict(const Dataset& x, int threads) const;

  /// The distinct label sets (K x Ls, row k = class k, in order of first appearance).
  const LabelMatrix& classes() const { return classes_; }
  const SoftmaxRegression& regression() const { return regression_; }
  /// Constant predictions, solver trouble.
  const std::vector<std::string>& notes() const { return notes_; }
  /// The fitted state in a model file (under `prefix`), and back.
  void save(ModelState& state, const std::string& prefix) const;
  void load(const ModelState& state, const std::string& prefix);

 private:
  LabelMatrix classes_;
  SoftmaxRegression regression_;
  std::vector<std::string> notes_;
};

/// Distinct rows of `y` in order of first appearance (K x Ls) and each row's class id.
/// Throws lg::Error when there are more than `max_classes` (0 = no limit).
LabelMatrix distinct_label_sets(const LabelMatrix& y, std::vector<int>& class_of_row,
                                std::int64_t max_classes, const std::string& what);

class LabelPowerset : public Model {
 public:
  struct Params {
    double C = 1.0;
    double tol = 1e-4;
    std::int64_t max_iter = 100;
    std::int64_t max_classes = 2048;
    template <class V>
    void visit(V& v) {
      v("C", C, "inverse L2 regularisation strength of the (each) softmax regression");
      v("tol", tol, "L-BFGS stopping tolerance (gradient norm)");
      v("max_iter", max_iter, "L-BFGS iterations at most");
      v("max_classes", max_classes, "refuse more distinct label sets (per LP)");
    }
    void validate() const;
    PowersetOptions options() const;
  };

  explicit LabelPowerset(const Params& params) : params_(params) {}
  std::string name() const override { return "lp"; }
  void fit(const Dataset& train, const Context& ctx) override;
  ScoreMatrix predict_scores(const Dataset& data, const Context& ctx) const override;
  void save_state(ModelState& state) const override;
  void load_state(const ModelState& state) override;

  const PowersetClassifier& classifier() const { return classifier_; }

 private:
  Params params_;
  PowersetClassifier classifier_;
  Index num_labels_ = -1;
};

/// Checks shared by the powerset family (throws lg::Error(message)).
void validate_powerset_options(const PowersetOptions& options);

/// One PowersetClassifier per label subset (column indices into train.labels), for rakel and
/// lp-communities. With at least `threads` subsets the models are fitted side by side, one
/// thread each; with fewer, one after another with `threads` each. Notes are prefixed with
/// `what` and the subset number. Throws the error of the lowest-numbered failing subset.
std::vector<PowersetClassifier> fit_label_subsets(const Dataset& train,
                                                  const std::vector<std::vector<Index>>& subsets,
                                                  const PowersetOptions& options, int threads,
                                                  const std::string& what);
/// Each model's N x |subset| marginals, parallel as above.
std::vector<ScoreMatrix> predict_label_subsets(const std::vector<PowersetClassifier>& models,
                                               const Dataset& x, int threads);
/// The subsets and their models in a model file's state, and back (checks the labels are in
/// [0, num_labels) and each model's width is its subset's size).
void save_label_subsets(ModelState& state, const std::vector<std::vector<Index>>& subsets,
                        const std::vector<PowersetClassifier>& models);
void load_label_subsets(const ModelState& state, Index num_labels,
                        std::vector<std::vector<Index>>& subsets,
                        std::vector<PowersetClassifier>& models);

}  // namespace lg::models
