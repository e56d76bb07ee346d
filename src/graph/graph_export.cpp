#include "graph/graph_export.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.hpp"

namespace lg::graph {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  std::size_t n = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  // overlong 3/4-byte forms, surrogates, beyond U+10FFFF
  if (c == 0xE0 && byte(i + 1) < 0xA0) return 0;
  if (c == 0xED && byte(i + 1) > 0x9F) return 0;
  if (c == 0xF0 && byte(i + 1) < 0x90) return 0;
  if (c == 0xF4 && byte(i + 1) > 0x8F) return 0;
  return n;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

template <class Escape>
std::string escape_with(std::string_view text, Escape escape_ascii) {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else if (n == 1) {
      const char c = text[i];
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
        out += ' ';  // tabs, newlines and other controls would break a one-line label
      else
        escape_ascii(out, c);
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

// Paul Tol's "light" qualitative scheme (colour-blind safe, made for cells with text on them);
// its pale grey is kept for "no colour".
const std::vector<std::string>& community_palette() {
  static const std::vector<std::string> colours = {"#77AADD", "#EE8866", "#EEDD88", "#FFAABB",
                                                   "#99DDFF", "#44BB99", "#BBCC33", "#AAAA00"};
  return colours;
}
constexpr const char* kGrey = "#DDDDDD";
// A sequential ramp (ColorBrewer YlOrBr, light end) for IRLbl; dark enough to read, light
// enough for black text.
const std::vector<std::string>& irlbl_ramp() {
  static const std::vector<std::string> colours = {"#FFF7BC", "#FEE391", "#FEC44F", "#FB9A29",
                                                   "#EC7014"};
  return colours;
}

std::string number(double v) {
  if (v == std::floor(v) && std::abs(v) < 1e15) return fmt::format("{:.0f}", v);
  const double a = std::abs(v);
  if (a >= 100) return fmt::format("{:.0f}", v);
  if (a >= 1) return fmt::format("{:.2f}", v);
  return fmt::format("{:.3g}", v);
}

// IRLbl class on a log scale from 1 to the largest IRLbl.
std::size_t irlbl_class(double irlbl, double max_irlbl) {
  const std::size_t k = irlbl_ramp().size();
  if (irlbl <= 1.0 || max_irlbl <= 1.0) return 0;
  const double t = std::log(irlbl) / std::log(max_irlbl);
  return std::min(k - 1, static_cast<std::size_t>(t * static_cast<double>(k)));
}

struct Drawn {
  std::vector<WeightedEdge> edges;  ///< drawn edges, weakest first (strong ones end on top)
  std::vector<bool> shown;          ///< per label
  double min_count = 0, max_count = 0, min_weight = 0, max_weight = 0, max_irlbl = 0;
  Index shown_labels = 0;
};

Drawn select(const LabelGraph& graph, const FigureStyle& style) {
  const Index n = graph.num_labels();
  Drawn d;
  d.edges = graph.edges();
  std::stable_sort(d.edges.begin(), d.edges.end(),
                   [](const WeightedEdge& a, const WeightedEdge& b) {
                     return std::abs(a.weight) < std::abs(b.weight);
                   });
  std::vector<bool> has_edge(static_cast<std::size_t>(n), false);
  for (const WeightedEdge& e : d.edges)
    has_edge[static_cast<std::size_t>(e.source)] = has_edge[static_cast<std::size_t>(e.target)] =
        true;
  d.shown.assign(static_cast<std::size_t>(n), true);
  bool first = true;
  for (Index i = 0; i < n; ++i) {
    if (style.hide_isolated && !has_edge[static_cast<std::size_t>(i)]) {
      d.shown[static_cast<std::size_t>(i)] = false;
      continue;
    }
    const LabelVertex& v = graph.label(i);
    d.min_count = first ? v.count : std::min(d.min_count, v.count);
    d.max_count = first ? v.count : std::max(d.max_count, v.count);
    d.max_irlbl = std::max(d.max_irlbl, v.irlbl);
    first = false;
    ++d.shown_labels;
  }
  for (std::size_t k = 0; k < d.edges.size(); ++k) {
    const double w = std::abs(d.edges[k].weight);
    d.min_weight = k == 0 ? w : std::min(d.min_weight, w);
    d.max_weight = k == 0 ? w : std::max(d.max_weight, w);
  }
  return d;
}

// Node diameter in inches: area proportional to the count, with a floor so rare labels stay
// visible.
double node_width(double count, double max_count) {
  constexpr double kMin = 0.12, kMax = 0.9;
  if (max_count <= 0) return kMin;
  return std::max(kMin, kMax * std::sqrt(std::max(0.0, count) / max_count));
}

double pen_width(double weight, const Drawn& d) {
  constexpr double kMin = 0.3, kMax = 4.0;
  if (d.max_weight <= d.min_weight) return 1.0;  // all equal (e.g. binary): one width
  return kMin + (kMax - kMin) * (std::abs(weight) - d.min_weight) / (d.max_weight - d.min_weight);
}

std::string fill_colour(const LabelVertex& v, const FigureStyle& style, const Drawn& d) {
  switch (style.color) {
    case NodeColor::Community:
      if (v.community >= 0 && static_cast<std::size_t>(v.community) < community_palette().size())
        return community_palette()[static_cast<std::size_t>(v.community)];
      return kGrey;
    case NodeColor::Irlbl:
      return v.count > 0 ? irlbl_ramp()[irlbl_class(v.irlbl, d.max_irlbl)] : kGrey;
    case NodeColor::None:
      break;
  }
  return kGrey;
}

std::string text_cell(const std::string& html) {
  return fmt::format(R"(<TD ALIGN="LEFT">{}</TD>)", html);
}

// A colour key entry: a filled square glyph in the colour, then its caption. Glyphs in one
// text cell, not table cells: Graphviz stretches nested tables to the cell's width.
std::string swatch(const std::string& colour, const std::string& caption) {
  return fmt::format(R"(<FONT COLOR="{}" POINT-SIZE="13">■</FONT> {}&#160;&#160;&#160;)", colour,
                     caption);
}

// The colour key: a caption row, then a row of swatches.
std::string colour_key(const LabelGraph& graph, const FigureStyle& style, const Drawn& d) {
  std::string caption;
  std::string cells;
  if (style.color == NodeColor::Community) {
    std::set<int> used;
    for (Index i = 0; i < graph.num_labels(); ++i)
      if (d.shown[static_cast<std::size_t>(i)]) used.insert(graph.label(i).community);
    if (used.empty() || *used.rbegin() < 0) return {};
    caption = "colour: community (Leiden";
    if (std::isfinite(style.modularity))
      caption += fmt::format(", modularity {:.3f}", style.modularity);
    caption += ")";
    bool other = false;
    for (int c : used) {
      if (c >= 0 && static_cast<std::size_t>(c) < community_palette().size())
        cells += swatch(community_palette()[static_cast<std::size_t>(c)], std::to_string(c + 1));
      else
        other = true;
    }
    if (other) cells += swatch(kGrey, "other");
  } else if (style.color == NodeColor::Irlbl) {
    caption = "colour: IRLbl (imbalance ratio)";
    const std::size_t k = irlbl_ramp().size();
    const double top = std::max(1.0, d.max_irlbl);
    for (std::size_t c = 0; c < k; ++c) {
      const double lo = std::pow(top, static_cast<double>(c) / static_cast<double>(k));
      const double hi = std::pow(top, static_cast<double>(c + 1) / static_cast<double>(k));
      if (top <= 1.0 && c > 0) break;
      cells += swatch(irlbl_ramp()[c], fmt::format("{}–{}", number(lo), number(hi)));
    }
  } else {
    return {};
  }
  return "<TR>" + text_cell(caption) + "</TR><TR>" + text_cell(cells) + "</TR>";
}

std::string legend(const LabelGraph& graph, const FigureStyle& style, const Drawn& d) {
  std::vector<std::string> rows;
  const auto row = [&rows](const std::string& html) { rows.push_back(text_cell(html)); };
  if (!style.title.empty()) row("<B>" + html_escape(style.title) + "</B>");
  std::string what = fmt::format("{} labels, {} {}edges", d.shown_labels, d.edges.size(),
                                 graph.directed() ? "directed " : "");
  if (!style.weighting.empty()) what = html_escape(style.weighting) + ": " + what;
  row(what);
  row(fmt::format("node area ∝ label count ({} … {})", number(d.min_count), number(d.max_count)));
  if (!d.edges.empty()) {
    std::string edge_line =
        d.max_weight > d.min_weight
            ? fmt::format("edge width ∝ |weight| ({} … {})", number(d.min_weight),
                          number(d.max_weight))
            : fmt::format("every edge weight {}", number(d.edges.front().weight));
    if (graph.directed()) edge_line += "; arrow i → j: " + html_escape(style.arrow_meaning);
    if (std::any_of(d.edges.begin(), d.edges.end(),
                    [](const WeightedEdge& e) { return e.weight < 0; }))
      edge_line += "; dashed red: negative";
    row(edge_line);
  }
  std::string out = R"(<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="1">)";
  for (const std::string& r : rows) out += "<TR>" + r + "</TR>";
  out += colour_key(graph, style, d);
  for (const std::string& note : style.notes)
    out += "<TR>" + text_cell("<I>" + html_escape(note) + "</I>") + "</TR>";
  out += "</TABLE>>";
  return out;
}

std::string engine_attributes(const std::string& engine, const std::string& splines) {
  const std::string routing = "splines=" + splines;
  if (engine == "dot") return "rankdir=LR, " + routing + ", nodesep=0.15, ranksep=0.6";
  if (engine == "circo") return routing + ", mindist=0.3";
  if (engine == "neato" || engine == "fdp")
    return "overlap=prism, overlap_scaling=-4, sep=\"+6\", " + routing;
  if (engine == "sfdp")
    return "overlap=prism, overlap_scaling=-4, sep=\"+6\", beautify=true, " + routing;
  return {};
}

}  // namespace

std::string edge_routing(bool directed, Index labels, std::size_t edges) {
  if (directed) return "false";
  return static_cast<double>(labels) * static_cast<double>(edges) <= kSplineBudget ? "true"
                                                                                  : "false";
}

std::string dot_escape(std::string_view text) {
  return escape_with(text, [](std::string& out, char c) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  });
}

std::string html_escape(std::string_view text) {
  return escape_with(text, [](std::string& out, char c) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  });
}

