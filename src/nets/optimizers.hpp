#pragma once
// One place for the optimisers and learning-rate schedules of every network (nets/net_model.hpp).
// Included only by src/nets .cpp files: it needs torch.
#include <memory>
#include <vector>

#include <c10/core/Device.h>
#include <torch/optim/optimizer.h>

#include "nets/net_params.hpp"

namespace lg::nets {

/// SGD with momentum, Adam or AdamW (TrainParams::optimizer) over two parameter groups: `base`
/// at lr and `graph` (the label graph's side of a head; may be empty: no group) at lr_gcn (0 =
/// lr). Adam and AdamW update each contiguous CPU float parameter in one pass over memory
/// (same arithmetic and state objects as LibTorch's; bench/README.md, "bench/nets").
std::unique_ptr<torch::optim::Optimizer> make_optimizer(std::vector<at::Tensor> base,
                                                        std::vector<at::Tensor> graph,
                                                        const TrainParams& t);

/// The learning rates of make_optimizer's groups before the schedule: {lr, lr_gcn or lr}.
std::vector<double> base_learning_rates(const TrainParams& t);

/// The schedule's factor on the learning rates in 0-based `epoch`: 1 (none), step_gamma^(epoch /
/// step_size) (step), or (1 + cos(pi epoch / epochs)) / 2 (cosine).
double schedule_factor(const TrainParams& t, int epoch);

/// Moment buffers follow their parameters to `device` (LibTorch's load() keeps them where the
/// archive put them: on the CPU).
void move_optimizer_state(torch::optim::Optimizer& optimizer, const c10::Device& device);

}  // namespace lg::nets
