#include "nets/torchscript_backbone.hpp"

#include <torch/torch.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "nets/backbone.hpp"

namespace lg::nets {
namespace {

const std::string kPrefix = "torchscript:";

/// Torch's messages run to many lines (a backtrace, the TorchScript call stack): keep the first
/// line, which says what failed, and the last, which says why (e.g. "RuntimeError: ...").
std::string summary(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
  if (lines.empty()) return "(no message)";
  if (lines.size() == 1) return lines.front();
  const std::string& last = lines.back();
  return lines.front() + " ... " + last.substr(last.find_first_not_of(" \t"));
}

std::string torch_message(const std::exception& e) {
  if (const auto* c10 = dynamic_cast<const c10::Error*>(&e))
    return summary(c10->what_without_backtrace());
  return summary(e.what());
}

void validate(const TorchScriptOptions& o) {
  if (o.pooling != "max" && o.pooling != "avg")
    throw Error(fmt::format("pooling = \"{}\" is not one of: max, avg", o.pooling));
  if (o.probe_size < 1) throw Error(fmt::format("probe_size = {} must be >= 1", o.probe_size));
}

/// Loads from `in`, turning torch's exceptions into an lg::Error naming `source`.
torch::jit::Module load_module(std::istream& in, const std::string& source) {
  try {
    return torch::jit::load(in, at::Device(at::kCPU));
  } catch (const std::exception& e) {
    throw Error(source, 0,
                "not a readable TorchScript archive (torch::jit::load: " + torch_message(e) + ")");
  }
}

}  // namespace

std::optional<std::string> torchscript_path(const std::string& backbone) {
  if (backbone.compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  std::string path = backbone.substr(kPrefix.size());
  if (path.empty())
    throw Error("backbone = \"torchscript:\" names no file; expected torchscript:PATH");
  return path;
}

TorchScriptBackbone::TorchScriptBackbone(const std::string& path,
                                         const TorchScriptOptions& options)
    : TorchScriptBackbone(
          [&] {
            validate(options);
            namespace fs = std::filesystem;
            std::error_code ec;
            if (!fs::exists(path, ec)) throw Error(path, 0, "TorchScript file not found");
            if (fs::is_directory(path, ec))
              throw Error(path, 0, "is a folder; expected a TorchScript file (.pt)");
            std::ifstream in(path, std::ios::binary);
            if (!in) throw Error(path, 0, "cannot open the TorchScript file for reading");
            return load_module(in, path);
          }(),
          path, options) {}

TorchScriptBackbone TorchScriptBackbone::from_bytes(const std::string& bytes,
                                                    const TorchScriptOptions& options,
                                                    const std::string& origin) {
  validate(options);
  if (bytes.empty()) throw Error(origin, 0, "empty TorchScript archive");
  std::istringstream in(bytes);
  return TorchScriptBackbone(load_module(in, origin), origin, options);
}

TorchScriptBackbone::TorchScriptBackbone(torch::jit::Module module, std::string source,
                                         const TorchScriptOptions& options)
    : module_(std::move(module)), source_(std::move(source)), options_(options) {
  validate(options_);
  if (!module_.find_method("forward"))
    throw Error(source_, 0, "the TorchScript module has no forward method");
  // Measure the feature size once, in eval mode (batch norm on running statistics, so a batch
  // of one is fine) and without autograd; the module then stays in eval mode.
  module_.eval();
  {
    torch::NoGradGuard no_grad;
    const at::Tensor probe =
        torch::zeros({1, 3, options_.probe_size, options_.probe_size}, torch::kFloat32);
    at::Tensor maps;
    feature_size_ = features(probe, "probe", &maps).size(1);
    gives_maps_ = maps.defined();
  }
  set_frozen(options_.frozen);
}

at::Tensor TorchScriptBackbone::features(const at::Tensor& images, const char* what,
                                         at::Tensor* maps) {
  if (images.dim() != 4 || images.size(1) != 3)
    throw Error(source_, 0,
                fmt::format("{}: expected images N x 3 x H x W, got a {}-D tensor with {} channels",
                            what, images.dim(), images.dim() > 1 ? images.size(1) : 0));
  torch::jit::IValue out;
  try {
    out = module_.forward({images});
  } catch (const std::exception& e) {
    throw Error(source_, 0,
                fmt::format("{}: the module's forward failed on {} x 3 x {} x {} images: {}", what,
                            images.size(0), images.size(2), images.size(3), torch_message(e)));
  }
  if (!out.isTensor())
    throw Error(source_, 0, fmt::format("{}: forward returned a {}, expected a tensor", what,
                                        out.tagKind()));
  at::Tensor result = out.toTensor();
  if (result.dim() != 2 && result.dim() != 4)
    throw Error(source_, 0,
                fmt::format("{}: forward returned a {}-D tensor; expected N x C x H x W feature "
                            "maps (4-D, pooled here) or N x F features (2-D)",
                            what, result.dim()));
  if (result.size(0) != images.size(0))
    throw Error(source_, 0, fmt::format("{}: forward returned {} rows for {} images", what,
                                        result.size(0), images.size(0)));
  if (result.dim() == 4) {
    if (maps) *maps = result;
    result = global_pool(result, options_.pooling);
  }
  if (feature_size_ > 0 && result.size(1) != feature_size_)
    throw Error(source_, 0,
                fmt::format("{}: {} features, but the probe image gave {} (the feature size "
                            "must not depend on the image size)",
                            what, result.size(1), feature_size_));
  return result;
}

at::Tensor TorchScriptBackbone::forward(const at::Tensor& images) {
  if (options_.frozen) {
    torch::NoGradGuard no_grad;  // nothing to train: no graph to keep
    return features(images, "forward");
  }
  return features(images, "forward");
}

TorchScriptBackbone::Output TorchScriptBackbone::run(const at::Tensor& images, bool want_maps) {
  if (want_maps && !gives_maps_)
    throw Error(source_, 0, "the module returns pooled N x F features; this head needs its "
                            "N x C x H x W feature maps (export the network without its pooling)");
  std::optional<torch::NoGradGuard> no_grad;
  if (options_.frozen) no_grad.emplace();  // nothing to train: no graph to keep
  Output out;
  out.pooled = features(images, "forward", want_maps ? &out.maps : nullptr);
  return out;
}

void TorchScriptBackbone::train(bool on) {
  if (!options_.frozen) module_.train(on);
}

void TorchScriptBackbone::set_frozen(bool frozen) {
  options_.frozen = frozen;
  for (at::Tensor p : module_.parameters()) p.set_requires_grad(!frozen);
  if (frozen) module_.eval();
}

void TorchScriptBackbone::to(const at::Device& device) {
  module_.to(device);
  device_ = device;
}

std::vector<at::Tensor> TorchScriptBackbone::parameters() const {
  std::vector<at::Tensor> out;
  for (const at::Tensor& p : module_.parameters()) out.push_back(p);
  return out;
}

std::string TorchScriptBackbone::to_bytes() const {
  std::ostringstream out;
  module_.save(out);
  return out.str();
}

}  // namespace lg::nets
