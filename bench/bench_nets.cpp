// bench_nets: epoch time of the LibTorch models mlp-br and mlgcn on scene (train part).
// bench/run_nets.sh runs it beside bench/nets_reference.py (the identical network and loop in
// python3-torch, same data, batch size and thread count) and prints ratios and GFLOP/s;
// figures are in bench/README.md, section "bench/nets".
//
//   bench_nets DATA_ROOT [--model mlp-br|mlgcn] [--threads T] [--epochs E] [--batch B]
//              [--validation V] [--seed S]
//       Reads DATA_ROOT/scene/scene-train.arff (not timed), creates the model through the
//       registry (which loads the plugin) with the issue-7 setup: hidden [256], dropout 0.2,
//       standardised features, gcn_hidden 256, 2 graph convolutions, mlgcn-reference at tau 0.4,
//       bce, adam lr 1e-3 weight_decay 1e-4, clip_grad_norm 10, batch 64 and
//       validation_fraction V (default 0; with V > 0 patience 0, so all E epochs run). The epoch
//       times are the model's own TrainingHistory seconds (shuffle to the end of validation).
//       One line:
//       `RESULT side cpp model M threads T epochs E validation V median_epoch_ms X total_s Y
//        first_epoch_ms W fit_s F final_loss L rows N features D labels K`
//       median over epochs 2..E (the first pays for LibTorch's warm-up); total = sum of all
//       epochs; fit_s = the whole fit() (setup included).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "core/error.hpp"
#include "io/read_dataset.hpp"
#include "models/registry.hpp"

namespace {

struct Options {
  std::string model = "mlgcn";
  int threads = 1;
  int epochs = 30;
  int batch = 64;
  double validation = 0.0;
  std::uint64_t seed = 1;
};

toml::table model_params(const Options& o) {
  toml::table t;
  t.insert("hidden", toml::array{256});
  t.insert("dropout", 0.2);
  t.insert("standardize", true);
  t.insert("loss", "bce");
  t.insert("optimizer", "adam");
  t.insert("lr", 1e-3);
  t.insert("weight_decay", 1e-4);
  t.insert("clip_grad_norm", 10.0);
  t.insert("epochs", o.epochs);
  t.insert("batch_size", o.batch);
  t.insert("validation_fraction", o.validation);
  t.insert("patience", 0);  // every epoch runs, also with validation
  if (o.model == "mlgcn") {
    t.insert("label_inputs", "one-hot");
    t.insert("adjacency", "mlgcn-reference");
    t.insert("tau", 0.4);
    t.insert("gcn_hidden", 256);
    t.insert("gcn_depth", 2);
  }
  return t;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      std::cerr << "usage: bench_nets DATA_ROOT [--model mlp-br|mlgcn] [--threads T] "
                   "[--epochs E] [--batch B] [--validation V] [--seed S]\n";
      return 2;
    }
    Options o;
    const std::filesystem::path root = argv[1];
    for (int i = 2; i < argc; ++i) {
      const std::string a = argv[i];
      if (i + 1 >= argc) throw lg::Error("bench_nets: " + a + " needs a value");
      const std::string v = argv[++i];
      if (a == "--model") o.model = v;
      else if (a == "--threads") o.threads = std::stoi(v);
      else if (a == "--epochs") o.epochs = std::stoi(v);
      else if (a == "--batch") o.batch = std::stoi(v);
      else if (a == "--validation") o.validation = std::stod(v);
      else if (a == "--seed") o.seed = std::stoull(v);
      else throw lg::Error("bench_nets: unknown option " + a);
    }
    const lg::Dataset train = lg::read_dataset(root / "scene" / "scene-train.arff");
    lg::Context ctx;
    ctx.threads = o.threads;
    ctx.seed = o.seed;
    lg::models::ModelPtr model = lg::models::make_model(o.model, model_params(o));
    const auto t0 = std::chrono::steady_clock::now();
    model->fit(train, ctx);
    const double fit_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const lg::report::TrainingHistory* history = model->training_history();
    if (!history || history->epochs.empty())
      throw lg::Error("bench_nets: " + o.model + " recorded no epochs");
    std::vector<double> tail;
    double total = 0;
    for (const lg::report::EpochRecord& r : history->epochs) {
      total += r.seconds;
      if (r.epoch > 1) tail.push_back(r.seconds);
    }
    if (tail.empty()) tail.push_back(history->epochs.front().seconds);
    std::cout << fmt::format(
        "RESULT side cpp model {} threads {} epochs {} validation {} median_epoch_ms {:.3f} "
        "total_s {:.4f} first_epoch_ms {:.3f} fit_s {:.4f} final_loss {:.6f} rows {} features {} "
        "labels {}\n",
        o.model, ctx.resolved_threads(), history->epochs.size(), o.validation,
        1e3 * median(tail), total, 1e3 * history->epochs.front().seconds, fit_s,
        history->epochs.back().train_loss, train.rows(), train.num_features(), train.num_labels());
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_nets: " << e.what() << "\n";
    return 1;
  }
}
