#include "nets/net_params.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "graph/weighting.hpp"
#include "nets/losses.hpp"

namespace lg::nets {
namespace {

void require_one_of(const char* key, const std::string& value,
                    const std::vector<std::string>& accepted) {
  if (std::find(accepted.begin(), accepted.end(), value) == accepted.end())
    throw Error(fmt::format("{} = \"{}\" is not one of: {}", key, value, fmt::join(accepted, ", ")));
}

void require_range(const char* key, double value, double low, double high, bool high_open) {
  const bool ok = std::isfinite(value) && value >= low && (high_open ? value < high : value <= high);
  if (!ok)
    throw Error(fmt::format("{} = {} must be in [{}, {}{}", key, value, low, high,
                            high_open ? ")" : "]"));
}

void require_at_least(const char* key, double value, double low) {
  if (!std::isfinite(value) || value < low)
    throw Error(fmt::format("{} = {} must be a number >= {}", key, value, low));
}

void require_weighting(const char* key, const std::string& name) {
  require_one_of(key, name, graph::weighting_names());
}

}  // namespace

void EncoderParams::validate() const {
  if (hidden.empty()) throw Error("hidden must list at least one layer width");
  for (const std::int64_t width : hidden)
    if (width < 1) throw Error(fmt::format("hidden: layer widths must be >= 1, got {}", width));
  require_range("dropout", dropout, 0.0, 1.0, true);
}

std::string BackboneParams::torchscript_path() const {
  const std::string prefix = "torchscript:";
  return backbone.rfind(prefix, 0) == 0 ? backbone.substr(prefix.size()) : std::string();
}

void BackboneParams::validate() const {
  if (backbone != "resnet" && torchscript_path().empty())
    throw Error(fmt::format("backbone = \"{}\" is not resnet or torchscript:PATH", backbone));
  if (width < 1) throw Error(fmt::format("width = {} must be >= 1", width));
  if (depth < 1 || depth > 8) throw Error(fmt::format("depth = {} must be in 1..8", depth));
  require_one_of("pooling", pooling, {"max", "avg"});
  if (image_size < 8 || image_size > 2048)
    throw Error(fmt::format("image_size = {} must be in 8..2048", image_size));
  if (resize != 0 && resize < image_size)
    throw Error(fmt::format("resize = {} must be 0 or >= image_size ({})", resize, image_size));
  if (freeze && torchscript_path().empty())
    throw Error("freeze = true needs a pretrained backbone (backbone = \"torchscript:PATH\"): a "
                "resnet trained from pixels cannot be frozen at its random start");
  if (cache_mb < 0) throw Error(fmt::format("cache_mb = {} must be >= 0", cache_mb));
}

void LabelInputParams::validate() const {
  require_one_of("label_inputs", label_inputs, {"one-hot", "spectral", "embeddings"});
  if (label_inputs == "embeddings" && embeddings.empty())
    throw Error("label_inputs = \"embeddings\" needs embeddings = \"PATH\" (a `label v1 ... vd` file)");
  if (label_inputs != "embeddings" && !embeddings.empty())
    throw Error("embeddings is set but label_inputs is \"" + label_inputs +
                "\": say label_inputs = \"embeddings\" to use the file");
  if (spectral_dims < 1) throw Error(fmt::format("spectral_dims = {} must be >= 1", spectral_dims));
  require_weighting("spectral_weighting", spectral_weighting);
}

void GcnParams::validate() const {
  inputs.validate();
  graph.validate();
  if (gcn_hidden < 1) throw Error(fmt::format("gcn_hidden = {} must be >= 1", gcn_hidden));
  if (gcn_depth < 1) throw Error(fmt::format("gcn_depth = {} must be >= 1", gcn_depth));
}

void TrainParams::validate() const {
  require_one_of("loss", loss, loss_names());
  require_at_least("focal_gamma", focal_gamma, 0.0);
  if (focal_alpha >= 0.0) require_range("focal_alpha", focal_alpha, 0.0, 1.0, false);
  require_at_least("asl_gamma_neg", asl_gamma_neg, 0.0);
  require_at_least("asl_gamma_pos", asl_gamma_pos, 0.0);
  require_range("asl_clip", asl_clip, 0.0, 1.0, true);
  require_one_of("optimizer", optimizer, {"sgd", "adam", "adamw"});
  if (!(std::isfinite(lr) && lr > 0)) throw Error(fmt::format("lr = {} must be > 0", lr));
  require_at_least("lr_gcn", lr_gcn, 0.0);
  require_range("momentum", momentum, 0.0, 1.0, true);
  require_at_least("weight_decay", weight_decay, 0.0);
  require_one_of("schedule", schedule, {"none", "step", "cosine"});
  if (step_size < 1) throw Error(fmt::format("step_size = {} must be >= 1", step_size));
  require_range("step_gamma", step_gamma, 0.0, 1.0, false);
  require_at_least("clip_grad_norm", clip_grad_norm, 0.0);
  if (epochs < 1) throw Error(fmt::format("epochs = {} must be >= 1", epochs));
  if (batch_size < 1) throw Error(fmt::format("batch_size = {} must be >= 1", batch_size));
  require_range("validation_fraction", validation_fraction, 0.0, 1.0, true);
  if (patience < 0) throw Error(fmt::format("patience = {} must be >= 0", patience));
}

void AgcnHeadParams::validate() const {
  if (gcn_hidden < 1) throw Error(fmt::format("gcn_hidden = {} must be >= 1", gcn_hidden));
  if (gcn_depth < 1) throw Error(fmt::format("gcn_depth = {} must be >= 1", gcn_depth));
  require_at_least("adjacency_loss", adjacency_loss, 0.0);
}

void AddGcnHeadParams::validate() const {
  if (node_dim < 0) throw Error(fmt::format("node_dim = {} must be >= 0", node_dim));
}

void SsgrlHeadParams::validate() const {
  if (attention_dim < 0) throw Error(fmt::format("attention_dim = {} must be >= 0", attention_dim));
  if (output_dim < 0) throw Error(fmt::format("output_dim = {} must be >= 0", output_dim));
  if (time_steps < 1) throw Error(fmt::format("time_steps = {} must be >= 1", time_steps));
}

void Q2lHeadParams::validate() const {
  if (d_model < 0) throw Error(fmt::format("d_model = {} must be >= 0", d_model));
  if (heads < 1) throw Error(fmt::format("heads = {} must be >= 1", heads));
  if (d_model > 0 && (d_model % heads != 0 || d_model % 4 != 0))
    throw Error(fmt::format("d_model = {} must be a multiple of 4 (sine positions) and of heads "
                            "({})", d_model, heads));
  if (encoder_layers < 0) throw Error(fmt::format("encoder_layers = {} must be >= 0", encoder_layers));
  if (decoder_layers < 1) throw Error(fmt::format("decoder_layers = {} must be >= 1", decoder_layers));
  if (feedforward < 0) throw Error(fmt::format("feedforward = {} must be >= 0", feedforward));
  require_range("transformer_dropout", transformer_dropout, 0.0, 1.0, true);
  if (queries < 0) throw Error(fmt::format("queries = {} must be >= 0", queries));
}

void LampHeadParams::validate() const {
  if (d_model < 0) throw Error(fmt::format("d_model = {} must be >= 0", d_model));
  if (heads < 1) throw Error(fmt::format("heads = {} must be >= 1", heads));
  if (d_model > 0 && d_model % heads != 0)
    throw Error(fmt::format("d_model = {} must be a multiple of heads ({})", d_model, heads));
  if (layers < 1) throw Error(fmt::format("layers = {} must be >= 1", layers));
  if (feedforward < 0) throw Error(fmt::format("feedforward = {} must be >= 0", feedforward));
  require_range("attention_dropout", attention_dropout, 0.0, 1.0, true);
  require_one_of("mask", mask, {"none", "identity", "cooccurrence"});
}

void CustomHeadParams::validate() const {
  if (head.rfind("torchscript:", 0) != 0 || head.size() == std::string("torchscript:").size())
    throw Error(fmt::format("head = \"{}\" must be \"torchscript:PATH\" (a module scripted in "
                            "Python: forward(features, label_inputs, adjacency) -> logits)", head));
  require_one_of("head_input", head_input, {"pooled", "map"});
}

}  // namespace lg::nets
