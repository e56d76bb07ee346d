// labelgraph synth --rows N --labels L --features D --seed S --out FILE [model options]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "data/synthetic.hpp"
#include "io/arff_writer.hpp"

namespace lg::cli {
namespace {

struct SynthArgs {
  SyntheticSpec spec;           ///< the generative model's parameters
  std::uint64_t seed = 42;      ///< --seed
  std::string out;              ///< --out FILE
  std::string format = "meka";  ///< arff | meka | mulan
  bool sparse = false;          ///< --sparse: sparse ARFF rows
};

void run_synth(const SynthArgs& args) {
  ArffWriteOptions options;
  if (args.format == "arff" || args.format == "meka")
    options.style = ArffStyle::Meka;
  else if (args.format == "mulan")
    options.style = ArffStyle::Mulan;
  else
    throw Error(fmt::format("unknown format '{}': expected arff, meka or mulan", args.format));
  options.sparse = args.sparse;
  const Dataset data = make_synthetic(args.spec, args.seed);
  const auto written = write_arff(data, args.out, options);
  std::printf("wrote %s (%lld rows, %lld labels, %lld features)\n", args.out.c_str(),
              static_cast<long long>(data.rows()), static_cast<long long>(data.num_labels()),
              static_cast<long long>(data.num_features()));
  for (std::size_t k = 1; k < written.size(); ++k)  // the label XML of MULAN style
    std::printf("wrote %s\n", written[k].string().c_str());
}

}  // namespace

void add_synth_command(CLI::App& app) {
  auto args = std::make_shared<SynthArgs>();
  SyntheticSpec& s = args->spec;
  auto* cmd = app.add_subcommand(
      "synth",
      "Write a synthetic multi-label data set with a known structure: labels in latent groups "
      "(communities of the label graph), power-law label frequencies, and 'weak' labels whose "
      "features carry little signal but which always co-occur with an easy anchor label of "
      "their group. Deterministic from --seed. The model is documented in "
      "src/data/synthetic.hpp.");
  cmd->add_option("--rows", s.rows, "N: instances")->capture_default_str();
  cmd->add_option("--labels", s.labels, "L: labels")->capture_default_str();
  cmd->add_option("--features", s.features, "D: features")->capture_default_str();
  cmd->add_option("--seed", args->seed, "random seed; the same seed gives the same file")
      ->capture_default_str();
  cmd->add_option("--out", args->out, "output ARFF file (written via a temporary name)")
      ->required();
  cmd->add_option("--groups", s.groups, "G: latent label groups, 1..L (label l is in group l mod G)")
      ->capture_default_str();
  cmd->add_option("--imbalance", s.imbalance,
                  "power-law exponent a: label l has frequency top*(l+1)^-a (0 = balanced)")
      ->capture_default_str();
  cmd->add_option("--top-frequency", s.top_frequency, "frequency of the most frequent label")
      ->capture_default_str();
  cmd->add_option("--weak-fraction", s.weak_fraction,
                  "fraction of labels with weak feature signal (at most L - G labels)")
      ->capture_default_str();
  cmd->add_option("--background", s.background,
                  "how often an easy label appears outside its row's active group, times its "
                  "frequency")
      ->capture_default_str();
  cmd->add_option("--signal", s.signal, "feature signal length of easy labels")
      ->capture_default_str();
  cmd->add_option("--weak-signal", s.weak_signal, "feature signal length of weak labels")
      ->capture_default_str();
  cmd->add_option("--noise", s.noise, "standard deviation of the feature noise")
      ->capture_default_str();
  cmd->add_option("--format", args->format,
                  "arff or meka: labels first, '-C L' in @relation; mulan: labels last plus "
                  "NAME.xml beside the file")
      ->check(CLI::IsMember({"arff", "meka", "mulan"}))
      ->capture_default_str();
  cmd->add_flag("--sparse", args->sparse, "write sparse ARFF rows ({index value,...})");
  cmd->footer(
      "Example:\n"
      "  labelgraph synth --rows 2000 --labels 20 --features 50 --seed 1 --out synth.arff\n"
      "  labelgraph stats synth.arff");
  cmd->callback([args] { run_synth(*args); });
}

}  // namespace lg::cli
