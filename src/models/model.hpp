#pragma once
// The one interface every multi-label method implements (classical ones here, neural ones in
// src/nets): fit on a training set, then score a set of rows. Constructors do not train.
//
//   * fit() reads the training features and labels; predict_scores() reads features only
//     (a test set's labels are never looked at).
//   * Scores are N x L, higher = more relevant, in [0, 1] (probability-like), so the runner's
//     default threshold 0.5 means the same for every method.
//   * Everything random derives from ctx.seed; ctx.threads bounds the threads used. Same data,
//     same seed, same thread count -> bit-identical scores.
//   * A label with no positive (or no negative) in training gets a stated constant score
//     (0 or 1) instead of a fitted model; fit() records that in notes().
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "core/dataset.hpp"
#include "core/error.hpp"
#include "core/train_session.hpp"
#include "report/training_history.hpp"

namespace lg::models {

class ModelState;  // models/model_file.hpp

class Model {
 public:
  virtual ~Model() = default;
  /// The registry name ("br", "cc", ...).
  virtual std::string name() const = 0;
  /// Train on `train` (features + labels). Throws lg::Error on unusable input.
  virtual void fit(const Dataset& train, const Context& ctx) = 0;
  /// Train with a session (core/train_session.hpp: a state file to continue from and keep
  /// current, a stop signal's save). Models fitted in one go ignore the session: fit().
  virtual void fit_resumable(const Dataset& train, const Context& ctx, const TrainSession& session) {
    (void)session;
    fit(train, ctx);
  }
  /// N x L scores for the rows of `data` (features only). Call after fit().
  virtual ScoreMatrix predict_scores(const Dataset& data, const Context& ctx) const = 0;
  /// What fit() did that a reader of the results should know (constant labels, fallbacks).
  const std::vector<std::string>& notes() const { return notes_; }
  /// Epoch-by-epoch record of an iteratively trained model (the neural ones); nullptr for
  /// models fitted in one go.
  virtual const report::TrainingHistory* training_history() const { return nullptr; }
  /// Size and cost of a trained network (the neural models); nullopt for the others.
  struct Cost {
    std::int64_t parameters = 0;     ///< trained and frozen parameters
    std::int64_t multiply_adds = 0;  ///< of one forward pass per row / image; 0 = unknown
  };
  virtual std::optional<Cost> cost() const { return std::nullopt; }
  /// The representation a trained network computes for the rows of `data` (pooled CNN
  /// features, or the MLP encoder's output) as a feature data set with `data`'s labels, so
  /// that another method can be fitted on it. Models that learn none throw lg::Error.
  virtual Dataset learned_features(const Dataset& data, const Context& ctx) const {
    (void)data;
    (void)ctx;
    throw Error(name() + " learns no features another method could use");
  }
  /// Write the fitted state into a labelgraph model file (models/model_file.hpp). Every
  /// classical model implements it; neural models are saved as LibTorch checkpoints instead
  /// (nets_api().save), so the default throws lg::Error.
  virtual void save_state(ModelState& state) const;
  /// Read the state save_state() wrote into a model created with the same parameters; after
  /// it, predict_scores() gives the saved model's scores bit for bit. Throws lg::Error naming
  /// the file when the state is damaged.
  virtual void load_state(const ModelState& state);
  /// The resolved parameters (every key, defaults included) as TOML text, set by make_model().
  const std::string& resolved_params() const { return resolved_params_; }
  void set_resolved_params(std::string toml_text) { resolved_params_ = std::move(toml_text); }
  /// The fit's notes, as a model file recorded them.
  void restore_notes(std::vector<std::string> notes) { notes_ = std::move(notes); }

 protected:
  std::vector<std::string> notes_;

 private:
  std::string resolved_params_;
};

using ModelPtr = std::unique_ptr<Model>;

}  // namespace lg::models
