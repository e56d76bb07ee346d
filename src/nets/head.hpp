#pragma once
// The second half of every network: a Head turns a backbone's output (nets/feature_backbone.hpp),
// the label inputs and the label graph into B x C logits. One file per head under nets/heads/,
// each registering its model name (nets/heads/heads.hpp). Included only by src/nets .cpp files
// and tests/nets: it needs torch.
//
// A head is built by its HeadFactory in two steps, so that a checkpoint can rebuild it without
// the training data:
//   label_side(train, ctx)  what it needs from the training rows: label inputs (C x E: one-hot,
//                           embeddings or spectral) and/or the label graph (C x C), built once
//   make(shape, side, ...)  the module, its weights drawn from `gen` and seeds derived from
//                           `seed`; the label side is kept in the module as buffers
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>

#include "core/context.hpp"
#include "core/dataset.hpp"
#include "nets/feature_backbone.hpp"
#include "nets/net_params.hpp"

namespace lg::nets {

/// What a head knows of the label side: both may be undefined when a head needs neither.
struct LabelSide {
  at::Tensor inputs;     ///< C x E label inputs
  at::Tensor adjacency;  ///< C x C label graph (already propagated where the head says so)
  std::string script;    ///< a TorchScript head's module as bytes (read from its file, or a checkpoint)
};

/// The shapes a head is built for.
struct HeadShape {
  int64_t features = 0;  ///< F: the backbone's feature size (channels of its map)
  int64_t labels = 0;    ///< C
};

/// One forward pass in training: the scores the loss sees and any extra loss term.
struct HeadOutput {
  at::Tensor logits;                     ///< B x C, the scores evaluated (sigmoid -> probabilities)
  std::vector<at::Tensor> train_logits;  ///< if not empty: each gets the loss instead of `logits`
  at::Tensor extra_loss;                 ///< a scalar added to the loss (undefined: none)
};

class HeadImpl : public torch::nn::Module {
 public:
  /// B x C logits from the backbone's output (map defined when needs_map()). `dropout_gen`
  /// draws dropout masks in training mode (may be null: none).
  virtual at::Tensor forward(const BackboneOutput& x, at::Generator* dropout_gen) = 0;
  /// The training pass; by default forward()'s logits alone.
  virtual HeadOutput train_forward(const BackboneOutput& x, at::Generator* dropout_gen) {
    return {forward(x, dropout_gen), {}, at::Tensor()};
  }
  /// The head reads the spatial map, not only the pooled features.
  virtual bool needs_map() const { return false; }
  /// Parameters trained at `lr_gcn` (the label graph's side); the rest at `lr`.
  virtual std::vector<at::Tensor> graph_parameters() { return {}; }
  /// A TorchScript head's module with its current weights, as bytes (checkpoints); "" for others.
  virtual std::string script_bytes() const { return {}; }
  /// Multiply-adds of one forward pass for a batch of `batch` rows (the label side included,
  /// once per batch), for the thread policy and the reports; map_positions = H x W (1 without).
  virtual int64_t multiply_adds(int64_t batch, int64_t map_positions) const = 0;
};

/// Builds one kind of head. Registered models hold one (nets/heads/heads.hpp).
class HeadFactory {
 public:
  virtual ~HeadFactory() = default;
  /// The head's config name (as in the algorithm list), for messages.
  virtual std::string name() const = 0;
  /// The head reads the spatial map: refused on feature rows (one line naming what it needs).
  virtual bool needs_map() const { return false; }
  /// Label inputs and graph from the training rows; `notes` receives what was built.
  virtual LabelSide label_side(const Dataset& train, const Context& ctx,
                               std::vector<std::string>& notes) const;
  /// Zero tensors of label_side's shapes (`input_dim` = E), for a checkpoint to load into.
  virtual LabelSide empty_label_side(int64_t labels, int64_t input_dim) const;
  virtual std::shared_ptr<HeadImpl> make(const HeadShape& shape, const LabelSide& side,
                                         at::Generator& gen, std::uint64_t seed) const = 0;
};

/// C x E label inputs from the training rows: one-hot (identity), an embeddings file, or
/// spectral embeddings of the `spectral_weighting` graph built with `graph`'s tau and p.
at::Tensor label_input_matrix(const Dataset& train, const LabelInputParams& params,
                              const graph::LabelGraphSpec& graph, const Context& ctx,
                              std::vector<std::string>& notes);

/// The propagation matrix of `spec` on the training rows (graph/build_label_graph); `notes`
/// (optional) receives what the build did.
Adjacency label_graph_matrix(const Dataset& train, const graph::LabelGraphSpec& spec,
                             const Context& ctx, std::vector<std::string>* notes);

/// Logits f · rowsᵀ (+ b when defined): the linear classifiers of mlp-br, cnn-br and ML-GCN.
at::Tensor linear_logits(const at::Tensor& features, const at::Tensor& rows, const at::Tensor& b);

}  // namespace lg::nets
