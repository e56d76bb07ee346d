#pragma once
// The inside of a NetModel (nets/net_model.hpp): the network (backbone + head) and everything a
// checkpoint holds. Shared by the trainer (net_model.cpp) and the checkpoint code
// (net_checkpoint.cpp); included only by src/nets .cpp files.
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/optim/optimizer.h>

#include "data/image_transforms.hpp"
#include "nets/feature_backbone.hpp"
#include "nets/head.hpp"
#include "nets/net_model.hpp"
#include "report/training_history.hpp"

namespace lg::nets {

/// Backbone + head, registered as `backbone` and `head`. A TorchScript backbone is not a
/// torch::nn::Module: train/eval and device moves are forwarded to it here.
struct NetworkImpl : torch::nn::Module {
  NetworkImpl(std::shared_ptr<FeatureBackboneImpl> backbone_module,
              std::shared_ptr<HeadImpl> head_module);

  /// The backbone's output, with the map when the head needs it.
  BackboneOutput features(const at::Tensor& x, at::Generator* dropout_gen);
  /// B x C logits (evaluation and prediction).
  at::Tensor forward(const at::Tensor& x, at::Generator* dropout_gen) {
    return head->forward(features(x, dropout_gen), dropout_gen);
  }

  void train(bool on = true) override;
  void move_to(const torch::Device& device);

  /// Every trained parameter: the registered modules' and a fine-tuned TorchScript backbone's.
  std::vector<at::Tensor> all_parameters();
  /// Trained at lr: a fine-tuned TorchScript backbone's, then the registered ones that are not
  /// the head's graph parameters.
  std::vector<at::Tensor> base_parameters();
  /// Trained at lr_gcn: the head's graph side.
  std::vector<at::Tensor> graph_parameters() { return head->graph_parameters(); }
  /// A frozen TorchScript backbone: features are computed once and cached.
  bool frozen_backbone() { return backbone->script() && backbone->script()->frozen(); }

  std::shared_ptr<FeatureBackboneImpl> backbone;
  std::shared_ptr<HeadImpl> head;
};
TORCH_MODULE(Network);

/// Where a model's weights start: the backbone and head drawn from `seed` (the MLP and linear
/// layers from one generator seeded with it, in that order). `images` picks the image backbone.
Network make_network(const NetSpec& spec, const HeadFactory& head, bool images, Index features,
                     Index labels, const LabelSide& side,
                     std::shared_ptr<TorchScriptBackbone> script, std::uint64_t seed);

struct NetModel::State {
  torch::Device device{torch::kCPU};
  Network net{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  at::Tensor mean, scale;  // standardisation (on device); undefined = none
  std::vector<std::string> label_names, feature_names;
  Index label_input_dim = 0;
  std::uint64_t seed = 0;
  int trained_threads = 0;    // the thread count of the training that saved this state (0: unknown)
  std::string data_fingerprint;
  int epoch = 0;              // finished epochs
  // An unfinished epoch (number `epoch`, 0-based) saved at a batch boundary (a state file or a
  // stop): its batches done (0 = none: the state is at an epoch boundary), the loss sum of those
  // batches, its dropout generator's state (a CPU generator's get_state()) and its seconds so
  // far (for the history only). The row order and image seeds are recomputed from the seed.
  Index epoch_batches = 0;
  double epoch_loss_sum = 0;
  at::Tensor epoch_dropout_state;
  double epoch_seconds = 0;
  bool finished = false;
  double best_map = -1.0;
  int best_epoch = 0;
  int epochs_without_gain = 0;
  std::vector<at::Tensor> best_weights;  // parameters at the best epoch (on the CPU)
  report::TrainingHistory history;
  std::vector<std::string> notes;
  bool image_input = false;               // the network reads images (a backbone), not rows
  bool channels_last = false;             // batches in NHWC for a channels-last backbone
  ImageTransform train_transform, eval_transform;

  /// Feature rows of `d` as a tensor on the device, standardised when the model is.
  at::Tensor prepare(const Dataset& d) const;
  /// The backbone's output for every row of `d` in eval mode (centre crops, no dropout), on the
  /// device; the map too when the head needs it. Chunks bound the memory of the inputs and
  /// activations; images are prepared on the loader's thread while the network runs.
  BackboneOutput encoded(const Dataset& d, int threads) const;
  /// B x C logits for every row of `d` in eval mode.
  at::Tensor logits(const Dataset& d, int threads) const;
};

/// The image transform of a backbone in training (random crop / flip when augmenting) or
/// evaluation (the centre).
ImageTransform image_transform(const BackboneParams& b, bool training);
/// The TorchScript options of a backbone's parameters.
TorchScriptOptions script_options(const BackboneParams& b);

}  // namespace lg::nets
