#pragma once
// The parameters of the neural models, as config lines (models/params.hpp). Three groups, so
// that `mlp-br` refuses the GCN's keys and every ablation of ML-GCN is one line:
//   EncoderParams  the MLP that turns a feature row into f(x) (mlp-br and the heads on rows)
//   BackboneParams the CNN that turns an image into f(x) (cnn-br, and mlgcn on image data)
//   GcnParams      label inputs, the label graph (graph::LabelGraphSpec) and the GCN (mlgcn only)
//   TrainParams    loss, optimiser, schedule, epochs, validation and early stopping
// Plain C++ (no torch), so their defaults and checks are readable on their own.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/weighting.hpp"

namespace lg::nets {

struct EncoderParams {
  std::vector<std::int64_t> hidden = {256};  ///< widths of the ReLU layers; the last is f(x)'s size
  double dropout = 0.2;                      ///< after every hidden layer, in [0, 1)
  bool standardize = true;                   ///< z-score features with training statistics (kept in the model)

  template <class V>
  void visit(V& v) {
    v("hidden", hidden, "widths of the encoder's ReLU layers; the last is the feature size F");
    v("dropout", dropout, "dropout after each encoder layer, in [0, 1)");
    v("standardize", standardize, "z-score features with the training rows' mean and sd");
  }
  void validate() const;
};

struct BackboneParams {
  std::string backbone = "resnet";  ///< resnet (nets/backbone.hpp) | torchscript:PATH
  int width = 32;                   ///< resnet: channels of the first stage
  int depth = 3;                    ///< resnet: residual stages (feature size width * 2^(depth-1))
  std::string pooling = "max";      ///< global pooling: max (ML-GCN) | avg
  int image_size = 64;              ///< side of the square the network sees
  int resize = 0;                   ///< resize to this side first, then crop image_size; 0 = image_size
  bool augment = true;              ///< training: random crop (when resize > image_size) and flip
  bool freeze = false;              ///< torchscript: keep the backbone fixed, features computed once
  int cache_mb = 1024;              ///< decoded, resized images kept in memory (file-backed sets)
  bool channels_last = true;        ///< resnet: NHWC convolutions (faster on CPUs; see below)

  template <class V>
  void visit(V& v) {
    v("backbone", backbone, "image data: resnet (trained from pixels) | torchscript:PATH");
    v("width", width, "resnet: channels of the first stage");
    v("depth", depth, "resnet: residual stages; features = width * 2^(depth - 1)");
    v("pooling", pooling, "global pooling of the feature maps: max | avg");
    v("image_size", image_size, "image data: side of the square the network sees");
    v("resize", resize, "image data: resize to this side, then crop image_size; 0 = no crop");
    v("augment", augment, "image data: random crop and horizontal flip in training");
    v("freeze", freeze, "torchscript: keep the pretrained backbone fixed, features cached once");
    v("cache_mb", cache_mb, "image files: MiB of decoded, resized images kept in memory");
    v("channels_last", channels_last,
      "resnet: channels-last (NHWC) convolutions, 15-30% faster per step on a CPU; false = NCHW");
  }
  void validate() const;
  /// "torchscript:PATH" -> PATH, else "".
  std::string torchscript_path() const;
};

/// The label inputs X (C x E) that graph heads propagate or attend with.
struct LabelInputParams {
  std::string label_inputs = "one-hot";  ///< one-hot | spectral | embeddings
  std::string embeddings;                ///< label_inputs = embeddings: `label v1 ... vd` file
  int spectral_dims = 16;                ///< label_inputs = spectral: dimensions (capped at L - 1)
  std::string spectral_weighting = "conditional";  ///< graph the spectral inputs come from

