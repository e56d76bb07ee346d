// Training history as a table and as a gnuplot figure, drawn through report/gnuplot.hpp (the
// output path reaches the script as ARG1; the title is escaped into a gnuplot string).
#include "report/training_history.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "report/gnuplot.hpp"

namespace lg::report {

namespace fs = std::filesystem;

namespace {

/// The index of the best epoch's record: `best_epoch`, or the last record when it is 0.
std::size_t best_index(const TrainingHistory& history, const std::string& what) {
  if (history.best_epoch == 0) return history.epochs.size() - 1;
  for (std::size_t i = 0; i < history.epochs.size(); ++i)
    if (history.epochs[i].epoch == history.best_epoch) return i;
  throw Error(fmt::format("{}: the best epoch {} is not in the history (epochs {} to {})", what,
                          history.best_epoch, history.epochs.front().epoch,
                          history.epochs.back().epoch));
}

Cell number_or_empty(double v) { return std::isnan(v) ? Cell() : Cell(v); }

}  // namespace

Table history_table(const TrainingHistory& history) {
  Table t;
  t.columns = {{"epoch", ColumnKind::Integer},
               {"train_loss", ColumnKind::Real, 4},
               {"validation_loss", ColumnKind::Real, 4},
               {"validation_map", ColumnKind::Real, 4, Better::Higher},
               {"learning_rate", ColumnKind::Real, 6},
               {"seconds", ColumnKind::Real, 1},
               {"best", ColumnKind::Text}};
  // The `best` column says which epoch the model kept; bold on top of it would only confuse.
  t.highlight_best = false;
  if (history.epochs.empty()) return t;
  const std::size_t best = best_index(history, "training history");
  for (std::size_t i = 0; i < history.epochs.size(); ++i) {
    const EpochRecord& e = history.epochs[i];
    t.add_row({e.epoch, number_or_empty(e.train_loss), number_or_empty(e.validation_loss),
               number_or_empty(e.validation_map), number_or_empty(e.learning_rate),
               number_or_empty(e.seconds), i == best ? Cell("*") : Cell()});
  }
  return t;
}

// ---- the figure ----

namespace {

/// Everything the figure draws, worked out from the history.
struct FigurePlan {
  bool has_validation_loss = false;
  bool has_validation_map = false;
  bool log_loss = false;
  double map_low = 0.0, map_high = 1.0;
  int first_epoch = 0, last_epoch = 0, best_epoch = 0;
};

FigurePlan plan_figure(const TrainingHistory& h, const std::string& what) {
  FigurePlan p;
  double loss_min = HUGE_VAL, loss_max = -HUGE_VAL, map_min = HUGE_VAL, map_max = -HUGE_VAL;
  bool any_train = false;
  for (const EpochRecord& e : h.epochs) {
    for (const double loss : {e.train_loss, e.validation_loss}) {
      if (!std::isfinite(loss)) continue;
      loss_min = std::min(loss_min, loss);
      loss_max = std::max(loss_max, loss);
    }
    any_train = any_train || std::isfinite(e.train_loss);
    p.has_validation_loss = p.has_validation_loss || std::isfinite(e.validation_loss);
    if (std::isfinite(e.validation_map)) {
      p.has_validation_map = true;
      map_min = std::min(map_min, e.validation_map);
      map_max = std::max(map_max, e.validation_map);
    }
  }
  if (!any_train) throw Error(what + ": no finite training loss to draw");
  // A loss that spans more than a factor 20 reads better on a log axis (only if all positive).
  p.log_loss = loss_min > 0.0 && loss_max / loss_min > 20.0;
  if (p.has_validation_map) {
    // Tighten 0..1 to the values with a margin, on tenths, so small gains stay visible.
    p.map_low = std::max(0.0, std::floor((map_min - 0.02) * 10.0) / 10.0);
    p.map_high = std::min(1.0, std::ceil((map_max + 0.02) * 10.0) / 10.0);
    if (p.map_high <= p.map_low) p.map_high = std::min(1.0, p.map_low + 0.1);
  }
  p.first_epoch = h.epochs.front().epoch;
  p.last_epoch = h.epochs.back().epoch;
  p.best_epoch = h.epochs[best_index(h, what)].epoch;
  return p;
}

/// Near either end of the epoch axis a centred label would run past the figure's edge.
const char* label_alignment(const FigurePlan& p) {
  const double span = std::max(1, p.last_epoch - p.first_epoch);
  const double at = (p.best_epoch - p.first_epoch) / span;
  return at > 0.85 ? "right" : at < 0.15 ? "left" : "center";
}

std::string gnuplot_script(const TrainingHistory& h, const std::string& title,
                           const FigurePlan& p) {
  std::ostringstream s;
  s << "set encoding utf8\n"
       "set terminal svg size 720,420 dynamic enhanced font 'sans,11' background '#ffffff'\n"
       "set output ARG1\n";  // the path is an argument: no quoting of file names in the script
  s << "set title " << gnuplot_text(title) << "\n";
  s << "$history << EOD\n";
  for (const EpochRecord& e : h.epochs)
    s << e.epoch << ' ' << gnuplot_number(e.train_loss) << ' ' << gnuplot_number(e.validation_loss) << ' '
      << gnuplot_number(e.validation_map) << '\n';
  s << "EOD\n";
  // Below the plot, so the key never hides a curve.
  s << "set key outside below center horizontal maxcols 3 samplen 2 noautotitle\n"
       "set grid xtics ytics lc rgb '#e0e0e0' lt 1\n"
       "set border 3 lc rgb '#404040'\n"
       "set xlabel 'epoch'\n"
       "set ylabel 'loss'\n"
       "set xtics nomirror\nset ytics nomirror\n";
  if (p.first_epoch == p.last_epoch)
    s << fmt::format("set xrange [{}:{}]\n", p.first_epoch - 1, p.last_epoch + 1);
  else
    s << fmt::format("set xrange [{}:{}]\n", p.first_epoch, p.last_epoch);
  if (p.last_epoch - p.first_epoch <= 10) s << "set xtics 1\n";
  s << "set format x '%.0f'\n";
  if (p.log_loss) s << "set logscale y\n";
  if (p.has_validation_map) {
    s << "set border 11 lc rgb '#404040'\n"
         "set y2label 'validation mAP'\n"
         "set y2tics nomirror\n"
      << fmt::format("set y2range [{}:{}]\n", p.map_low, p.map_high);
  }
  // The epoch the model kept: a dashed vertical line, labelled just above the plot area (inside
  // it would cross the curves), between the plot and the title.
  s << "set tmargin 4\n";
  s << fmt::format(
      "set arrow 1 from {0}, graph 0 to {0}, graph 1 nohead dt 2 lw 1.5 lc rgb '#606060' front\n"
      "set label 1 'best epoch {0}' at {0}, graph 1 offset 0,0.6 {1} tc rgb '#404040' front\n",
      p.best_epoch, label_alignment(p));
  const bool points = h.epochs.size() <= 40;
  const std::string style = points ? "linespoints pt 7 ps 0.5" : "lines";
  s << "plot $history using 1:2 with " << style
    << " lw 2 lc rgb '#1f77b4' title 'train loss'";
  if (p.has_validation_loss)
    s << ", \\\n  $history using 1:3 with " << style
      << " lw 2 lc rgb '#ff7f0e' title 'validation loss'";
  if (p.has_validation_map)
    s << ", \\\n  $history using 1:4 axes x1y2 with " << style
      << " lw 2 dt 4 lc rgb '#2ca02c' title 'validation mAP (right axis)'";
  s << "\n";
  return s.str();
}

}  // namespace

void write_history_figure(const TrainingHistory& history, const std::string& title,
                          const fs::path& svg_path) {
  const std::string what = "cannot draw " + svg_path.string();
  if (history.epochs.empty()) throw Error(what + ": the training history has no epochs");
  const FigurePlan plan = plan_figure(history, what);
  draw_with_gnuplot(gnuplot_script(history, title, plan), svg_path);
}

}  // namespace lg::report
