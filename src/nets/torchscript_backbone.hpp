#pragma once
// A pretrained CNN backbone loaded from a TorchScript file (`backbone = "torchscript:PATH"`),
// so that published settings (e.g. ML-GCN's ResNet-101 on ImageNet weights) can be reproduced
// with weights exported from torchvision. Included only by src/nets .cpp files and tests/nets:
// it needs torch.
//
// What the module's forward(images N x 3 x H x W float) may return:
//   4-D  N x C x H' x W' feature maps -> pooled here by global_pool (max | avg): feature size C
//   2-D  N x F already-pooled features -> used as they are (the pooling option is ignored)
//   anything else (or not a tensor)    -> lg::Error
//
// Exporting torchvision's ResNet-101 (ImageNet weights) as feature maps, with python3-torch:
//
//   import torch, torchvision
//   net = torchvision.models.resnet101(weights="IMAGENET1K_V1")   # pretrained=True before 0.13
//   body = torch.nn.Sequential(*list(net.children())[:-2])       # drop avgpool and fc
//   body.eval()
//   torch.jit.trace(body, torch.zeros(1, 3, 448, 448)).save("resnet101.pt")  # or jit.script
//
// then `backbone = "torchscript:resnet101.pt"`, 448 x 448 images normalised with ImageNet's
// mean/std (ML-GCN's setting), pooling = "max". The file must have been saved by a torch whose
// TorchScript format LibTorch 1.13 reads (1.13 or older).
//
// Frozen mode (requires_grad off on every parameter, always eval, forward without autograd) is
// for "extract features once and train only the head": the caller may then cache forward()'s
// output per image. Unfrozen, parameters() are what an optimiser fine-tunes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/script.h>

namespace lg::nets {

/// The PATH of a `torchscript:PATH` backbone name, nullopt for any other name.
/// Throws lg::Error when PATH is empty.
std::optional<std::string> torchscript_path(const std::string& backbone);

struct TorchScriptOptions {
  std::string pooling = "max";   ///< max | avg, applied when the module returns feature maps
  int64_t probe_size = 224;      ///< S of the 1 x 3 x S x S zero image that measures feature_size
  bool frozen = false;           ///< no gradients, always eval (see set_frozen)
};

class TorchScriptBackbone {
 public:
  /// Loads PATH onto the CPU. Throws lg::Error naming the file when it is missing, is not a
  /// TorchScript archive, has no forward method, or gives neither 2-D nor 4-D output on the
  /// probe image; or for bad options.
  TorchScriptBackbone(const std::string& path, const TorchScriptOptions& options);
  /// The same from the bytes of to_bytes() (e.g. a string in a checkpoint); `origin` names the
  /// source in error messages.
  static TorchScriptBackbone from_bytes(const std::string& bytes, const TorchScriptOptions& options,
                                        const std::string& origin = "<checkpoint>");

  TorchScriptBackbone(TorchScriptBackbone&&) = default;
  TorchScriptBackbone& operator=(TorchScriptBackbone&&) = default;
  // A jit::Module copy shares its parameters: forbid copies rather than alias silently.
  TorchScriptBackbone(const TorchScriptBackbone&) = delete;
  TorchScriptBackbone& operator=(const TorchScriptBackbone&) = delete;

  /// images: N x 3 x H x W floats on device() -> N x feature_size() features.
  at::Tensor forward(const at::Tensor& images);
  /// The same, also returning the module's N x C x H' x W' maps when `want_maps` (heads that
  /// attend over positions). Throws lg::Error naming the file when the module gives 2-D output.
  struct Output {
    at::Tensor pooled;  ///< N x feature_size()
    at::Tensor maps;    ///< N x feature_size() x H' x W'; undefined unless asked for
  };
  Output run(const at::Tensor& images, bool want_maps);
  int64_t feature_size() const { return feature_size_; }
  /// The module returns feature maps (4-D), not pooled features.
  bool gives_maps() const { return gives_maps_; }

  /// Training mode (batch norm on batch statistics, dropout on). Ignored while frozen.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return module_.is_training(); }

  /// Frozen: requires_grad off on every parameter and eval mode; unfreezing turns
  /// requires_grad back on (every parameter) and leaves the mode at eval.
  void set_frozen(bool frozen);
  bool frozen() const { return options_.frozen; }

  void to(const at::Device& device);
  const at::Device& device() const { return device_; }

  /// Every parameter of the module (recursively), sharing storage with it: for an optimiser.
  std::vector<at::Tensor> parameters() const;

  /// The module (with its current, possibly fine-tuned weights and batch-norm statistics) as
  /// a TorchScript archive in memory; from_bytes reads it back.
  std::string to_bytes() const;

  /// The file it was loaded from, or from_bytes's origin.
  const std::string& source() const { return source_; }
  const TorchScriptOptions& options() const { return options_; }

 private:
  TorchScriptBackbone(torch::jit::Module module, std::string source,
                      const TorchScriptOptions& options);
  /// Runs forward and pools; `what` names the call in errors; `maps` receives the 4-D output.
  at::Tensor features(const at::Tensor& images, const char* what, at::Tensor* maps = nullptr);

  torch::jit::Module module_;
  std::string source_;
  TorchScriptOptions options_;
  at::Device device_{at::kCPU};
  int64_t feature_size_ = 0;
  bool gives_maps_ = false;
};

}  // namespace lg::nets