  template <class V>
  void visit(V& v) {
    v("label_inputs", label_inputs, "one-hot | spectral | embeddings");
    v("embeddings", embeddings, "label_inputs = embeddings: file of `label v1 ... vd` lines");
    v("spectral_dims", spectral_dims, "label_inputs = spectral: dimensions (at most L - 1)");
    v("spectral_weighting", spectral_weighting, "label_inputs = spectral: graph builder");
  }
  void validate() const;
};

struct GcnParams {
  LabelInputParams inputs;               ///< the GCN's label inputs
  /// The label graph the GCN propagates over (builder key `adjacency`, default the ML-GCN
  /// authors' matrix); its propagation says what the GCN multiplies with.
  graph::LabelGraphSpec graph = mlgcn_reference();
  std::int64_t gcn_hidden = 256;         ///< width of the GCN's hidden layers
  int gcn_depth = 2;                     ///< graph convolutions (ML-GCN: 2)
  bool label_bias = false;               ///< add a learned bias per label to f(x)·Zᵀ (ML-GCN: no)

  static graph::LabelGraphSpec mlgcn_reference() {
    graph::LabelGraphSpec s;
    s.weighting = "mlgcn-reference";
    return s;
  }
  template <class V>
  void visit(V& v) {
    inputs.visit(v);
    graph.visit(v, "adjacency", true, true);
    v("gcn_hidden", gcn_hidden, "width of the GCN's hidden layers");
    v("gcn_depth", gcn_depth, "number of graph convolutions");
    v("label_bias", label_bias, "learn a bias per label (the reference has none)");
  }
  void validate() const;
};

struct TrainParams {
  std::string loss = "bce";       ///< bce | weighted-bce | focal | asl | softmargin
  double focal_gamma = 2.0;       ///< focal: focusing exponent
  double focal_alpha = -1.0;      ///< focal: weight of positives in [0, 1]; < 0 = none
  double asl_gamma_neg = 4.0;     ///< asl: exponent for negatives
  double asl_gamma_pos = 0.0;     ///< asl: exponent for positives
  double asl_clip = 0.05;         ///< asl: probability margin for negatives
  std::string optimizer = "adam"; ///< sgd | adam | adamw
  double lr = 1e-3;               ///< learning rate of the encoder and head
  double lr_gcn = 0.0;            ///< learning rate of the GCN; 0 = lr
  double momentum = 0.9;          ///< sgd
  double weight_decay = 1e-4;     ///< L2 (sgd, adam) or decoupled (adamw)
  std::string schedule = "none";  ///< none | step | cosine
  int step_size = 30;             ///< step: epochs between decays
  double step_gamma = 0.1;        ///< step: decay factor
  double clip_grad_norm = 10.0;   ///< clip the gradients' global 2-norm; 0 = off
  int epochs = 100;               ///< at most
  int batch_size = 64;            ///< rows per step
  double validation_fraction = 0.1;  ///< training rows held out for early stopping; 0 = none
  int patience = 10;              ///< stop after this many epochs without a better mAP; 0 = never
  bool restore_best = true;       ///< keep the weights of the best validation epoch

