#pragma once
// The graph convolution of ML-GCN (Chen et al., CVPR 2019) and the label GCN built from it
// (reference doc §4). Included only by src/nets .cpp files and tests/nets: it needs torch.
//
// Initialisation follows the reference `reset_parameters`: every weight (and bias) entry is
// uniform in [-1/sqrt(out), 1/sqrt(out)]. It draws from a CPU generator seeded by the caller, so
// the same seed gives the same weights on every machine; move the module with .to(device) after.
#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace lg::nets {

/// One layer: H' = adj · (H · W) (+ b). No activation: the caller chooses it.
class GraphConvolutionImpl : public torch::nn::Module {
 public:
  /// `seed` feeds the CPU generator used by reset_parameters.
  GraphConvolutionImpl(int64_t in_features, int64_t out_features, bool with_bias = false,
                       uint64_t seed = 0);

  /// Redraw the weights uniform(-1/sqrt(out), 1/sqrt(out)) from a generator seeded with `seed`.
  void reset_parameters(uint64_t seed);

  /// input: L x in, adj: L x L (any of the §4 propagation matrices) -> L x out.
  at::Tensor forward(const at::Tensor& input, const at::Tensor& adj);

  int64_t in_features() const { return weight.size(0); }
  int64_t out_features() const { return weight.size(1); }

  /// in x out, registered as "weight" (as in the reference state_dict)
  at::Tensor weight;
  /// length out, registered as "bias"; undefined when the layer has no bias. (The reference
  /// stores it as 1 x 1 x out: reshape when importing such a checkpoint.)
  at::Tensor bias;
};
TORCH_MODULE(GraphConvolution);

struct LabelGcnOptions {
  /// size of a label's input vector (300 for GloVe, L for one-hot)
  int64_t in_features = 300;
  /// width of every hidden layer (1024 in ML-GCN)
  int64_t hidden_features = 1024;
  /// size of a label's output vector = the image feature size (2048 for ResNet-101)
  int64_t out_features = 2048;
  /// number of graph convolutions (>= 1); ML-GCN uses 2
  int depth = 2;
  /// negative slope of the LeakyReLU between layers (ML-GCN: 0.2)
  double negative_slope = 0.2;
  /// give every layer a bias (ML-GCN: no)
  bool bias = false;
  /// layer k is initialised from seed + k, so layers differ yet the whole is reproducible
  uint64_t seed = 0;
};

/// `depth` graph convolutions in -> hidden -> ... -> out with LeakyReLU between layers and
/// none after the last. Layers are registered as "gc1", "gc2", ... like the reference model.
class LabelGcnImpl : public torch::nn::Module {
 public:
  /// Throws lg::Error if a size is < 1 or depth < 1.
  explicit LabelGcnImpl(const LabelGcnOptions& options);

  /// label_inputs: L x in, adj: L x L -> L x out (one classifier row per label).
  at::Tensor forward(const at::Tensor& label_inputs, const at::Tensor& adj);

  const LabelGcnOptions& options() const { return options_; }
  const std::vector<GraphConvolution>& layers() const { return layers_; }

 private:
  LabelGcnOptions options_;
  std::vector<GraphConvolution> layers_;
};
TORCH_MODULE(LabelGcn);

}  // namespace lg::nets