std::string to_dot(const LabelGraph& graph, const FigureStyle& style) {
  const Drawn d = select(graph, style);
  const bool directed = graph.directed();
  std::string out = fmt::format("{} \"labelgraph\" {{\n", directed ? "digraph" : "graph");
  out += fmt::format(
      "  graph [layout={}, {}, outputorder=edgesfirst, pad=0.2, bgcolor=white, "
      "fontname=\"Helvetica\", fontsize=10, labelloc=b, labeljust=l",
      style.engine,
      engine_attributes(style.engine, edge_routing(directed, d.shown_labels, d.edges.size())));
  if (style.legend) out += ", label=" + legend(graph, style, d);
  out += "];\n";
  out +=
      "  node [shape=circle, fixedsize=shape, style=filled, color=\"#4D4D4D\", penwidth=0.6, "
      "fontname=\"Helvetica\", fontsize=9, margin=0];\n";
  // Crowded figures get fainter edges and smaller arrowheads, so hubs do not turn into blots.
  const bool crowded = d.edges.size() > 300;
  out += fmt::format("  edge [color=\"{}\"{}];\n", crowded ? "#4D4D4D48" : "#4D4D4D80",
                     directed ? (crowded ? ", arrowsize=0.35" : ", arrowsize=0.5") : "");
  for (Index i = 0; i < graph.num_labels(); ++i) {
    if (!d.shown[static_cast<std::size_t>(i)]) continue;
    const LabelVertex& v = graph.label(i);
    const std::string name = dot_escape(v.name);
    out += fmt::format(
        "  n{} [label=\"{}\", width={:.3f}, fillcolor=\"{}\", tooltip=\"{} (count {}, IRLbl "
        "{})\"];\n",
        i, name, node_width(v.count, d.max_count), fill_colour(v, style, d), name, number(v.count),
        number(v.irlbl));
  }
  const char* arrow = directed ? "->" : "--";
  for (const WeightedEdge& e : d.edges) {
    out += fmt::format("  n{} {} n{} [penwidth={:.2f}", e.source, arrow, e.target,
                       pen_width(e.weight, d));
    if (e.weight < 0) out += ", style=dashed, color=\"#B2182B99\"";
    out +=
        fmt::format(", tooltip=\"{} {} {}: {}\"];\n", dot_escape(graph.label(e.source).name),
                    directed ? "→" : "–", dot_escape(graph.label(e.target).name), number(e.weight));
  }
  out += "}\n";
  return out;
}

