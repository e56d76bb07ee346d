#include "report/cd_diagram.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>
#include <numeric>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace lg::report {

namespace {

// Sizes in points.
constexpr double kPad = 12.0;         // outer margin
constexpr double kLabelSize = 10.0;   // algorithm names
constexpr double kTickSize = 9.0;     // axis numbers, CD label
constexpr double kTitleSize = 11.0;
constexpr double kStub = 16.0;        // horizontal line beyond the axis ends, up to the names
constexpr double kTextGap = 4.0;      // between a line's end and its name
constexpr double kRowHeight = 15.0;   // between name rows
constexpr double kBarSpacing = 6.0;   // between group bars
constexpr const char* kFont = "sans-serif";

using Surface = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using Context = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

void check(cairo_status_t status, const char* what) {
  if (status != CAIRO_STATUS_SUCCESS)
    throw Error(fmt::format("CD diagram: cairo failed to {}: {}", what,
                            cairo_status_to_string(status)));
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void validate(const CdDiagram& d) {
  const std::size_t k = d.names.size();
  if (k < 2)
    throw Error(fmt::format("CD diagram: {} algorithms, expected at least 2", k));
  if (d.average_ranks.size() != k)
    throw Error(fmt::format("CD diagram: {} names but {} average ranks, expected one per name", k,
                            d.average_ranks.size()));
  for (std::size_t i = 0; i < k; ++i) {
    const double r = d.average_ranks[i];
    if (!std::isfinite(r) || r < 1.0 - 1e-9 || r > static_cast<double>(k) + 1e-9)
      throw Error(fmt::format("CD diagram: average rank of '{}' is {}, expected 1 to {}",
                              d.names[i], r, k));
  }
  if (!std::isfinite(d.critical_difference) || d.critical_difference < 0.0)
    throw Error(fmt::format("CD diagram: critical difference {}, expected a number >= 0",
                            d.critical_difference));
}

/// Where everything goes; computed once from text measured with cairo.
struct Layout {
  double width = 0.0, height = 0.0;
  double x0 = 0.0, x1 = 0.0;  // ranks 1 and k on the axis
  double y_title = 0.0, y_cd = 0.0, y_ticks = 0.0, y_axis = 0.0, y_bars = 0.0, y_rows = 0.0;
  std::vector<std::size_t> order;  // algorithms by rank, best first
  std::size_t left = 0;            // the first `left` of `order` are named on the left
  std::vector<std::string> labels;  // "name (rank)" per algorithm
  std::vector<std::vector<std::size_t>> groups;
  std::size_t k = 0;

  double x(double rank) const {
    return x0 + (rank - 1.0) * (x1 - x0) / static_cast<double>(k - 1);
  }
};

double text_width(cairo_t* cr, const std::string& text, double size) {
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, text.c_str(), &e);
  return e.x_advance;
}

Layout make_layout(const CdDiagram& d) {
  Layout L;
  L.k = d.names.size();
  L.order.resize(L.k);
  std::iota(L.order.begin(), L.order.end(), 0);
  std::stable_sort(L.order.begin(), L.order.end(), [&](std::size_t a, std::size_t b) {
    return d.average_ranks[a] < d.average_ranks[b];
  });
  L.left = (L.k + 1) / 2;
  for (std::size_t i = 0; i < L.k; ++i)
    L.labels.push_back(fmt::format("{} ({:.2f})", d.names[i], d.average_ranks[i]));
  if (d.critical_difference > 0.0) L.groups = cd_groups(d.average_ranks, d.critical_difference);

  // Measure on a scratch surface: the same font metrics as every target surface.
  Surface scratch(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1), cairo_surface_destroy);
  Context cr(cairo_create(scratch.get()), cairo_destroy);
  cairo_select_font_face(cr.get(), kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  double left_w = 0.0, right_w = 0.0;
  for (std::size_t i = 0; i < L.k; ++i) {
    const double w = text_width(cr.get(), L.labels[L.order[i]], kLabelSize);
    double& side = i < L.left ? left_w : right_w;
    side = std::max(side, w);
  }
  const double axis_w = std::clamp(56.0 * static_cast<double>(L.k - 1), 180.0, 440.0);
  L.x0 = kPad + left_w + kTextGap + kStub;
  L.x1 = L.x0 + axis_w;
  L.width = L.x1 + kStub + kTextGap + right_w + kPad;
  if (!d.title.empty())
    L.width = std::max(L.width, text_width(cr.get(), d.title, kTitleSize) + 2 * kPad);
  // With few data sets the CD can exceed the axis (k − 1): the figure grows to hold it.
  L.width = std::max(L.width, L.x(1.0 + d.critical_difference) + kPad);
  check(cairo_status(cr.get()), "measure text");

  double y = kPad;
  if (!d.title.empty()) {
    L.y_title = y + kTitleSize;
    y = L.y_title + 8.0;
  }
  if (d.critical_difference > 0.0) {
    L.y_cd = y + kTickSize + 5.0;  // the CD label sits above its interval
    y = L.y_cd + 8.0;
  }
  L.y_ticks = y + kTickSize;
  L.y_axis = L.y_ticks + 9.0;
  L.y_bars = L.y_axis + 9.0;
  L.y_rows = L.y_bars + static_cast<double>(L.groups.size()) * kBarSpacing + 10.0;
  const std::size_t rows = std::max(L.left, L.k - L.left);
  L.height = L.y_rows + static_cast<double>(rows - 1) * kRowHeight + kLabelSize + kPad;
  return L;
}

void line(cairo_t* cr, double xa, double ya, double xb, double yb, double width) {
  cairo_set_line_width(cr, width);
  cairo_move_to(cr, xa, ya);
  cairo_line_to(cr, xb, yb);
  cairo_stroke(cr);
}

/// Text at (x, baseline y), aligned left (0), centre (0.5) or right (1).
void text(cairo_t* cr, const std::string& s, double x, double y, double size, double align) {
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_move_to(cr, x - align * e.x_advance, y);
  cairo_show_text(cr, s.c_str());
}

void draw(cairo_t* cr, const CdDiagram& d, const Layout& L) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);

  if (!d.title.empty()) text(cr, d.title, L.width / 2, L.y_title, kTitleSize, 0.5);

  // The CD interval, from rank 1, with end ticks and its value above.
  if (d.critical_difference > 0.0) {
    const double xa = L.x(1.0), xb = L.x(1.0 + d.critical_difference);
    line(cr, xa, L.y_cd, xb, L.y_cd, 1.0);
    line(cr, xa, L.y_cd - 3, xa, L.y_cd + 3, 1.0);
    line(cr, xb, L.y_cd - 3, xb, L.y_cd + 3, 1.0);
    text(cr, fmt::format("CD = {:.2f}", d.critical_difference), (xa + xb) / 2, L.y_cd - 4,
         kTickSize, 0.5);
  }

  // The axis: ticks at every rank (numbered) and half rank.
  line(cr, L.x0, L.y_axis, L.x1, L.y_axis, 1.0);
  for (std::size_t r = 1; r <= L.k; ++r) {
    const double xr = L.x(static_cast<double>(r));
    line(cr, xr, L.y_axis, xr, L.y_axis - 5, 1.0);
    text(cr, std::to_string(r), xr, L.y_ticks, kTickSize, 0.5);
    if (r < L.k) {
      const double xh = L.x(static_cast<double>(r) + 0.5);
      line(cr, xh, L.y_axis, xh, L.y_axis - 2.5, 0.7);
    }
  }

  // Each algorithm: down from its rank to its row, across to its name. The left names go
  // best first from the top and the right ones worst first, so no two lines cross.
  for (std::size_t i = 0; i < L.k; ++i) {
    const bool on_left = i < L.left;
    const std::size_t a = L.order[i];
    const std::size_t row = on_left ? i : L.k - 1 - i;
    const double y = L.y_rows + static_cast<double>(row) * kRowHeight;
    const double xr = L.x(d.average_ranks[a]);
    const double x_end = on_left ? L.x0 - kStub : L.x1 + kStub;
    cairo_move_to(cr, xr, L.y_axis);
    cairo_line_to(cr, xr, y);
    cairo_line_to(cr, x_end, y);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
    const double baseline = y + 0.35 * kLabelSize;
    if (on_left) text(cr, L.labels[a], x_end - kTextGap, baseline, kLabelSize, 1.0);
    else text(cr, L.labels[a], x_end + kTextGap, baseline, kLabelSize, 0.0);
  }

  // Groups not significantly different: thick bars under the axis, slightly past their ends.
  for (std::size_t g = 0; g < L.groups.size(); ++g) {
    const auto& members = L.groups[g];
    const double lo = d.average_ranks[members.front()], hi = d.average_ranks[members.back()];
    const double y = L.y_bars + static_cast<double>(g) * kBarSpacing;
    line(cr, L.x(lo) - 3, y, L.x(hi) + 3, y, 2.5);
  }
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

