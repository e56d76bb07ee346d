// Band, per-label and heat-map figures: their .dat text and gnuplot body (see plots.hpp).
#include "report/plots.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace lg::report {

namespace fs = std::filesystem;

namespace {

/// A name as one quoted column of gnuplot data (double quotes inside become single ones).
std::string data_text(const std::string& text) {
  std::string out = "\"";
  for (const char c : text)
    out += c == '"' ? '\'' : (static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  return out + "\"";
}

/// A header comment line (newlines in user text become spaces).
std::string comment(const std::string& text) {
  std::string out = "# ";
  for (const char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out + "\n";
}

/// `text` as a single-quoted gnuplot string shown as is where enhanced text is off (tics set
/// `noenhanced`): only quotes are doubled and control characters become spaces.
std::string plain_text(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') out += "''";
    else out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  }
  return out + "'";
}

/// The key and frame settings every figure shares.
const char* const kFrame =
    "set grid xtics ytics lc rgb '#e0e0e0' lt 1\n"
    "set border 3 lc rgb '#404040'\n"
    "set xtics nomirror\n"
    "set ytics nomirror\n";

}  // namespace

// ---- bands ---------------------------------------------------------------------------------

WrittenFigure write_band_figure(const fs::path& dir, const std::string& name,
                                const BandFigure& figure) {
  const std::string what = fmt::format("figure {}", (dir / name).string());
  if (figure.panels.empty()) throw Error(what + ": no panels to draw");
  std::string data = comment("x: " + figure.x_label);
  for (const std::string& n : figure.notes) data += comment(n);
  data += "# One block per panel and series (gnuplot's index, from 0), columns:\n"
          "# x mean sd mean-sd mean+sd (no sd: the band is the line itself)\n";
  std::string blocks;
  std::size_t index = 0;
  std::vector<std::vector<std::size_t>> block_of(figure.panels.size());
  std::vector<std::vector<bool>> has_band(figure.panels.size());
  for (std::size_t p = 0; p < figure.panels.size(); ++p) {
    const BandPanel& panel = figure.panels[p];
    for (const BandSeries& s : panel.series) {
      if (s.mean.size() != s.x.size() || (!s.sd.empty() && s.sd.size() != s.x.size()))
        throw Error(fmt::format("{}: series '{}' has {} x values, {} means and {} sds", what,
                                s.name, s.x.size(), s.mean.size(), s.sd.size()));
      for (std::size_t i = 1; i < s.x.size(); ++i)
        if (!(s.x[i] > s.x[i - 1]))
          throw Error(fmt::format("{}: series '{}': x values must increase ({} after {})", what,
                                  s.name, s.x[i], s.x[i - 1]));
      data += fmt::format("# block {}: panel {} ({}), series {}\n", index, p + 1,
                          panel.y_label, data_text(s.name));
      if (index > 0) blocks += "\n\n";
      blocks += comment(fmt::format("panel {} ({}), series {}", p + 1, panel.y_label, s.name));
      bool band = false;
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        const double sd = s.sd.empty() ? std::nan("") : s.sd[i];
        const bool spread = std::isfinite(sd) && std::isfinite(s.mean[i]);
        band = band || (spread && sd > 0);
        blocks += fmt::format("{} {} {} {} {}\n", gnuplot_number(s.x[i]), gnuplot_number(s.mean[i]),
                              gnuplot_number(sd), gnuplot_number(spread ? s.mean[i] - sd : s.mean[i]),
                              gnuplot_number(spread ? s.mean[i] + sd : s.mean[i]));
      }
      block_of[p].push_back(index++);
      has_band[p].push_back(band);
    }
  }
  data += blocks;