  template <class V>
  void visit(V& v) {
    v("loss", loss, "bce | weighted-bce | focal | asl | softmargin");
    v("focal_gamma", focal_gamma, "focal: focusing exponent");
    v("focal_alpha", focal_alpha, "focal: weight of positives in [0, 1]; < 0 = none");
    v("asl_gamma_neg", asl_gamma_neg, "asl: focusing exponent for negatives");
    v("asl_gamma_pos", asl_gamma_pos, "asl: focusing exponent for positives");
    v("asl_clip", asl_clip, "asl: probability margin for negatives");
    v("optimizer", optimizer, "sgd | adam | adamw");
    v("lr", lr, "learning rate (encoder and head)");
    v("lr_gcn", lr_gcn, "learning rate of the GCN; 0 = lr");
    v("momentum", momentum, "sgd momentum");
    v("weight_decay", weight_decay, "L2 penalty (decoupled for adamw)");
    v("schedule", schedule, "none | step | cosine");
    v("step_size", step_size, "step schedule: epochs between decays");
    v("step_gamma", step_gamma, "step schedule: decay factor");
    v("clip_grad_norm", clip_grad_norm, "clip the gradient's 2-norm; 0 = off");
    v("epochs", epochs, "training epochs at most");
    v("batch_size", batch_size, "rows per optimisation step");
    v("validation_fraction", validation_fraction,
      "training rows held out for early stopping on mAP; 0 = none");
    v("patience", patience, "epochs without a better validation mAP before stopping; 0 = never");
    v("restore_best", restore_best, "keep the weights of the best validation epoch");
  }
  void validate() const;
};

/// mlp-br: encoder + a linear head with one sigmoid output per label.
struct MlpBrParams {
  EncoderParams encoder;
  TrainParams train;
  template <class V>
  void visit(V& v) {
    encoder.visit(v);
    train.visit(v);
  }
  void validate() const {
    encoder.validate();
    train.validate();
  }
};

/// cnn-br: a CNN backbone + a linear head with one sigmoid output per label (image data).
struct CnnBrParams {
  BackboneParams backbone;
  TrainParams train;
  template <class V>
  void visit(V& v) {
    backbone.visit(v);
    train.visit(v);
  }
  void validate() const {
    backbone.validate();
    train.validate();
  }
};

/// mlgcn: the encoder (feature data) or the backbone (image data); the label GCN gives the
/// classifier rows.
struct MlGcnParams {
  /// The key of gcn.graph's builder (an experiment's `graph = "NAME"` fills it).
  static constexpr const char* kGraphWeightingKey = "adjacency";
  EncoderParams encoder;
  BackboneParams backbone;
  GcnParams gcn;
  TrainParams train;
  template <class V>
  void visit(V& v) {
    encoder.visit(v);
    backbone.visit(v);
    gcn.visit(v);
    train.visit(v);
  }
  void validate() const {
    encoder.validate();
    backbone.validate();
    gcn.validate();
    train.validate();
  }
};

// ---- the label-correlation heads (nets/heads/*.cpp; ../shared/docs/label-correlation-heads.md) ----

/// agcn: A-GCN's learned adjacency (Li et al. 2019) feeding an ML-GCN style GCN.
struct AgcnHeadParams {
  std::int64_t gcn_hidden = 256;  ///< width of the GCN's hidden layer
  int gcn_depth = 2;              ///< graph convolutions (A-GCN: 2)
  bool detach_adjacency = false;  ///< true: the authors' first upload (no gradient reaches θ, φ)
  double adjacency_loss = 1.0;    ///< weight of the L1 term pulling Â toward I (reference: 1)
  bool label_bias = false;        ///< learn a bias per label (the reference has none)

  template <class V>
  void visit(V& v) {
    v("gcn_hidden", gcn_hidden, "width of the GCN's hidden layers");
    v("gcn_depth", gcn_depth, "number of graph convolutions");
    v("detach_adjacency", detach_adjacency,
      "true = the reference's first upload: the learned adjacency gets no gradient");
    v("adjacency_loss", adjacency_loss, "weight of the L1 loss pulling the learned adjacency to I");
    v("label_bias", label_bias, "learn a bias per label (the reference has none)");
  }
  void validate() const;
};

/// addgcn: ADD-GCN's semantic attention, static and dynamic graph convolutions (Ye et al. 2020).
struct AddGcnHeadParams {
  std::int64_t node_dim = 0;  ///< d' of the class nodes; 0 = half the feature size (reference 1024 of 2048)

  template <class V>
  void visit(V& v) {
    v("node_dim", node_dim, "width of the class nodes; 0 = half the backbone's features");
  }
  void validate() const;
};

/// ssgrl: SSGRL's semantic decoupling and gated graph network (Chen et al. 2019).
struct SsgrlHeadParams {
  std::int64_t attention_dim = 0;  ///< width of the decoupling's joint space; 0 = half the features
  std::int64_t output_dim = 0;     ///< width of o_c; 0 = the feature size
  int time_steps = 3;              ///< GGNN propagation steps (reference: 3)
  bool reference_reset_gate = false;  ///< true = the authors' reset gate, which reuses U3 (not U4)

