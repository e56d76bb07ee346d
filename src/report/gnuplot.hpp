#pragma once
// The one way labelgraph draws with gnuplot (gnuplot-nox): gnuplot runs as a child process
// (posix_spawn, no shell), file names reach the script as arguments (ARG1, ARG2, ...), user
// text is escaped into single-quoted gnuplot strings, and every output is written under a
// temporary name and renamed into place.
//
// A figure FIG written by write_figure() is four files in one folder:
//   FIG.dat   the numbers drawn, with a header comment saying what each block and column is
//   FIG.gp    an editable gnuplot script: `gnuplot FIG.gp` run in that folder reads FIG.dat and
//             writes FIG.svg and FIG.pdf again (the same SVG bytes labelgraph wrote)
//   FIG.svg   self-contained (images are embedded as PNG data), for reports and HTML pages
//   FIG.pdf   the same figure through the pdfcairo terminal, one point per SVG pixel
// .dat and .gp are deterministic: the same inputs give the same bytes.
#include <filesystem>
#include <string>
#include <vector>

namespace lg::report {

/// `text` as a single-quoted gnuplot string whose enhanced-text rendering is `text` itself:
/// enhanced-mode specials get a backslash, quotes are doubled, control characters become spaces.
/// (The SVG terminal escapes '&' and '<' itself under `set encoding utf8`, which scripts set.)
std::string gnuplot_text(const std::string& text);
/// A value for gnuplot data: the shortest text that reads back as the same double; "NaN" (a
/// gap) for anything not finite.
std::string gnuplot_number(double v);

/// gnuplot's path from $PATH, or empty when it is not installed.
std::string find_gnuplot();

/// Run `gnuplot -c script args...`; throws lg::Error starting with `what` when gnuplot cannot
/// be started or fails (its exit status and message).
void run_gnuplot(const std::filesystem::path& script, const std::vector<std::string>& args,
                 const std::string& what);

/// Run the script text `script` (a temporary file) with ARG1 = a temporary output path, check
/// that it wrote something, and rename that onto `output`. For one-file figures (the training
/// history). Throws lg::Error naming `output` when gnuplot is
/// missing or fails.
void draw_with_gnuplot(const std::string& script, const std::filesystem::path& output);

/// A figure's parts; write_figure() adds the terminals and outputs around `body`.
struct GnuplotFigure {
  std::string description;  ///< one line, the first comment of the .dat and .gp files
  std::string data;         ///< the text of FIG.dat after its header line (comments start '#')
  /// gnuplot commands that draw the figure once the terminal and output are set; they read the
  /// data through the variable `datafile` (e.g. `plot datafile index 0 using 1:2`)
  std::string body;
  int width = 720;   ///< SVG pixels (PDF points)
  int height = 420;  ///< SVG pixels (PDF points)
};

/// What write_figure() made, as paths.
struct WrittenFigure {
  std::vector<std::filesystem::path> files;  ///< .dat, .gp, then .svg and .pdf when drawn
  bool drawn = false;  ///< false when gnuplot is not installed (data and script only)
};

/// Write dir/name.dat, dir/name.gp and, when gnuplot is installed, dir/name.svg and dir/name.pdf
/// (each atomically; `dir` is created). `name` must be a plain file stem (letters, digits, '-',
/// '_', '.'). Throws lg::Error when gnuplot fails or a file cannot be written.
WrittenFigure write_figure(const std::filesystem::path& dir, const std::string& name,
                           const GnuplotFigure& figure);

/// The colour of series i (a fixed palette of 10, repeated), as gnuplot's '#rrggbb'.
std::string series_colour(std::size_t i);

}  // namespace lg::report
