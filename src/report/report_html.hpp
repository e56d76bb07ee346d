#pragma once
// report.html: one self-contained page for a run's output folder, to open in a browser without
// a server or the network. It shows what the folder holds:
//   * the summary table (tables/summary.csv) first, then every other table of tables/ and
//     timings/ (their CSV files), each sortable by clicking a header; a column `<h>_sd` after
//     `<h>` is shown as "mean ± sd";
//   * each label graph of graphs/*.view.json (graph/graph_view.hpp) as an interactive view:
//     zoom and pan, hover for a label's count, IRLbl and community, a community filter, a
//     slider hiding edges below a weight (WebGL through sigma.js, which stays smooth at 1,000
//     labels and tens of thousands of edges);
//   * every SVG figure under the folder (graphs/, histories/, figures/, ...), as images;
//   * config.resolved.toml.
// Everything is inside the file: the data as JSON, the figures as data: URIs, the JavaScript
// (report/web_assets.hpp: pinned npm packages compiled in) and the style. Text from the run
// (label names, table cells) is escaped for where it goes, so no name can end a script or add
// markup.
#include <filesystem>
#include <string>

namespace lg::report {

struct ReportHtmlOptions {
  std::string title = "labelgraph run";  ///< page title and first heading (the experiment's name)
};

/// The page for the run folder `dir`. Throws lg::Error naming the file when a table or graph
/// file there cannot be read or parsed.
std::string report_html(const std::filesystem::path& dir, const ReportHtmlOptions& options = {});

/// report_html(dir) written atomically to dir/report.html.
void write_report_html(const std::filesystem::path& dir, const ReportHtmlOptions& options = {});

}  // namespace lg::report