  const int columns = std::max(1, std::min<int>(figure.columns, static_cast<int>(figure.panels.size())));
  const int rows = (static_cast<int>(figure.panels.size()) + columns - 1) / columns;
  std::string b = kFrame;
  b += "set key outside below center horizontal samplen 2\n";
  b += "set xlabel " + gnuplot_text(figure.x_label) + "\n";
  if (figure.log_x) b += "set logscale x\n";
  if (!std::isnan(figure.y_min) || !std::isnan(figure.y_max))
    b += fmt::format("set yrange [{}:{}]\n", std::isnan(figure.y_min) ? "*" : gnuplot_number(figure.y_min),
                     std::isnan(figure.y_max) ? "*" : gnuplot_number(figure.y_max));
  const bool multi = figure.panels.size() > 1;
  if (multi)
    b += fmt::format("set multiplot layout {},{} title {}\n", rows, columns, gnuplot_text(figure.title));
  for (std::size_t p = 0; p < figure.panels.size(); ++p) {
    const BandPanel& panel = figure.panels[p];
    b += "set title " + gnuplot_text(multi ? panel.title : figure.title) + "\n";
    b += "set ylabel " + gnuplot_text(panel.y_label) + "\n";
    std::vector<std::string> parts;
    for (std::size_t s = 0; s < panel.series.size(); ++s) {
      const std::string colour = series_colour(s);
      if (has_band[p][s])
        parts.push_back(fmt::format("datafile index {} using 1:4:5 with filledcurves fc rgb '{}' "
                                    "fs transparent solid 0.18 noborder notitle",
                                    block_of[p][s], colour));
      parts.push_back(fmt::format("datafile index {} using 1:2 with {} lw 2 lc rgb '{}' title {}",
                                  block_of[p][s], figure.markers ? "linespoints pt 7 ps 0.45" : "lines",
                                  colour, gnuplot_text(panel.series[s].name)));
    }
    if (parts.empty()) {
      b += "plot NaN notitle\n";
      continue;
    }
    b += "plot ";
    for (std::size_t i = 0; i < parts.size(); ++i) b += (i ? ", \\\n     " : "") + parts[i];
    b += "\n";
  }
  GnuplotFigure fig;
  fig.description = figure.title;
  fig.data = data;
  fig.body = b;
  fig.width = columns == 1 ? 720 : 40 + 360 * columns;
  std::size_t most = 1;
  for (const BandPanel& panel : figure.panels) most = std::max(most, panel.series.size());
  // Room under each panel for its key (about 3 entries a row in a narrow panel).
  const int key_rows = static_cast<int>((most + (columns == 1 ? 3 : 1)) / (columns == 1 ? 4 : 2));
  fig.height = (multi ? 30 : 0) + rows * (340 + 18 * key_rows);
  return write_figure(dir, name, fig);
}


WrittenFigure write_band_figure(const fs::path& dir, const std::string& name,
                                const std::string& title, const std::string& x_label,
                                const std::string& y_label, const std::vector<BandSeries>& series) {
  BandFigure f;
  f.title = title;
  f.x_label = x_label;
  f.panels = {BandPanel{"", y_label, series}};
  return write_band_figure(dir, name, f);
}

// ---- a value per label ---------------------------------------------------------------------

