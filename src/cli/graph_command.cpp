// labelgraph graph DATA... [--xml F | --labels n] --weighting NAME [--tau T] [--p P] [--topk K]
//     [--min-support S] [--normalize N] [--communities] [--stats] [--engine E] --out FILE
// labelgraph graph --cooccurrence C.csv --label-counts N.csv --names L.txt [--rows n] ...
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "cli/input_options.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "graph/communities.hpp"
#include "graph/cooccurrence.hpp"
#include "graph/graph_export.hpp"
#include "graph/graph_render.hpp"
#include "graph/label_figure.hpp"
#include "graph/label_graph.hpp"
#include "graph/build_label_graph.hpp"
#include "graph/weighting.hpp"
#include "io/catalog.hpp"
#include "io/read_dataset.hpp"

namespace lg::cli {
namespace {

namespace fs = std::filesystem;

struct GraphArgs {
  InputArgs input;                 ///< DATA... and the label declaration
  std::string cooccurrence;        ///< --cooccurrence C.csv (published counts)
  std::string label_counts;        ///< --label-counts N.csv
  std::string names;               ///< --names L.txt
  Index rows = 0;                  ///< --rows n behind published counts (0 = unknown)
  graph::LabelGraphSpec spec;  ///< --weighting, --tau, --p, --min-support, --topk, --normalize
  bool topk_given = false;         ///< whether --topk was on the command line
  bool communities = false;        ///< --communities
  double resolution = 1.0;         ///< --resolution
  std::uint64_t seed = 1;          ///< --seed (Leiden)
  bool stats = false;              ///< --stats: JSON summary on stdout
  std::string engine = "auto";     ///< --engine
  std::string color = "auto";      ///< --color community | irlbl | none | auto
  std::string title;               ///< --title
  bool no_legend = false;          ///< --no-legend
  int threads = 0;                 ///< --threads (counting co-occurrences)
  std::string out;                 ///< --out FILE
};

const std::vector<std::string>& output_formats() {
  static const std::vector<std::string> formats = {"svg",     "pdf",  "png", "dot",
                                                   "graphml", "json", "csv"};
  return formats;
}

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  if (!ext.empty()) ext.erase(0, 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

void note(const std::string& text) { std::fprintf(stderr, "labelgraph: note: %s\n", text.c_str()); }

/// The co-occurrence statistics and a title for the figure.
struct Source {
  graph::Cooccurrence stats;
  std::string title;
};

// A catalog entry of format mlgcn-graph (e.g. `mlgcn-coco`) names its three count files.
std::optional<Source> read_catalog_counts(const GraphArgs& args) {
  if (args.input.inputs.size() != 1) return std::nullopt;
  const std::string& input = args.input.inputs.front();
  std::error_code ec;
  if (fs::exists(input, ec)) return std::nullopt;
  const std::optional<Descriptor> d = find_descriptor(input);
  if (!d || d->format != DataFormat::MlgcnGraph) return std::nullopt;
  const auto first = [&](const std::string& role, const std::string& ext) -> std::string {
    for (const CatalogFile* f : d->files_with_role(role))
      if (lower_extension(f->path) == ext) return (data_dir() / f->path).string();
    throw Error(d->origin.string(), 0,
                fmt::format("data set '{}' has no .{} file with role '{}'", d->name, ext, role));
  };
  Source s;
  s.stats = graph::read_cooccurrence(first("graph", "csv"), first("label-counts", "csv"),
                                     first("label-names", "txt"), args.rows);
  s.title = d->name;
  return s;
}

Source read_source(const GraphArgs& args) {
  const bool counts_mode =
      !args.cooccurrence.empty() || !args.label_counts.empty() || !args.names.empty();
  if (counts_mode) {
    if (!args.input.inputs.empty())
      throw Error("give either data files or --cooccurrence/--label-counts/--names, not both");
    if (args.cooccurrence.empty() || args.label_counts.empty() || args.names.empty())
      throw Error("published counts need all three of --cooccurrence, --label-counts and --names");
    Source s;
    s.stats = graph::read_cooccurrence(args.cooccurrence, args.label_counts, args.names, args.rows);
    s.title = fs::path(args.cooccurrence).stem().string();
    return s;
  }
  if (args.input.inputs.empty())
    throw Error(
        "give data files (or a data set name), or --cooccurrence, --label-counts and "
        "--names");
  if (auto s = read_catalog_counts(args)) return std::move(*s);
  if (args.rows != 0) throw Error("--rows is for published counts; data files count their rows");

  const Dataset data = load_inputs(args.input.inputs, to_read_options(args.input));
  for (const std::string& n : data.notes) note(n);
  std::vector<std::string> files;
  for (const std::string& s : data.sources.empty() ? args.input.inputs : data.sources) {
    const std::string name = fs::path(s).filename().string();
    files.push_back(name);
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.find("test") != std::string::npos)
      note(
          fmt::format("{} looks like a test file: label graphs should be built from training "
                      "rows only (all given files are used)",
                      name));
  }
  Source s;
  s.stats = graph::count_cooccurrence(data.labels, data.label_names, args.threads);
  s.title = fmt::format("{}", fmt::join(files, " + "));  // relation names say little (MULAN's)
  return s;
}

Index off_diagonal_edges(const Adjacency& a) {
  Index n = 0;
  for (Index i = 0; i < a.rows(); ++i)
    for (Index j = 0; j < a.cols(); ++j) n += i != j && a(i, j) != 0.0;
  return n;
}

std::string stats_json(const Adjacency& a, const graph::LabelGraph& g,
                       const std::optional<graph::Communities>& communities) {
  using nlohmann::json;
  const Index n = g.num_labels();
  const Index edges = off_diagonal_edges(a);
  json j;
  j["nodes"] = n;
  j["edges"] = edges;
  j["density"] = n > 1 ? static_cast<double>(edges) / static_cast<double>(n * (n - 1)) : 0.0;
  j["components"] = graph::connected_components(g).count;
  if (communities) {
    j["modularity"] = communities->modularity;
    j["communities"] = communities->count;
  }
  std::vector<graph::WeightedEdge> pairs = g.edges();
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const auto& x, const auto& y) { return x.weight > y.weight; });
  json top = json::array();
  for (std::size_t k = 0; k < std::min<std::size_t>(10, pairs.size()); ++k)
    top.push_back({{"source", g.label(pairs[k].source).name},
                   {"target", g.label(pairs[k].target).name},
                   {"weight", pairs[k].weight}});
  j["top_pairs"] = std::move(top);
  return j.dump(2) + "\n";
}

