// bench_heads: seconds per training epoch of one label-correlation head (src/nets/heads) on
// fixed backbone outputs, against the same module in python3-torch (bench/heads_reference.py,
// which imports the parity references tests/fixtures/nets/heads/reference_heads.py). Only the
// head trains: the backbone's output (a B x F x S x S map and its max-pooled B x F features) is
// drawn once, so the figure is the head's own cost. bench/run_heads.sh runs both sides.
//
//   bench_heads --head NAME [--threads T] [--epochs E] [--rows N] [--batch B] [--labels C]
//               [--features F] [--side S] [--seed K] [--device D]
//       NAME: linear, mlgcn, agcn, addgcn, ssgrl, q2l, mldecoder (q2l with 5 queries, no
//       encoder, one decoder layer), lamp. The head's knobs are those of experiments/heads.toml.
//       Loop per epoch: shuffle (seeded), batches of B, forward, BCE with logits (+ A-GCN's L1
//       term), backward, Adam (lr 1e-3), with the trainer's settings (configure_torch: threads
//       and heap; denormals flushed; the trainer's Adam, nets/optimizers.hpp). One line:
//       `RESULT side cpp head NAME threads T median_epoch_ms X first_epoch_ms W macs_per_image M
//        parameters P final_loss L images_per_s I map_side S features F device D`
//       (M: the head's forward multiply-adds for one batch of B, over B: the label side, e.g. the
//       GCN, is computed once per batch)
//       median over epochs 2..E; I = N / median epoch seconds. --device cuda[:K]: the data are
//       drawn on the CPU as before, then the head and the data move to the GPU (bench/run_gpu.sh:
//       F 2048 and S 7 / 14 are a ResNet-101's maps of 224 / 448 px images); loss.item() every
//       step waits for the GPU.
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "models/registry.hpp"
#include "nets/head.hpp"
#include "nets/net_model.hpp"
#include "nets/optimizers.hpp"
#include "nets/tensor_convert.hpp"
#include "nets/thread_policy.hpp"

