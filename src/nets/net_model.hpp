#pragma once
// The neural multi-label models, their one training loop and their one checkpoint format. The
// header needs no torch: the network lives behind a pointer.
//
// A network is a backbone (nets/feature_backbone.hpp: the MLP encoder for feature rows, the
// small ResNet or a TorchScript module for images) and a head (nets/head.hpp; one file per head
// under nets/heads/, each registering its model name): mlp-br and cnn-br (a linear head), mlgcn,
// and the label-correlation heads of nets/heads/heads.hpp.
//
//   encoder  feature data: x (standardised with the training rows' statistics) ->
//            [Linear -> ReLU -> Dropout] per entry of `hidden` -> f(x), F = hidden.back()
//            (non-negative, like ML-GCN's max-pooled CNN feature)
//            image data (Dataset::images): the CNN backbone of nets/backbone.hpp (or a
//            TorchScript one), globally max- or average-pooled -> f(x), F its feature size;
//            images are resized / cropped / flipped / normalised by data/image_transforms.hpp
//            (random crop and flip in training when `augment`, the centre in evaluation)
//   mlp-br   logits = f(x) W + b     (feature data; W: F x L, one sigmoid output per label)
//   cnn-br   the same on image data (ML-GCN's baseline: a CNN with a linear head)
//   mlgcn    Z = GCN(label inputs, Â)  (L x F)        logits = f(x) Zᵀ (+ b with label_bias)
//            the GCN of nets/gcn.hpp: gcn_depth layers in -> gcn_hidden -> ... -> F, LeakyReLU
//            0.2 between layers, no bias (Chen et al. 2019 and reference doc §4).
//
// Label inputs: one-hot (L x L identity), the rows of an embeddings file (io/embeddings_reader),
// or spectral embeddings (graph/spectral_embedding) of the `spectral_weighting` graph of the
// training labels.
// Adjacency: graph/weighting's `adjacency` builder on the training rows' co-occurrence (the
// validation rows are training rows too: the graph never sees a test row). `propagation` says
// what Â is:
//   none  the builder's matrix as it is
//   kipf  D^-1/2 (A + I) D^-1/2, D = row sums of A + I (Kipf & Welling 2017)
//   row   (A + I) / row sums
//   auto  none for identity, mlgcn-reweighted and mlgcn-reference (they are propagation
//         matrices already: self-loops and normalisation are part of their recipe), kipf for the
//         rest (e.g. mlgcn-binary, whose diagonal is 0 and would otherwise drop a label's own
//         input).
//
// Training: mini-batches of shuffled training rows; the loss of nets/losses.hpp; SGD with
// momentum, Adam or AdamW with one learning rate for the encoder and head and `lr_gcn` for the
// GCN; step or cosine schedule per epoch; gradient-norm clipping. With validation_fraction > 0
// a random part of the training rows is held out: every epoch records its loss and mAP, training
// stops after `patience` epochs without a better mAP, and the best epoch's weights are kept.
//
// Determinism: initial weights, the validation split, each epoch's row order and dropout masks
// are drawn from generators seeded from ctx.seed (and the epoch), never from LibTorch's global
// generator. Same data, seed, thread count and device -> identical scores. A resumed run redraws
// the epoch's generators from (seed, epoch) and so continues exactly as an uninterrupted one.
//
// Checkpoints (torch archive): the algorithm and its resolved parameters, label and feature
// names, standardisation, the network (incl. label inputs and Â), optimiser state, epoch,
// early-stopping state with the best weights, the history, a fingerprint of the training
// data, and, when saved in the middle of an epoch (a state file), the batches done, their loss
// sum and the dropout generator's state. Loading for prediction refuses another feature width or label set; resuming refuses
// other parameters or data.
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "core/nets_loader.hpp"
#include "models/model.hpp"
#include "models/params.hpp"
#include "nets/net_params.hpp"