/// Cairo writes glyphs as paths: put the words in <title> and <desc> after the <svg> tag.
std::string with_svg_text(std::string svg, const CdDiagram& d, const Layout& L) {
  std::string desc = "Critical-difference diagram. Average ranks (1 = best):";
  for (std::size_t a : L.order) desc += " " + L.labels[a] + ";";
  if (d.critical_difference > 0.0)
    desc += fmt::format(" critical difference {:.3f}.", d.critical_difference);
  const std::string title = d.title.empty() ? "Critical-difference diagram" : d.title;
  const std::size_t open = svg.find("<svg");
  const std::size_t end = open == std::string::npos ? open : svg.find('>', open);
  if (end == std::string::npos) throw Error("CD diagram: cairo wrote no <svg> element");
  svg.insert(end + 1, "\n<title>" + xml_escape(title) + "</title>\n<desc>" + xml_escape(desc) +
                          "</desc>");
  return svg;
}

}  // namespace

std::vector<std::vector<std::size_t>> cd_groups(const std::vector<double>& average_ranks,
                                                double critical_difference) {
  std::vector<std::size_t> order(average_ranks.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return average_ranks[a] < average_ranks[b];
  });
  std::vector<std::vector<std::size_t>> groups;
  std::size_t last_end = 0;  // end of the previous run: a run ending there is inside it
  for (std::size_t i = 0; i < order.size(); ++i) {
    std::size_t j = i + 1;
    while (j < order.size() &&
           average_ranks[order[j]] - average_ranks[order[i]] < critical_difference)
      ++j;
    // Runs start later and end no earlier as i grows; keep those reaching past the last one.
    if (j - i >= 2 && j > last_end) {
      groups.emplace_back(order.begin() + static_cast<long>(i),
                          order.begin() + static_cast<long>(j));
      last_end = j;
    }
  }
  return groups;
}

