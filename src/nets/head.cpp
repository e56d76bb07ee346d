#include "nets/head.hpp"

#include <torch/torch.h>

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"
#include "graph/build_label_graph.hpp"
#include "graph/spectral_embedding.hpp"
#include "io/embeddings_reader.hpp"
#include "nets/tensor_convert.hpp"

namespace lg::nets {

LabelSide HeadFactory::label_side(const Dataset&, const Context&, std::vector<std::string>&) const {
  return {};
}

LabelSide HeadFactory::empty_label_side(int64_t, int64_t) const { return {}; }

at::Tensor linear_logits(const at::Tensor& features, const at::Tensor& rows, const at::Tensor& b) {
  at::Tensor out = torch::matmul(features, rows.t());
  return b.defined() ? out + b : out;
}

at::Tensor label_input_matrix(const Dataset& train, const LabelInputParams& g,
                              const graph::LabelGraphSpec& graph_spec, const Context& ctx,
                              std::vector<std::string>& notes) {
  const Index labels = train.num_labels();
  if (g.label_inputs == "one-hot") return torch::eye(labels, torch::kFloat32);
  if (g.label_inputs == "embeddings") {
    EmbeddingsNotes en;
    const Eigen::MatrixXf e = read_label_embeddings(g.embeddings, train.label_names, &en);
    for (const std::string& n : en.notes) notes.push_back(n);
    at::Tensor t = torch::empty({e.rows(), e.cols()}, torch::kFloat32);
    auto a = t.accessor<float, 2>();
    for (Index i = 0; i < e.rows(); ++i)
      for (Index j = 0; j < e.cols(); ++j) a[i][j] = e(i, j);
    return t;
  }
  // spectral: the spectral_weighting builder with the head graph's tau and p, no post-steps.
  graph::LabelGraphSpec spec;
  spec.weighting = g.spectral_weighting;
  spec.tau = graph_spec.tau;
  spec.p = graph_spec.p;
  const Adjacency a = graph::build_label_graph(train.labels, train.label_names, spec, ctx).weights;
  // At most one less than the labels that have an edge (spectral_embedding's limit).
  Index connected = 0;
  for (Index i = 0; i < a.rows(); ++i) {
    bool edge = false;
    for (Index j = 0; j < a.cols(); ++j) edge = edge || (i != j && (a(i, j) > 0 || a(j, i) > 0));
    connected += edge;
  }
  if (connected < 2)
    throw Error(fmt::format("label_inputs = \"spectral\": the {} graph of the training labels has "
                            "{} labels with an edge; at least 2 are needed",
                            g.spectral_weighting, connected));
  const int dims = static_cast<int>(std::min<Index>(g.spectral_dims, connected - 1));
  if (dims < g.spectral_dims)
    notes.push_back(fmt::format("spectral_dims {} capped at {} (labels with an edge - 1)",
                                g.spectral_dims, dims));
  graph::SpectralNotes sn;
  const Eigen::MatrixXd e = graph::spectral_embedding(a, dims, &sn);
  for (const std::string& n : sn.notes) notes.push_back(n);
  return to_tensor_f(e);
}

Adjacency label_graph_matrix(const Dataset& train, const graph::LabelGraphSpec& spec,
                             const Context& ctx, std::vector<std::string>* notes) {
  const graph::BuiltLabelGraph built =
      graph::build_label_graph(train.labels, train.label_names, spec, ctx);
  if (notes) {
    const std::string& w = spec.weighting;
    notes->push_back(fmt::format("adjacency {} ({} edges{}), propagation {}", w, built.notes.edges,
                                 w.rfind("mlgcn-", 0) == 0 ? fmt::format(", tau {}", spec.tau) : "",
                                 built.propagation));
    for (const std::string& n : built.notes.notes) notes->push_back(n);
  }
  return built.propagation_matrix();
}

}  // namespace lg::nets