namespace lg::nets {

class HeadFactory;  // nets/head.hpp

/// What a network model is made of besides its head.
struct NetSpec {
  std::string algorithm;                   ///< the registered name
  EncoderParams encoder;                   ///< feature rows: the MLP encoder
  std::optional<BackboneParams> backbone;  ///< images: the CNN (none: feature rows only)
  bool reads_rows = true;                  ///< false: images only (cnn-br)
  TrainParams train;                       ///< loss, optimiser, schedule, stopping
  std::string params_toml;                 ///< every resolved parameter (checkpoints, resume)
};

/// The NetSpec of a model whose parameter struct P has `train` and, when it reads them,
/// `encoder` (feature rows) and/or `backbone` (images).
template <class P>
NetSpec net_spec(const std::string& algorithm, const P& p);

class NetModel : public models::Model {
 public:
  ~NetModel() override;

  std::string name() const override { return spec_.algorithm; }
  /// Train from scratch, no checkpoints (the runner's path).
  void fit(const Dataset& train, const Context& ctx) override;
  ScoreMatrix predict_scores(const Dataset& data, const Context& ctx) const override;
  const report::TrainingHistory* training_history() const override;
  /// f(x) of the trained network (eval mode: no dropout, centre crops), N x F.
  Dataset learned_features(const Dataset& data, const Context& ctx) const override;

  /// train() with the session (the runner's state file and stop signals).
  void fit_resumable(const Dataset& data, const Context& ctx, const TrainSession& session) override {
    train(data, ctx, session);
  }

  /// Train with checkpoints, a resume, and/or a state file (core/train_session.hpp: continued
  /// when it fits, else a fresh start with a note; saved by its rules and, inside a DeferredStop
  /// scope, on a stop signal at the next batch boundary, which then throws lg::Stopped).
  /// Stopped at any batch boundary and continued, it ends exactly as an uninterrupted run: the
  /// same weights, scores and history (but its seconds).
  void train(const Dataset& train, const Context& ctx, const TrainSession& session);
  /// Write the trained model as a checkpoint (atomically). Throws lg::Error before fit().
  void save(const std::filesystem::path& path) const;
  /// A model from a checkpoint, ready to predict (or to resume through train()).
  static std::unique_ptr<NetModel> load(const std::filesystem::path& path);

  /// Parameters of the trained network (backbone and head), 0 before training.
  std::int64_t parameter_count() const;
  /// Parameters, and multiply-adds of one forward pass per row / image (backbone + head).
  std::optional<Cost> cost() const override;
  /// What builds the model's head (nets/head.hpp): for tests and benchmarks.
  const HeadFactory& head_factory() const { return *head_; }

  struct State;  // the network, optimiser and training state (nets/net_state.hpp)

 protected:
  NetModel(NetSpec spec, std::shared_ptr<const HeadFactory> head);

 private:
  /// Refuse data the model cannot read (images for mlp-br, feature rows for cnn-br, feature
  /// rows for a head that needs a spatial map).
  void check_input_kind(const Dataset& data) const;
  /// A fresh network and optimiser for `data`.
  void start(const Dataset& data, const Context& ctx);

  NetSpec spec_;
  std::shared_ptr<const HeadFactory> head_;
  std::unique_ptr<State> state_;
};

/// Â for mlgcn from the training rows' labels: the `adjacency` builder, then `propagation`
/// (rules above). `notes` (optional) receives what the build did, for the model's notes.
Adjacency gcn_propagation(const Dataset& train, const GcnParams& gcn, const Context& ctx,
                          std::vector<std::string>* notes = nullptr);

/// Registers every network model (the plugin's NetsApi::register_models).
void register_net_models();

namespace detail {
template <class P, class = void>
struct has_encoder : std::false_type {};
template <class P>
struct has_encoder<P, std::void_t<decltype(std::declval<P>().encoder)>> : std::true_type {};
template <class P, class = void>
struct has_backbone : std::false_type {};
template <class P>
struct has_backbone<P, std::void_t<decltype(std::declval<P>().backbone)>> : std::true_type {};
}  // namespace detail

template <class P>
NetSpec net_spec(const std::string& algorithm, const P& p) {
  NetSpec s;
  s.algorithm = algorithm;
  if constexpr (detail::has_encoder<P>::value) s.encoder = p.encoder;
  else s.reads_rows = false;
  if constexpr (detail::has_backbone<P>::value) s.backbone = p.backbone;
  s.train = p.train;
  std::ostringstream text;
  text << models::params_to_toml(p);
  s.params_toml = text.str();
  return s;
}

}  // namespace lg::nets