std::string render_cd_diagram(const CdDiagram& diagram, CdFormat format) {
  validate(diagram);
  const Layout L = make_layout(diagram);
  std::string bytes;
  const double scale = format == CdFormat::Png ? 2.0 : 1.0;
  Surface surface(nullptr, cairo_surface_destroy);
  switch (format) {
    case CdFormat::Svg:
      surface.reset(cairo_svg_surface_create_for_stream(append_bytes, &bytes, L.width, L.height));
      cairo_svg_surface_set_document_unit(surface.get(), CAIRO_SVG_UNIT_PT);
      break;
    case CdFormat::Pdf:
      surface.reset(cairo_pdf_surface_create_for_stream(append_bytes, &bytes, L.width, L.height));
      cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "labelgraph");
      if (!diagram.title.empty())
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                       diagram.title.c_str());
      break;
    case CdFormat::Png:
      surface.reset(cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
                                               static_cast<int>(std::ceil(L.width * scale)),
                                               static_cast<int>(std::ceil(L.height * scale))));
      break;
  }
  check(cairo_surface_status(surface.get()), "create the surface");
  {
    Context cr(cairo_create(surface.get()), cairo_destroy);
    cairo_scale(cr.get(), scale, scale);
    draw(cr.get(), diagram, L);
    check(cairo_status(cr.get()), "draw");
  }
  if (format == CdFormat::Png)
    check(cairo_surface_write_to_png_stream(surface.get(), append_bytes, &bytes), "write PNG");
  cairo_surface_finish(surface.get());  // SVG and PDF write their bytes here
  check(cairo_surface_status(surface.get()), "finish the file");
  return format == CdFormat::Svg ? with_svg_text(std::move(bytes), diagram, L) : bytes;
}

CdFormat cd_format_for(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".svg") return CdFormat::Svg;
  if (ext == ".pdf") return CdFormat::Pdf;
  if (ext == ".png") return CdFormat::Png;
  throw Error(path.string(), 0,
              fmt::format("CD diagram: unknown extension '{}', expected .svg, .pdf or .png",
                          path.extension().string()));
}

void write_cd_diagram(const CdDiagram& diagram, const std::filesystem::path& path) {
  const CdFormat format = cd_format_for(path);
  write_file_atomically(path, render_cd_diagram(diagram, format));
}

}  // namespace lg::report