  template <class V>
  void visit(V& v) {
    v("attention_dim", attention_dim, "width of the attention's joint space; 0 = half the features");
    v("output_dim", output_dim, "width of each class's output vector; 0 = the feature size");
    v("time_steps", time_steps, "gated graph network steps");
    v("reference_reset_gate", reference_reset_gate,
      "true = the authors' code: the reset gate reuses the update gate's U (fc_eq4_u unused)");
  }
  void validate() const;
};

/// q2l: Query2Label's label queries in a transformer (Liu et al. 2021); queries < labels gives
/// ML-Decoder's group decoding (Ridnik et al. 2021).
struct Q2lHeadParams {
  std::int64_t d_model = 0;      ///< transformer width; 0 = the feature size (then no input projection)
  int heads = 4;                 ///< attention heads (divide d_model)
  int encoder_layers = 1;        ///< encoder layers over the feature map (0 = none)
  int decoder_layers = 2;        ///< decoder layers
  std::int64_t feedforward = 0;  ///< feed-forward width; 0 = 4 d_model
  double transformer_dropout = 0.1;  ///< dropout in attention and residual branches
  bool self_attention = false;   ///< keep the decoder's self-attention (Query2Label removes it)
  std::int64_t queries = 0;      ///< label queries; 0 = one per label; fewer = group decoding

  template <class V>
  void visit(V& v) {
    v("d_model", d_model, "transformer width; 0 = the backbone's feature size");
    v("heads", heads, "attention heads (must divide d_model)");
    v("encoder_layers", encoder_layers, "transformer encoder layers over the feature map");
    v("decoder_layers", decoder_layers, "transformer decoder layers");
    v("feedforward", feedforward, "feed-forward width; 0 = 4 x d_model");
    v("transformer_dropout", transformer_dropout, "dropout in the transformer, in [0, 1)");
    v("self_attention", self_attention, "keep self-attention between label queries");
    v("queries", queries, "label queries; 0 = one per label; fewer = ML-Decoder group decoding");
  }
  void validate() const;
};

/// lamp: LaMP's label self-attention masked by the label graph (Lanchantin et al. 2019).
struct LampHeadParams {
  std::int64_t d_model = 0;      ///< width of label embeddings; 0 = the feature size
  int heads = 4;                 ///< attention heads (divide d_model)
  int layers = 2;                ///< decoder layers
  std::int64_t feedforward = 0;  ///< feed-forward width; 0 = 2 d_model
  double attention_dropout = 0.1;  ///< dropout on attention weights and residual branches
  std::string mask = "cooccurrence";  ///< label self-attention: none | identity | cooccurrence