namespace {

struct Options {
  std::string head = "mlgcn";
  int threads = 1, epochs = 5, rows = 1024, batch = 64, labels = 10, features = 64, side = 12;
  std::uint64_t seed = 1;
  std::string device = "cpu";
};

/// The head's model name and knobs (experiments/heads.toml).
std::pair<std::string, toml::table> model_of(const std::string& head) {
  if (head == "linear") return {"cnn-br", {}};
  if (head == "mlgcn") return {"mlgcn", toml::table{{"gcn_hidden", 128}, {"adjacency", "identity"}}};
  if (head == "agcn") return {"agcn", toml::table{{"gcn_hidden", 128}}};
  if (head == "addgcn") return {"addgcn", toml::table{{"node_dim", 32}}};
  if (head == "ssgrl") return {"ssgrl", toml::table{{"attention_dim", 32}}};
  if (head == "q2l") return {"q2l", toml::table{{"heads", 4}, {"transformer_dropout", 0.0}}};
  if (head == "mldecoder")
    return {"q2l", toml::table{{"heads", 4}, {"queries", 5}, {"encoder_layers", 0},
                               {"decoder_layers", 1}, {"transformer_dropout", 0.0}}};
  if (head == "lamp") return {"lamp", toml::table{{"heads", 4}, {"attention_dropout", 0.0}, {"mask", "none"}}};
  throw lg::Error("unknown head " + head);
}

int run(const Options& o) {
  // As the trainer: the context's threads and heap settings, denormals flushed, its Adam.
  lg::Context ctx;
  ctx.threads = o.threads;
  ctx.seed = o.seed;
  ctx.device = o.device;
  lg::nets::configure_torch(ctx);
  const torch::Device device(o.device);
  const lg::nets::FlushDenormalsGuard flush_denormals;
  lg::nets::register_net_models();
  auto [algorithm, params] = model_of(o.head);
  const lg::models::ModelPtr model = lg::models::make_model(algorithm, params, "bench", 1);
  const auto& net = dynamic_cast<const lg::nets::NetModel&>(*model);

  at::Generator gen = at::detail::createCPUGenerator(o.seed);
  const int64_t n = o.rows, c = o.labels, f = o.features, s = o.side;
  const at::Tensor maps_cpu = torch::randn({n, f, s, s}, gen, torch::TensorOptions());
  const at::Tensor pooled = maps_cpu.amax({2, 3}).to(device);
  const at::Tensor y = (torch::rand({n, c}, gen, torch::TensorOptions()) < 0.2).to(torch::kFloat32).to(device);
  lg::nets::LabelSide side;
  side.inputs = torch::eye(c);
  side.adjacency = torch::rand({c, c}, gen, torch::TensorOptions());
  side.adjacency = side.adjacency / side.adjacency.sum(1, true);
  lg::nets::HeadShape shape;
  shape.features = f;
  shape.labels = c;
  auto head = net.head_factory().make(shape, side, gen, o.seed);
  head->to(device);
  head->train();
  // Only map heads read the maps: the others do not keep a second copy on the device.
  const at::Tensor maps = head->needs_map() ? maps_cpu.to(device) : maps_cpu;
  lg::nets::TrainParams train;
  train.lr = 1e-3;
  train.weight_decay = 0;
  const auto adam = lg::nets::make_optimizer(head->parameters(), {}, train);
  int64_t parameters = 0;
  for (const at::Tensor& p : head->parameters()) parameters += p.numel();

  std::vector<double> ms;
  double loss_value = 0;
  for (int e = 0; e < o.epochs; ++e) {
    const at::Tensor order =
        torch::randperm(n, gen, torch::TensorOptions().dtype(torch::kInt64)).to(device);
    const auto start = std::chrono::steady_clock::now();
    for (int64_t first = 0; first < n; first += o.batch) {
      const at::Tensor rows = order.narrow(0, first, std::min<int64_t>(o.batch, n - first));
      lg::nets::BackboneOutput x;
      x.pooled = pooled.index_select(0, rows);
      if (head->needs_map()) x.map = maps.index_select(0, rows);
      adam->zero_grad();
      const lg::nets::HeadOutput out = head->train_forward(x, nullptr);
      at::Tensor loss = torch::binary_cross_entropy_with_logits(out.logits, y.index_select(0, rows));
      if (out.extra_loss.defined()) loss = loss + out.extra_loss;
      loss.backward();
      adam->step();
      loss_value = loss.item<double>();
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::vector<double> later(ms.begin() + (ms.size() > 1 ? 1 : 0), ms.end());
  std::sort(later.begin(), later.end());
  const double median = later[later.size() / 2];
  std::cout << fmt::format("RESULT side cpp head {} threads {} median_epoch_ms {:.3f} first_epoch_ms "
                           "{:.3f} macs_per_image {} parameters {} final_loss {:.6f} images_per_s "
                           "{:.1f} map_side {} features {} device {}\n",
                           o.head, o.threads, median, ms.front(),
                           head->multiply_adds(o.batch, s * s) / o.batch, parameters, loss_value,
                           1e3 * static_cast<double>(n) / median, s, f, o.device);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc) throw lg::Error(a + " needs a value");
        return argv[++i];
      };
      if (a == "--head") o.head = next();
      else if (a == "--threads") o.threads = std::stoi(next());
      else if (a == "--epochs") o.epochs = std::stoi(next());
      else if (a == "--rows") o.rows = std::stoi(next());
      else if (a == "--batch") o.batch = std::stoi(next());
      else if (a == "--labels") o.labels = std::stoi(next());
      else if (a == "--features") o.features = std::stoi(next());
      else if (a == "--side") o.side = std::stoi(next());
      else if (a == "--seed") o.seed = std::stoull(next());
      else if (a == "--device") o.device = next();
      else if (a == "--help" || a == "-h") {
        std::cout << "bench_heads --head NAME [--threads T] [--epochs E] [--rows N] [--batch B] "
                     "[--labels C] [--features F] [--side S] [--seed K] [--device D]\n";
        return 0;
      } else {
        throw lg::Error("unknown option " + a + " (--help)");
      }
    }
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "bench_heads: " << e.what() << "\n";
    return 1;
  }
}
