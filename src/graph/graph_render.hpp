#pragma once
// Figures of label graphs rendered in-process through Graphviz's libraries (libgvc + cgraph),
// from the styled DOT of graph_export.hpp: SVG, PDF or PNG.
#include <filesystem>
#include <string>
#include <vector>

#include "graph/graph_export.hpp"

namespace lg::graph {

/// The longest side of a PNG figure in pixels: larger layouts are drawn at a lower resolution.
constexpr double kMaxPngPixels = 3000;

/// Layout engines offered: neato, sfdp, dot, circo, fdp.
const std::vector<std::string>& layout_engines();
/// Figure formats offered: svg, pdf, png.
const std::vector<std::string>& figure_formats();

/// Lay out DOT text with `engine` and render it as `format` (svg | pdf | png), returning the
/// bytes. Graphviz's warnings are collected into `warnings` (when given) instead of being
/// printed; an error (bad DOT, unknown engine or format) throws lg::Error with Graphviz's
/// message. Calls are serialised: Graphviz keeps global state.
std::string render_dot(const std::string& dot, const std::string& engine, const std::string& format,
                       std::vector<std::string>* warnings = nullptr);

/// to_dot + render_dot, written atomically to `out`; the format is the file's extension.
void render_figure(const LabelGraph& graph, const FigureStyle& style,
                   const std::filesystem::path& out, std::vector<std::string>* warnings = nullptr);

}  // namespace lg::graph