void run_graph(const GraphArgs& in) {
  GraphArgs args = in;
  const graph::LabelGraphSpec& spec = args.spec;
  if (!contains(graph::weighting_names(), spec.weighting))
    throw Error(fmt::format("unknown weighting '{}': expected one of {}", spec.weighting,
                            fmt::join(graph::weighting_names(), ", ")));
  if (args.engine != "auto" && !contains(graph::layout_engines(), args.engine))
    throw Error(fmt::format("unknown layout engine '{}': expected auto or one of {}", args.engine,
                            fmt::join(graph::layout_engines(), ", ")));
  if (spec.normalization != "none" && spec.normalization != "symmetric" && spec.normalization != "row")
    throw Error(
        fmt::format("--normalize must be none, symmetric or row, not '{}'", spec.normalization));
  const std::string format = lower_extension(args.out);
  if (args.out.empty() && !args.stats) throw Error("give --out FILE, --stats, or both");
  if (!args.out.empty() && !contains(output_formats(), format))
    throw Error(
        fmt::format("cannot tell the output format of '{}' from its extension: expected "
                    "one of .{}",
                    args.out, fmt::join(output_formats(), ", .")));
  if (args.color != "auto" && args.color != "community" && args.color != "irlbl" &&
      args.color != "none")
    throw Error(
        fmt::format("--color must be auto, community, irlbl or none, not '{}'", args.color));
  if (args.color == "community") args.communities = true;

  const Source source = read_source(args);
  const graph::BuiltLabelGraph built = graph::build_label_graph(source.stats, spec);
  const graph::Cooccurrence& stats = built.stats;
  const Adjacency& a = built.weights;
  for (const std::string& n : built.notes.notes) note(n);
  const bool directed = built.directed;
  graph::LabelGraph g = built.label_graph();

  std::optional<graph::Communities> communities;
  if (args.communities) {
    graph::CommunityOptions options;
    options.resolution = args.resolution;
    options.seed = args.seed;
    communities = graph::detect_communities(g, options);
    for (const std::string& n : communities->notes) note(n);
    g.set_communities(communities->membership);
  }
  if (args.stats) {
    const std::string text = stats_json(a, g, communities);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  if (args.out.empty()) return;

  if (format == "csv") return write_file_atomically(args.out, graph::to_csv(a, stats.names));
  if (format == "graphml") return write_file_atomically(args.out, graph::to_graphml(g));
  if (format == "json") {
    std::vector<std::string> notes = built.notes.notes;
    if (communities)
      notes.insert(notes.end(), communities->notes.begin(), communities->notes.end());
    return write_file_atomically(args.out, graph::to_json(g, spec.weighting, notes));
  }

  // A figure (svg, pdf, png) or its DOT text.
  graph::FigureOptions options;
  options.prune_by_default = !args.topk_given;
  options.color = args.color;
  options.engine = args.engine;
  options.title = args.title.empty() ? source.title : args.title;
  options.legend = !args.no_legend;
  const graph::PreparedFigure plan = graph::prepare_figure(stats, spec, g, communities, options);
  for (const std::string& n : plan.notes) note(n);
  const graph::LabelGraph& figure = plan.pruned ? *plan.pruned : g;
  const graph::FigureStyle& style = plan.style;

  if (format == "dot") return write_file_atomically(args.out, graph::to_dot(figure, style));
  std::vector<std::string> warnings;
  graph::render_figure(figure, style, args.out, &warnings);
  for (const std::string& w : warnings) note(w);
}

}  // namespace

