// bench_models: fit + predict of the classical models (br, cc, and lp when registered) on MULAN
// train/test splits. bench/run_models.sh runs it beside bench/models_reference.py
// (scikit-learn, same base learner and tolerance) and prints ratios; figures are in
// bench/README.md, section "bench/models".
//
//   bench_models DATA_ROOT NAME... [--models br,cc,lp] [--repeat R] [--threads T]
//       For each NAME: DATA_ROOT/NAME/NAME-train.arff and -test.arff, features standardised
//       with the training statistics (not timed). Per model: the best of R (default 3) runs of
//       fit(train) + predict_scores(test), wall clock and process CPU time (all threads), and
//       the test Hamming loss at 0.5. Lines:
//       `RESULT data NAME model M fit_s F predict_s P total_s T cpu_s C hamming H threads N`
//       (lp: then `n_iter I`, its softmax regression's L-BFGS iterations, and `double` when
//       float round-off sent it on in double).
//       A model that is not registered prints `MISSING model M`. The extra model name
//       `br-unbatched` is br's learner run label by label (the same solver on a 1-column
//       problem per label, no batching): the solver measurement in models/linear_learner.hpp.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "core/error.hpp"
#include "data/standardize.hpp"
#include "io/read_dataset.hpp"
#include "models/label_powerset.hpp"
#include "models/linear_learner.hpp"
#include "models/registry.hpp"

namespace {
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// CPU seconds of the whole process (every thread), as Python's time.process_time().
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// br's learner (defaults: logistic, C 1, tol 1e-4, max_iter 100) fitted one label at a time.
lg::ScoreMatrix fit_predict_unbatched(const lg::Dataset& train, const lg::Dataset& test,
                                      int threads) {
  lg::models::LinearOptions options;
  options.threads = threads;
  lg::ScoreMatrix out(test.rows(), train.num_labels());
  for (lg::Index j = 0; j < train.num_labels(); ++j) {
    const lg::LabelMatrix target = train.labels.col(j);
    lg::models::LinearProblem problem;
    problem.x = &train;
    problem.targets = &target;
    const lg::models::LinearFit fit = lg::models::fit_linear(problem, options);
    out.col(j) = lg::models::linear_scores(test, fit, threads).col(0);
  }
  return out;
}

double hamming(const lg::LabelMatrix& truth, const lg::ScoreMatrix& scores) {
  double wrong = 0;
  for (lg::Index i = 0; i < truth.rows(); ++i)
    for (lg::Index j = 0; j < truth.cols(); ++j)
      wrong += (scores(i, j) > 0.5f) != (truth(i, j) != 0);
  return wrong / static_cast<double>(truth.size());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> names;
    std::vector<std::string> models = {"br", "cc", "lp"};
    int repeat = 3;
    lg::Context ctx;
    if (argc < 3) {
      std::cerr << "usage: bench_models DATA_ROOT NAME... [--models br,cc,lp] [--repeat R] "
                   "[--threads T]\n";
      return 2;
    }
    const std::filesystem::path root = argv[1];
    for (int i = 2; i < argc; ++i) {
      const std::string a = argv[i];
      if ((a == "--repeat" || a == "--threads" || a == "--models") && i + 1 < argc) {
        const std::string v = argv[++i];
        if (a == "--repeat") repeat = std::stoi(v);
        if (a == "--threads") ctx.threads = std::stoi(v);
        if (a == "--models") {
          models.clear();
          std::stringstream list(v);
          for (std::string m; std::getline(list, m, ',');) models.push_back(m);
        }
      } else {
        names.push_back(a);
      }
    }
    for (const std::string& name : names) {
      lg::Dataset train = lg::read_dataset(root / name / (name + "-train.arff"));
      lg::Dataset test = lg::read_dataset(root / name / (name + "-test.arff"));
      const lg::Standardizer scaler = lg::Standardizer::fit(train);
      scaler.apply(train);
      scaler.apply(test);
      for (const std::string& model : models) {
        const bool unbatched = model == "br-unbatched";
        if (!unbatched && lg::models::find_model(model) == nullptr) {
          std::cout << "MISSING model " << model << "\n";
          continue;
        }
        double best_fit = 1e300, best_predict = 1e300, best_total = 1e300, best_cpu = 1e300;
        double loss = 0;
        std::string solver;  // lp: the softmax regression's L-BFGS iterations
        for (int r = 0; r < repeat; ++r) {
          const double cpu0 = process_cpu_seconds();
          const auto t0 = Clock::now();
          lg::ScoreMatrix scores;
          double fit_s = 0, predict_s = 0;
          if (unbatched) {
            scores = fit_predict_unbatched(train, test, ctx.threads);
            fit_s = seconds_since(t0);  // fit and predict together
          } else {
            lg::models::ModelPtr m = lg::models::make_model(model, toml::table{});
            m->fit(train, ctx);
            fit_s = seconds_since(t0);
            if (const auto* lp = dynamic_cast<const lg::models::LabelPowerset*>(m.get())) {
              const lg::models::SoftmaxReport& rep = lp->classifier().regression().report();
              solver = fmt::format(" n_iter {}{}", rep.iterations,
                                   rep.used_double ? " double" : "");
            }
            const auto t1 = Clock::now();
            scores = m->predict_scores(test, ctx);
            predict_s = seconds_since(t1);
          }
          best_cpu = std::min(best_cpu, process_cpu_seconds() - cpu0);
          best_fit = std::min(best_fit, fit_s);
          best_predict = std::min(best_predict, predict_s);
          best_total = std::min(best_total, fit_s + predict_s);
          loss = hamming(test.labels, scores);
        }
        std::cout << fmt::format(
            "RESULT data {} model {} fit_s {:.5f} predict_s {:.5f} total_s {:.5f} cpu_s {:.5f} "
            "hamming {:.6f} threads {}{}\n",
            name, model, best_fit, best_predict, best_total, best_cpu, loss,
            ctx.resolved_threads(), solver);
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_models: " << e.what() << "\n";
    return 1;
  }
}