WrittenFigure write_label_value_figure(const fs::path& dir, const std::string& name,
                                       const LabelValueFigure& figure) {
  const std::string what = fmt::format("figure {}", (dir / name).string());
  const std::size_t L = figure.labels.size();
  if (L == 0) throw Error(what + ": no labels to draw");
  if (figure.train_count.size() != L || figure.values.size() != figure.series_names.size())
    throw Error(fmt::format("{}: {} labels, {} training counts, {} series names, {} series", what, L,
                            figure.train_count.size(), figure.series_names.size(), figure.values.size()));
  for (const std::vector<double>& v : figure.values)
    if (v.size() != L) throw Error(fmt::format("{}: a series has {} values for {} labels", what, v.size(), L));
  std::vector<std::size_t> order(L);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return figure.train_count[a] > figure.train_count[b];
  });
  const std::size_t S = figure.values.size();
  const bool bars = L <= figure.bar_limit;
  // Running mean over a centred window of ~L/20 labels (at least 5), over defined values.
  const std::size_t window = std::max<std::size_t>(5, L / 20) | 1;
  std::vector<std::vector<double>> running(S, std::vector<double>(L, std::nan("")));
  if (!bars)
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t r = 0; r < L; ++r) {
        const std::size_t from = r >= window / 2 ? r - window / 2 : 0;
        const std::size_t to = std::min(L, r + window / 2 + 1);
        double sum = 0;
        std::size_t n = 0;
        for (std::size_t k = from; k < to; ++k) {
          const double v = figure.values[s][order[k]];
          if (std::isfinite(v)) sum += v, ++n;
        }
        if (n > 0) running[s][r] = sum / static_cast<double>(n);
      }

  std::string data;
  for (const std::string& n : figure.notes) data += comment(n);
  data += "# Labels ordered by training count, most frequent first (ties: label order).\n";
  std::string header = "# rank train_count";
  for (const std::string& s : figure.series_names) header += " " + data_text(s);
  if (!bars)
    for (const std::string& s : figure.series_names)
      header += " " + data_text(fmt::format("{} running mean ({} labels)", s, window));
  data += header + " label\n";
  for (std::size_t r = 0; r < L; ++r) {
    const std::size_t l = order[r];
    data += fmt::format("{} {}", r + 1, gnuplot_number(figure.train_count[l]));
    for (std::size_t s = 0; s < S; ++s) data += " " + gnuplot_number(figure.values[s][l]);
    if (!bars)
      for (std::size_t s = 0; s < S; ++s) data += " " + gnuplot_number(running[s][r]);
    data += " " + data_text(figure.labels[l]) + "\n";
  }

  const std::size_t name_column = 3 + S + (bars ? 0 : S);
  std::string b = kFrame;
  b.replace(b.find("set border 3"), 12, "set border 11");  // and the right axis
  b += "set title " + gnuplot_text(figure.title) + "\n";
  b += "set key outside below center horizontal samplen 2\n";
  b += "set ylabel " + gnuplot_text(figure.y_label) + "\n";
  b += "set y2label 'training count (log scale)'\n";
  b += "set logscale y2\nset y2tics nomirror\nset yrange [0:*]\n";
  std::vector<std::string> parts;
  if (bars) {
    b += "set style data histograms\n"
         "set style histogram clustered gap 1\n"
         "set style fill solid 0.85 noborder\n"
         "set grid noxtics\n";
    b += fmt::format("set xtics rotate by -55 left scale 0 noenhanced font ',{}'\n", L > 30 ? 7 : 9);
    b += fmt::format("set xrange [-0.6:{}]\n", gnuplot_number(static_cast<double>(L) - 0.4));
    b += "set xlabel 'labels, most frequent in training first'\n";
    for (std::size_t s = 0; s < S; ++s)
      parts.push_back(fmt::format("datafile using {}{} lc rgb '{}' title {}", 3 + s,
                                  s == 0 ? fmt::format(":xtic({})", name_column) : std::string(),
                                  series_colour(s), gnuplot_text(figure.series_names[s])));
    parts.push_back("datafile using 0:2 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 dt 2 "
                    "lc rgb '#404040' title 'training count (right axis)'");
  } else {
    b += fmt::format("set xrange [0:{}]\n", L + 1);
    b += fmt::format("set xlabel {}\n",
                     gnuplot_text(fmt::format("label rank by training count ({} labels, most "
                                              "frequent first; names left out above {})",
                                              L, figure.bar_limit)));
    for (std::size_t s = 0; s < S; ++s)
      parts.push_back(fmt::format("datafile using 1:{} with points pt 7 ps 0.3 lc rgb '{}' notitle",
                                  3 + s, series_colour(s)));
    for (std::size_t s = 0; s < S; ++s)
      parts.push_back(fmt::format("datafile using 1:{} with lines lw 2 lc rgb '{}' title {}",
                                  3 + S + s, series_colour(s),
                                  gnuplot_text(figure.series_names[s] + " (running mean)")));
    parts.push_back("datafile using 1:2 axes x1y2 with lines lw 1.5 dt 2 lc rgb '#404040' "
                    "title 'training count (right axis)'");
  }
  b += "plot ";
  for (std::size_t i = 0; i < parts.size(); ++i) b += (i ? ", \\\n     " : "") + parts[i];
  b += "\n";
  GnuplotFigure fig;
  fig.description = figure.title;
  fig.data = data;
  fig.body = b;
  fig.width = bars ? std::max(720, static_cast<int>(160 + L * (6 + 5 * S))) : 900;
  fig.height = 460 + (bars ? 60 : 0);
  return write_figure(dir, name, fig);
}

// ---- heat map ------------------------------------------------------------------------------