std::string to_graphml(const LabelGraph& graph) { return graph.graphml(); }

std::string to_json(const LabelGraph& graph, const std::string& weighting,
                    const std::vector<std::string>& notes) {
  using nlohmann::json;
  json nodes = json::array();
  for (Index i = 0; i < graph.num_labels(); ++i) {
    const LabelVertex& v = graph.label(i);
    nodes.push_back({{"id", i},
                     {"name", v.name},
                     {"count", v.count},
                     {"frequency", std::isfinite(v.frequency) ? json(v.frequency) : json(nullptr)},
                     {"irlbl", v.irlbl},
                     {"community", v.community >= 0 ? json(v.community) : json(nullptr)}});
  }
  json edges = json::array();
  for (const WeightedEdge& e : graph.edges())
    edges.push_back({{"source", e.source}, {"target", e.target}, {"weight", e.weight}});
  const json doc = {{"directed", graph.directed()},
                    {"weighting", weighting},
                    {"notes", notes},
                    {"nodes", std::move(nodes)},
                    {"edges", std::move(edges)}};
  return doc.dump(2) + "\n";
}

namespace {
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}
}  // namespace

std::string to_csv(const Adjacency& weights, const std::vector<std::string>& names) {
  const Index n = weights.rows();
  if (weights.cols() != n || static_cast<Index>(names.size()) != n)
    throw Error(fmt::format("adjacency CSV: a {} x {} matrix with {} names", weights.rows(),
                            weights.cols(), names.size()));
  std::string out = "label";
  for (const std::string& name : names) out += "," + csv_field(name);
  out += "\n";
  for (Index i = 0; i < n; ++i) {
    out += csv_field(names[static_cast<std::size_t>(i)]);
    for (Index j = 0; j < n; ++j) out += fmt::format(",{:.17g}", weights(i, j));
    out += "\n";
  }
  return out;
}

}  // namespace lg::graph
