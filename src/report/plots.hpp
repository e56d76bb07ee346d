#pragma once
// Generic figure kinds drawn through report/gnuplot.hpp: each call writes NAME.dat, NAME.gp,
// NAME.svg and NAME.pdf into a folder (write_figure's contract: atomic files, deterministic
// .dat/.gp, an editable script that re-makes the figure when run in that folder). Nothing here
// knows about experiments: callers hand in the numbers.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "report/gnuplot.hpp"

namespace lg::report {

// ---- lines with ±sd bands ------------------------------------------------------------------

/// One line: y = mean against x, with a shaded band mean ± sd.
struct BandSeries {
  std::string name;          ///< the key's text (any text; escaped for gnuplot)
  std::vector<double> x;     ///< increasing x values
  std::vector<double> mean;  ///< one per x; NaN leaves a gap
  std::vector<double> sd;    ///< one per x, or empty for no band; NaN or 0: no band there
};

/// One panel: its own y axis and series.
struct BandPanel {
  std::string title;                ///< above the panel (may be empty)
  std::string y_label;              ///< the y axis
  std::vector<BandSeries> series;   ///< drawn in order, colours from series_colour(i)
};

struct BandFigure {
  std::string title;               ///< above the whole figure
  std::string x_label;             ///< shared by all panels
  std::vector<BandPanel> panels;   ///< side by side, up to `columns` per row
  int columns = 3;                 ///< panels per row
  bool log_x = false;              ///< log-scaled x axis (x must then be > 0)
  /// y range of every panel; NaN = gnuplot's automatic range
  double y_min = std::numeric_limits<double>::quiet_NaN();
  double y_max = std::numeric_limits<double>::quiet_NaN();
  bool markers = true;             ///< a point at each x (off for dense curves)
  std::vector<std::string> notes;  ///< extra lines for the .dat header (what was averaged, ...)
};

/// Lines of mean against x with ±sd bands, one panel per BandPanel, e.g. a measure against a
/// swept parameter with the spread over seeds and folds:
///
///   report::BandFigure f;
///   f.title = "emotions: macro-F1 against k";
///   f.x_label = "k";
///   f.panels = {{"", "macro-F1", {{"mlknn", {1, 5, 10}, {0.61, 0.64, 0.63}, {0.01, 0.02, 0.01}}}}};
///   report::write_band_figure(out / "figures" / "emotions", "sweep-k-macro_f1", f);
///
/// FIG.dat holds one block per (panel, series), in that order, separated by two blank lines
/// (gnuplot's `index`), each with the columns x, mean, sd, mean-sd, mean+sd. Throws lg::Error
/// for no panels, a series whose x, mean and sd differ in length, or non-increasing x.
WrittenFigure write_band_figure(const std::filesystem::path& dir, const std::string& name,
                                const BandFigure& figure);

/// The one-panel case: `series` against x_label, y_label.
WrittenFigure write_band_figure(const std::filesystem::path& dir, const std::string& name,
                                const std::string& title, const std::string& x_label,
                                const std::string& y_label, const std::vector<BandSeries>& series);

// ---- a value per label, labels ordered by training frequency -------------------------------

struct LabelValueFigure {
  std::string title;
  std::string y_label;                    ///< e.g. "AP (mean over cells)"
  std::vector<std::string> labels;        ///< label names
  std::vector<double> train_count;        ///< one per label (e.g. the mean over folds)
  std::vector<std::string> series_names;  ///< e.g. the algorithms
  /// series x labels values (series-major); NaN where undefined (no bar / no point)
  std::vector<std::vector<double>> values;
  /// At most this many labels: grouped bars with the label names under them; more: one point
  /// per label and series against the label's rank, a running mean as a line, no names.
  std::size_t bar_limit = 60;
  std::vector<std::string> notes;         ///< extra lines for the .dat header
};

/// Labels sorted by training count, most frequent first (ties: label order), with the training
/// count on a log-scaled right axis. FIG.dat: one row per label in that order: rank, train
/// count, the series' values, then (many labels only) the series' running means, then the
/// label's name in quotes. Throws lg::Error for sizes that do not agree or no labels.
WrittenFigure write_label_value_figure(const std::filesystem::path& dir, const std::string& name,
                                       const LabelValueFigure& figure);

// ---- a square matrix as a heat map with marked blocks --------------------------------------

struct HeatMapFigure {
  std::string title;
  std::string colour_label;           ///< what a cell's colour means
  std::vector<std::string> names;     ///< n row/column names, in the matrix's order
  std::vector<double> values;         ///< n x n, row-major; NaN = blank (e.g. the diagonal)
  /// Blocks along the diagonal to outline, as [begin, end) index ranges in the matrix's order
  /// (e.g. communities); ranges of one entry are not drawn.
  std::vector<std::pair<std::size_t, std::size_t>> blocks;
  bool log_colour = true;             ///< log colour scale (0 entries are then blank)
  /// Larger matrices are averaged over squares of ceil(n / max_cells) entries (the .dat and
  /// the x axis label say so; block edges are then drawn at the scaled positions).
  std::size_t max_cells = 300;
  std::size_t name_limit = 60;        ///< tick names only for at most this many entries
  std::vector<std::string> notes;     ///< extra lines for the .dat header
};

/// FIG.dat: the (possibly averaged) matrix, one text row per matrix row (gnuplot's `matrix`
/// format), after a header naming the order and the blocks. Throws lg::Error for sizes that do
/// not agree or a block outside the matrix.
WrittenFigure write_heat_map_figure(const std::filesystem::path& dir, const std::string& name,
                                    const HeatMapFigure& figure);

}  // namespace lg::report