WrittenFigure write_heat_map_figure(const fs::path& dir, const std::string& name,
                                    const HeatMapFigure& figure) {
  const std::string what = fmt::format("figure {}", (dir / name).string());
  const std::size_t n = figure.names.size();
  if (n == 0) throw Error(what + ": an empty matrix");
  if (figure.values.size() != n * n)
    throw Error(fmt::format("{}: {} values for {} names (need {})", what, figure.values.size(), n, n * n));
  for (const auto& [begin, end] : figure.blocks)
    if (begin >= end || end > n)
      throw Error(fmt::format("{}: block [{}, {}) is not inside the {} entries", what, begin, end, n));
  const std::size_t step = std::max<std::size_t>(1, (n + figure.max_cells - 1) / std::max<std::size_t>(1, figure.max_cells));
  const std::size_t m = (n + step - 1) / step;
  std::vector<double> cells(m * m, 0.0);
  for (std::size_t I = 0; I < m; ++I)
    for (std::size_t J = 0; J < m; ++J) {
      double sum = 0;
      std::size_t count = 0;
      for (std::size_t i = I * step; i < std::min(n, (I + 1) * step); ++i)
        for (std::size_t j = J * step; j < std::min(n, (J + 1) * step); ++j) {
          const double v = figure.values[i * n + j];
          sum += std::isfinite(v) ? v : 0.0;
          ++count;
        }
      cells[I * m + J] = sum / static_cast<double>(count);
    }
  double top = 0;
  for (const double v : cells) top = std::max(top, v);

  std::string data = comment("colour: " + figure.colour_label);
  for (const std::string& note : figure.notes) data += comment(note);
  if (step > 1)
    data += comment(fmt::format("{} entries averaged over squares of {} x {} into {} x {} cells "
                                "(the last square may be smaller)", n, step, step, m, m));
  data += "# Order of the rows and columns (0-based position: name):\n";
  for (std::size_t i = 0; i < n; ++i) data += comment(fmt::format("{}: {}", i, figure.names[i]));
  data += "# Outlined blocks [begin, end) in that order:";
  for (const auto& [begin, end] : figure.blocks)
    if (end - begin > 1) data += fmt::format(" [{}, {})", begin, end);
  data += "\n# The matrix, one line per row (gnuplot's `matrix` format); undefined entries written as 0:\n";
  for (std::size_t I = 0; I < m; ++I) {
    for (std::size_t J = 0; J < m; ++J) data += (J ? " " : "") + gnuplot_number(cells[I * m + J]);
    data += "\n";
  }

  // Small matrices: one rectangle per non-zero cell (crisp); larger: an embedded image.
  const bool pixels = m <= 100;
  std::string b;
  b += "set title " + gnuplot_text(figure.title) + "\n";
  b += "set size ratio -1\nunset key\nset border lc rgb '#404040'\n";
  b += fmt::format("set xrange [-0.5:{0}]\nset yrange [{0}:-0.5]\n", gnuplot_number(static_cast<double>(m) - 0.5));
  b += "set cblabel " + gnuplot_text(figure.colour_label + (figure.log_colour ? " (log scale)" : "")) +
       " offset 2.5,0\n";
  b += "set palette defined (0 '#ffffff', 1 '#c6dbef', 2 '#6baed6', 3 '#2171b5', 4 '#08306b')\n";
  if (figure.log_colour) {
    // Colour by log10(1 + value): 0 stays white; the colour bar's tics name the values.
    b += fmt::format("set cbrange [0:{}]\n", gnuplot_number(std::log10(1.0 + std::max(top, 1.0))));
    b += "set cbtics (";
    bool first = true;
    for (double t = 1; t <= std::max(top, 1.0) * 1.0000001; t *= 10) {
      b += fmt::format("{}'{}' {}", first ? "" : ", ", gnuplot_number(t), gnuplot_number(std::log10(1.0 + t)));
      first = false;
    }
    b += ")\n";
  } else {
    b += fmt::format("set cbrange [0:{}]\n", gnuplot_number(std::max(top, 1e-300)));
  }
  if (n <= figure.name_limit && step == 1) {
    std::string tics;
    for (std::size_t i = 0; i < n; ++i)
      tics += fmt::format("{}{} {}", i ? ", " : "", plain_text(figure.names[i]), i);
    b += fmt::format("set xtics ({}) rotate by -55 left scale 0 noenhanced font ',8'\n", tics);
    b += fmt::format("set ytics ({}) scale 0 noenhanced font ',8'\n", tics);
  } else {
    b += "unset xtics\nunset ytics\n";
    std::string xlabel = fmt::format("{} labels (names left out above {})", n, figure.name_limit);
    if (step > 1)
      xlabel = fmt::format("{} labels, averaged over squares of {} x {} into {} x {} cells (names "
                           "left out above {})", n, step, step, m, m, figure.name_limit);
    b += "set xlabel " + gnuplot_text(xlabel) + "\n";
  }
  int object = 1;
  for (const auto& [begin, end] : figure.blocks) {
    if (end - begin < 2) continue;
    const double lo = static_cast<double>(begin) / static_cast<double>(step) - 0.5;
    const double hi = static_cast<double>(end) / static_cast<double>(step) - 0.5;
    b += fmt::format("set object {0} rect from {2},{2} to {3},{3} front fs empty border lc rgb '{1}' lw 1.2\n",
                     object++, "#d62728", gnuplot_number(lo), gnuplot_number(hi));
  }
  // In rectangles, zero cells are left out (NaN): white background, a much smaller file.
  std::string column;
  if (pixels) column = figure.log_colour ? "($3 > 0 ? log10(1 + $3) : NaN)" : "($3 != 0 ? $3 : NaN)";
  else column = figure.log_colour ? "(log10(1 + $3))" : "3";
  b += fmt::format("plot datafile matrix using 1:2:{} with image{}\n", column, pixels ? " pixels" : "");
  GnuplotFigure fig;
  fig.description = figure.title;
  fig.data = data;
  fig.body = b;
  fig.width = 760;
  fig.height = 720;
  return write_figure(dir, name, fig);
}

}  // namespace lg::report