void add_graph_command(CLI::App& app) {
  auto args = std::make_shared<GraphArgs>();
  auto* cmd = app.add_subcommand(
      "graph",
      "Build the label co-occurrence graph of a data set (or of published counts) with a "
      "weighting, analyse it (components, Leiden communities with modularity) and write it as a "
      "figure (SVG, PDF, PNG, rendered in-process with Graphviz) or as data (DOT, GraphML, "
      "JSON nodes + edges, CSV matrix). Label graphs must come from TRAINING rows only: give "
      "the training file (e.g. NAME-train.arff), not the test file; every given file is counted.");
  add_input_options(cmd, args->input, "FILE", /*labels_only=*/true);
  // DATA is optional here: published counts replace it.
  cmd->get_option("FILE")->required(false);
  cmd->add_option("--cooccurrence", args->cooccurrence,
                  "published counts: L x L co-occurrence CSV (no header; diagonal 0 or the label "
                  "counts), e.g. ML-GCN's coco_cooccurrence.csv");
  cmd->add_option("--label-counts", args->label_counts,
                  "published counts: the L label counts, one per line (or one row)");
  cmd->add_option("--names", args->names, "published counts: the L label names, one per line");
  cmd->add_option("--rows", args->rows,
                  "published counts: the number of training rows behind them (pmi, npmi and "
                  "lift need it)");
  cmd->add_option("--weighting", args->spec.weighting,
                  "edge weights: " + fmt::format("{}", fmt::join(graph::weighting_names(), ", ")) +
                      " (see src/graph/weighting.hpp)")
      ->required();
  cmd->add_option("--tau", args->spec.tau, "mlgcn-*: threshold on P(j|i)")->capture_default_str();
  cmd->add_option("--p", args->spec.p, "mlgcn-reweighted: mass given to the neighbours")
      ->capture_default_str();
  cmd->add_option("--topk", args->spec.top_k,
                  "keep each label's K strongest edges (0 = all). Without --topk, figures (and "
                  ".dot) with more than 150 edges show the top 3 per label; pruned figures hide "
                  "labels left without edges, and the legend says what was hidden")
      ->each([args](const std::string&) { args->topk_given = true; });
  cmd->add_option("--min-support", args->spec.min_support,
                  "drop pairs that co-occur fewer than S times");
  cmd->add_option("--normalize", args->spec.normalization,
                  "normalise last: none, symmetric (D^-1/2 A D^-1/2) or row")
      ->capture_default_str();
  cmd->add_flag("--communities", args->communities,
                "detect communities (igraph Leiden, modularity); colours the figure, adds "
                "modularity to --stats and community to JSON/GraphML nodes");
  cmd->add_option("--resolution", args->resolution, "modularity resolution for --communities")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "random seed of the community detection")
      ->capture_default_str();
  cmd->add_flag("--stats", args->stats,
                "print JSON on stdout: nodes, edges (directed, i != j, non-zero), density = "
                "edges / (L (L - 1)), components (weak), modularity (with --communities), "
                "top_pairs (10 strongest)");
  cmd->add_option("--engine", args->engine,
                  "figure layout: auto (neato up to 100 drawn labels, else sfdp), neato, sfdp, "
                  "dot, circo, fdp")
      ->capture_default_str();
  cmd->add_option("--color", args->color,
                  "node colour: community, irlbl (imbalance ratio), none; auto = community "
                  "with --communities, else irlbl")
      ->capture_default_str();
  cmd->add_option("--title", args->title,
                  "legend title (default: the data files' names, or the counts file's)");
  cmd->add_flag("--no-legend", args->no_legend, "draw no legend");
  cmd->add_option("--threads", args->threads, "threads for counting, 0 = all cores")
      ->capture_default_str();
  cmd->add_option("--out", args->out,
                  "output file; its extension picks the format: .svg .pdf .png (figure), .dot "
                  "(the figure's Graphviz source), .graphml, .json (nodes + edges), .csv (the "
                  "full L x L matrix, header row and first column = label names, 17 significant "
                  "digits)");
  cmd->footer(
      "Examples:\n"
      "  labelgraph graph scene-train.arff --weighting conditional --communities --out scene.svg\n"
      "  labelgraph graph Corel5k-train-sparse.arff --xml Corel5k.xml --weighting npmi --out "
      "c.pdf\n"
      "  labelgraph graph --cooccurrence coco_cooccurrence.csv --label-counts "
      "coco_label_counts.csv\n"
      "      --names coco_labels.txt --weighting mlgcn-binary --tau 0.4 --stats --out coco.svg\n"
      "  labelgraph graph mlgcn-coco --weighting mlgcn-reference --out coco-adj.csv");
  cmd->callback([args] { run_graph(*args); });
}

}  // namespace lg::cli
