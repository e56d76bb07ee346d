#include "models/community_powerset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "graph/communities.hpp"
#include "graph/build_label_graph.hpp"
#include "graph/label_graph.hpp"
#include "graph/weighting.hpp"
#include "models/model_file.hpp"

namespace lg::models {

std::vector<std::vector<Index>> community_blocks(const LabelMatrix& labels,
                                                 const std::vector<std::string>& names,
                                                 const graph::LabelGraphSpec& spec,
                                                 double resolution, const Context& ctx,
                                                 std::vector<std::string>* notes) {
  const graph::BuiltLabelGraph built = graph::build_label_graph(
      labels, names.size() == static_cast<std::size_t>(labels.cols()) ? names
                                                                      : std::vector<std::string>{},
      spec, ctx);
  graph::CommunityOptions options;
  options.resolution = resolution;
  options.seed = ctx.seed;
  const graph::Communities found = graph::detect_communities(built.label_graph(), options);
  if (notes) {
    for (const std::string& n : built.notes.notes) notes->push_back("lp-communities: " + n);
    for (const std::string& n : found.notes) notes->push_back("lp-communities: " + n);
  }
  std::vector<std::vector<Index>> blocks(static_cast<std::size_t>(found.count));
  for (std::size_t l = 0; l < found.membership.size(); ++l) {
    const int c = found.membership[l];
    if (c < 0 || c >= found.count)
      throw Error(fmt::format("lp-communities: community {} of label {} is outside [0, {})", c,
                              l + 1, found.count));
    blocks[static_cast<std::size_t>(c)].push_back(static_cast<Index>(l));
  }
  blocks.erase(std::remove_if(blocks.begin(), blocks.end(),
                              [](const std::vector<Index>& b) { return b.empty(); }),
               blocks.end());
  return blocks;
}

void CommunityPowerset::Params::validate() const {
  graph.validate();
  if (!(resolution > 0) || !std::isfinite(resolution))
    throw Error(fmt::format("resolution must be > 0, got {}", resolution));
  lp.validate();
}

void CommunityPowerset::fit(const Dataset& train, const Context& ctx) {
  params_.validate();
  notes_.clear();
  if (train.num_labels() < 1) throw Error("lp-communities: the data set has no labels");
  const int threads = ctx.resolved_threads();
  blocks_ = community_blocks(train.labels, train.label_names, params_.graph, params_.resolution,
                             ctx, &notes_);
  std::vector<std::string> sizes;
  for (const auto& b : blocks_) sizes.push_back(std::to_string(b.size()));
  notes_.push_back(fmt::format("lp-communities: {} label blocks of sizes {}", blocks_.size(),
                               fmt::join(sizes, ", ")));
  models_ = fit_label_subsets(train, blocks_, params_.lp.options(), threads, "lp-communities");
  for (const PowersetClassifier& model : models_)
    notes_.insert(notes_.end(), model.notes().begin(), model.notes().end());
  num_labels_ = train.num_labels();
}

ScoreMatrix CommunityPowerset::predict_scores(const Dataset& data, const Context& ctx) const {
  if (num_labels_ < 0) throw Error("lp-communities: predict_scores() before fit()");
  const std::vector<ScoreMatrix> scores =
      predict_label_subsets(models_, data, ctx.resolved_threads());
  ScoreMatrix out(data.sparse ? data.csr.rows() : data.dense.rows(), num_labels_);
  out.setZero();
  for (std::size_t b = 0; b < blocks_.size(); ++b)
    for (std::size_t j = 0; j < blocks_[b].size(); ++j)
      out.col(blocks_[b][j]) = scores[b].col(static_cast<Index>(j));
  return out;
}

void CommunityPowerset::save_state(ModelState& state) const {
  if (num_labels_ < 0) throw Error(state.file(), 0, "lp-communities: nothing to save before fit()");
  state.values()["num_labels"] = num_labels_;
  save_label_subsets(state, blocks_, models_);
}

void CommunityPowerset::load_state(const ModelState& state) {
  num_labels_ = state.get_value<Index>("num_labels");
  if (num_labels_ < 0) throw state.damaged("lp-communities: a negative label count");
  load_label_subsets(state, num_labels_, blocks_, models_);
}

}  // namespace lg::models
