#pragma once
// The figures of one data set of a run, from its finished cells (report/plots.hpp draws them),
// each as NAME.dat, NAME.gp, NAME.svg and NAME.pdf in `folder` (relative to the output folder):
//
//   label-ap       per-label AP (mean over each algorithm's cells; labels without a positive
//                  in a cell's test rows left out of that mean) against labels ordered by
//                  training count, the count on a second axis; bars up to 60 labels, points
//                  and a running mean above
//   pr-buckets     precision-recall per training-frequency bucket and over all labels
//                  (micro-averaged over the bucket's labels, interpolated precision at fixed
//                  recall levels; mean ± sd over each algorithm's cells)
//   threshold      micro-F1, macro-F1 and Hamming loss against one global threshold applied to
//                  the test scores (mean ± sd over cells)
//   cooccurrence   label co-occurrence counts of the first seed's first training fold (the
//                  rows graphs/ draws), rows and columns ordered by Leiden community of the
//                  label graph of [graph] (largest first; by training count inside one),
//                  communities outlined, diagonal left out; averaged over squares above 300
//                  labels
//
// pr-buckets and threshold need the cells' curves (eval/score_curves.hpp); cells whose records
// predate them are left out, and the figure is skipped when none has them (a run note says so).
// Without gnuplot only the .dat and .gp files are written (a run note says so).
#include <filesystem>
#include <vector>

#include "core/context.hpp"
#include "experiment/cell.hpp"
#include "experiment/config.hpp"
#include "experiment/experiment_data.hpp"
#include "experiment/runner.hpp"

namespace lg {

/// label-ap, pr-buckets and threshold of `cells` (one data set's) into `dir`, series in the
/// order of `algorithms` (labels; algorithms without cells are left out). Returns notes for the
/// run (figures skipped, cells left out, gnuplot missing) and appends the files to `written`.
std::vector<std::string> write_cell_figures(const std::vector<CellResult>& cells,
                                            const std::vector<std::string>& algorithms,
                                            const std::string& dataset,
                                            const std::filesystem::path& dir,
                                            std::vector<std::filesystem::path>& written);

/// The order cooccurrence draws labels in: by community (0 first), then by training count
/// (descending), then by label index; `blocks` receives each community's [begin, end).
std::vector<std::size_t> community_order(const std::vector<int>& membership,
                                         const std::vector<double>& label_counts,
                                         std::vector<std::pair<std::size_t, std::size_t>>* blocks);

/// cooccurrence into `dir`: the co-occurrence counts of `labels`, ordered by the Leiden
/// communities of the label graph `spec` builds from them (seeded with `seed`). Returns the
/// files written.
std::vector<std::filesystem::path> write_cooccurrence_figure(
    const LabelMatrix& labels, const std::vector<std::string>& names,
    const graph::LabelGraphSpec& spec, std::uint64_t seed, const Context& ctx,
    const std::string& title, const std::filesystem::path& dir);

/// Write the data set's figures under result.output_dir / folder, adding the files to
/// result.outputs and notes to result.run_notes. `cells` are the data set's finished cells.
void write_dataset_figures(const ExperimentConfig& config, const DatasetConfig& cfg,
                           const LoadedData& loaded, const std::vector<CellResult>& cells,
                           const Context& ctx, const std::filesystem::path& folder,
                           ExperimentResult& result);

}  // namespace lg
