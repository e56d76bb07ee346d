#pragma once
// Critical-difference diagrams (Demšar, JMLR 2006, §3.2.2, Fig. 1): an axis of average ranks
// 1..k (1 = best, on the left), each algorithm a line from its average rank to its name (the
// better half on the left, the rest on the right), thick bars joining groups of algorithms whose
// average ranks differ by less than the critical difference, and the CD interval above the axis.
//
// Drawn once through cairo, onto its SVG, PDF or PNG surface (chosen by the file extension);
// text is measured with cairo so that names never overlap the axis or each other. Cairo's SVG
// writes glyphs as paths: the SVG also carries the title and the algorithms with their ranks as
// text in <title> and <desc> (for search and screen readers).
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace lg::report {

struct CdDiagram {
  std::vector<std::string> names;     ///< algorithms, in any order
  std::vector<double> average_ranks;  ///< one per name, in [1, k]
  double critical_difference = 0.0;   ///< Nemenyi CD; 0: no CD interval and no group bars
  std::string title;                  ///< above the figure when not empty
};

enum class CdFormat { Svg, Pdf, Png };

/// Groups of algorithms not significantly different: maximal runs of the algorithms sorted by
/// rank whose ranks span less than `critical_difference`, with at least two members; each
/// group lists indices into `average_ranks`, best first; groups ordered by their best rank.
std::vector<std::vector<std::size_t>> cd_groups(const std::vector<double>& average_ranks,
                                                double critical_difference);

/// The figure as the bytes of an SVG, PDF or PNG file (PNG at 2 pixels per point).
/// Throws lg::Error for fewer than two algorithms, sizes that differ, ranks outside [1, k] or
/// a critical difference that is negative or not finite.
std::string render_cd_diagram(const CdDiagram& diagram, CdFormat format);

/// Write the figure to `path`, the format from its extension (.svg, .pdf, .png; any case),
/// through a temporary file renamed into place.
void write_cd_diagram(const CdDiagram& diagram, const std::filesystem::path& path);

/// The format for a file name; throws lg::Error naming the accepted extensions.
CdFormat cd_format_for(const std::filesystem::path& path);

}  // namespace lg::report