  template <class V>
  void visit(V& v) {
    v("d_model", d_model, "width of the label embeddings; 0 = the feature size");
    v("heads", heads, "attention heads (must divide d_model)");
    v("layers", layers, "label attention layers");
    v("feedforward", feedforward, "feed-forward width; 0 = 2 x d_model");
    v("attention_dropout", attention_dropout, "dropout in the attention layers, in [0, 1)");
    v("mask", mask, "label self-attention: none | identity | cooccurrence (the label graph)");
  }
  void validate() const;
};

struct AgcnParams {
  EncoderParams encoder;
  BackboneParams backbone;
  LabelInputParams inputs;
  AgcnHeadParams head;
  TrainParams train;
  template <class V>
  void visit(V& v) {
    encoder.visit(v);
    backbone.visit(v);
    inputs.visit(v);
    head.visit(v);
    train.visit(v);
  }
  void validate() const {
    encoder.validate();
    backbone.validate();
    inputs.validate();
    head.validate();
    train.validate();
  }
};

struct AddGcnParams {
  BackboneParams backbone;
  AddGcnHeadParams head;
  TrainParams train;
  template <class V>
  void visit(V& v) {
    backbone.visit(v);
    head.visit(v);
    train.visit(v);
  }
  void validate() const {
    backbone.validate();
    head.validate();
    train.validate();
  }
};

struct SsgrlParams {
  static constexpr const char* kGraphWeightingKey = "adjacency";
  BackboneParams backbone;
  LabelInputParams inputs;
  /// The graph the GGNN propagates over (in: A, out: Aᵀ); default P(j | i) as the reference.
  graph::LabelGraphSpec graph = conditional();
  SsgrlHeadParams head;
  TrainParams train;
  static graph::LabelGraphSpec conditional() {
    graph::LabelGraphSpec s;
    s.weighting = "conditional";
    s.propagation = "none";
    return s;
  }
  template <class V>
  void visit(V& v) {
    backbone.visit(v);
    inputs.visit(v);
    graph.visit(v, "adjacency", true, true);
    head.visit(v);
    train.visit(v);
  }
  void validate() const {
    backbone.validate();
    inputs.validate();
    graph.validate();
    head.validate();
    train.validate();
  }
};

struct Q2lParams {
  BackboneParams backbone;
  Q2lHeadParams head;
  TrainParams train;
  template <class V>
  void visit(V& v) {
    backbone.visit(v);
    head.visit(v);
    train.visit(v);
  }
  void validate() const {
    backbone.validate();
    head.validate();
    train.validate();
  }
};

struct LampParams {
  static constexpr const char* kGraphWeightingKey = "adjacency";
  EncoderParams encoder;
  BackboneParams backbone;
  /// mask = cooccurrence: labels attend to those they share an edge with in this graph (and to
  /// themselves); default any co-occurrence in the training rows, as LaMP's prior.
  graph::LabelGraphSpec graph = counts();
  LampHeadParams head;
  TrainParams train;
  static graph::LabelGraphSpec counts() {
    graph::LabelGraphSpec s;
    s.weighting = "counts";
    s.propagation = "none";
    return s;
  }
  template <class V>
  void visit(V& v) {
    encoder.visit(v);
    backbone.visit(v);
    graph.visit(v, "adjacency", true, true);
    head.visit(v);
    train.visit(v);
  }
  void validate() const {
    encoder.validate();
    backbone.validate();
    graph.validate();
    head.validate();
    train.validate();
  }
};

/// custom-head: a head written in Python and scripted with TorchScript (nets/heads/custom.cpp).
struct CustomHeadParams {
  std::string head;                  ///< torchscript:PATH
  std::string head_input = "pooled";  ///< what forward's first argument is: pooled | map

  template <class V>
  void visit(V& v) {
    v("head", head, "torchscript:PATH: forward(features, label_inputs, adjacency) -> B x C logits");
    v("head_input", head_input, "the module's features: pooled (B x F) | map (B x F x H x W, images)");
  }
  void validate() const;
};

struct CustomHeadModelParams {
  static constexpr const char* kGraphWeightingKey = "adjacency";
  EncoderParams encoder;
  BackboneParams backbone;
  LabelInputParams inputs;
  /// The adjacency handed to the module (default ML-GCN's propagation matrix).
  graph::LabelGraphSpec graph = GcnParams::mlgcn_reference();
  CustomHeadParams head;
  TrainParams train;
  template <class V>
  void visit(V& v) {
    head.visit(v);
    encoder.visit(v);
    backbone.visit(v);
    inputs.visit(v);
    graph.visit(v, "adjacency", true, true);
    train.visit(v);
  }
  void validate() const {
    head.validate();
    encoder.validate();
    backbone.validate();
    inputs.validate();
    graph.validate();
    train.validate();
  }
};

}  // namespace lg::nets
