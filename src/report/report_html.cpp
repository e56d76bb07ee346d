#include "report/report_html.hpp"

#include "core/atomic_file.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "graph/graph_export.hpp"
#include "report/web_assets.hpp"

namespace lg::report {
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string(), 0, "cannot be read (report.html)");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// Text for HTML content and attribute values (graph_export's: entities, invalid UTF-8 and
/// control characters replaced).
std::string esc(std::string_view text) { return graph::html_escape(text); }

/// RFC 4180 records (the inverse of report::to_csv): quoted fields may hold , " CR LF.
std::vector<std::vector<std::string>> parse_csv(const std::string& text, const fs::path& file) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  std::size_t line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty()) throw Error(file.string(), line, "a quote inside an unquoted CSV field");
      quoted = any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
      ++line;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) throw Error(file.string(), line, "a quoted CSV field is not closed");
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  for (std::size_t r = 1; r < rows.size(); ++r)
    if (rows[r].size() != rows.front().size())
      throw Error(file.string(), r + 1,
                  fmt::format("{} fields where the header has {}", rows[r].size(), rows.front().size()));
  return rows;
}

/// A CSV field that is a whole finite number.
bool as_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(value);
}

/// How a number shows: integers as written, reals with 4 decimals (3 significant digits when
/// tiny or huge).
std::string show_number(const std::string& text, double v) {
  if (text.find_first_of(".eE") == std::string::npos) return text;
  if (v == 0) return "0";
  const double a = std::abs(v);
  if (a >= 1e-3 && a < 1e6) return fmt::format("{:.4f}", v);
  return fmt::format("{:.3g}", v);
}

std::string table_html(const fs::path& file, const std::string& id) {
  const auto rows = parse_csv(read_text(file), file);
  if (rows.empty()) return "<p class=\"lg-note\">(empty table)</p>\n";
  const std::vector<std::string>& header = rows.front();
  // A column `<h>_sd` right after `<h>` joins it: "mean ± sd".
  std::vector<bool> is_sd(header.size(), false);
  for (std::size_t c = 1; c < header.size(); ++c)
    is_sd[c] = header[c] == header[c - 1] + "_sd";
  std::string out = fmt::format("<div class=\"lg-scroll\"><table class=\"lg-table\" id=\"{}\"><thead><tr>", id);
  for (std::size_t c = 0; c < header.size(); ++c)
    if (!is_sd[c]) out += "<th title=\"click to sort\">" + esc(header[c]) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (std::size_t r = 1; r < rows.size(); ++r) {
    out += "<tr>";
    const std::vector<std::string>& row = rows[r];
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (is_sd[c]) continue;
      double v = 0;
      if (!as_number(row[c], v)) {
        out += "<td>" + esc(row[c]) + "</td>";
        continue;
      }
      std::string shown = show_number(row[c], v);
      double sd = 0;
      if (c + 1 < row.size() && is_sd[c + 1] && as_number(row[c + 1], sd))
        shown += " ± " + show_number(row[c + 1], sd);
      out += "<td class=\"n\" data-v=\"" + esc(row[c]) + "\">" + esc(shown) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table></div>\n";
}

std::string base64(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

/// Text safe inside <script> or <style>: "</script", "</style" (any case) and "<!--", which
/// would end or change the element, get a backslash after the '<' ("<\/" and "<\!" mean the
/// same to JavaScript inside strings, where they can occur).
std::string raw_text_safe(std::string_view text) {
  const auto starts = [&](std::size_t i, std::string_view word) {
    if (text.size() - i < word.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k)
      if (std::tolower(static_cast<unsigned char>(text[i + k])) != word[k]) return false;
    return true;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '<' && (starts(i, "</script") || starts(i, "</style") || starts(i, "<!--"))) out += '\\';
  }
  return out;
}

/// JSON for a <script type="application/json">: < > & as \u escapes (valid JSON, since they
/// can only occur inside strings), invalid UTF-8 replaced.
std::string script_json(const nlohmann::json& value) {
  const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

std::vector<fs::path> files_in(const fs::path& folder, const std::string& suffix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(folder, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_regular_file() && name.size() > suffix.size() && name[0] != '.' && !is_temporary_name(name) &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// Every SVG under `dir` but cells/ (training states), hidden folders and the temporaries of
/// processes writing into the folder now, by path.
std::vector<fs::path> figures_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name[0] == '.' || (it.depth() == 0 && name == "cells"))) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && name[0] != '.' && !is_temporary_name(name) && it->path().extension() == ".svg")
      out.push_back(fs::relative(it->path(), dir));
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// The order tables appear in: the run's comparisons first, then the rest by name.
int table_rank(const std::string& stem) {
  static const char* first[] = {"summary", "ranks", "significance", "datasets"};
  for (int i = 0; i < 4; ++i)
    if (stem == first[i]) return i;
  return 4;
}

}  // namespace

std::string report_html(const fs::path& dir, const ReportHtmlOptions& options) {
  // ---- what the folder holds ----
  std::vector<std::pair<std::string, fs::path>> tables;  // (heading, file)
  for (const char* folder : {"tables", "timings"})
    for (const fs::path& f : files_in(dir / folder, ".csv"))
      tables.push_back({std::string(folder) + "/" + f.stem().string(), f});
  std::stable_sort(tables.begin(), tables.end(), [](const auto& a, const auto& b) {
    return table_rank(a.second.stem().string()) < table_rank(b.second.stem().string());
  });
  nlohmann::json graphs = nlohmann::json::array();
  std::vector<fs::path> graph_files = files_in(dir / "graphs", ".view.json");
  for (const fs::path& f : graph_files) {
    nlohmann::json g;
    try {
      g = nlohmann::json::parse(read_text(f));
      if (!g.at("nodes").is_array() || !g.at("edges").is_array())
        throw Error(f.string(), 0, "nodes and edges must be arrays");
      for (const auto& n : g.at("nodes")) {
        (void)n.at("name").get<std::string>();
        (void)n.at("count").get<double>();
        (void)n.at("x").get<double>();
        (void)n.at("y").get<double>();
      }
      const auto labels = g.at("nodes").size();
      for (const auto& e : g.at("edges"))
        if (!e.is_array() || e.size() != 3 || e[0].get<std::size_t>() >= labels ||
            e[1].get<std::size_t>() >= labels || !e[2].is_number())
          throw Error(f.string(), 0, "an edge is not [source, target, weight] of two label indices");
    } catch (const nlohmann::json::exception& bad) {
      throw Error(f.string(), 0, fmt::format("not a label-graph view (graph/graph_view.hpp): {}", bad.what()));
    }
    graphs.push_back(std::move(g));
  }
  const std::vector<fs::path> figures = figures_in(dir);
  const fs::path config = dir / "config.resolved.toml";

  // ---- the page ----
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + esc(options.title) + " · labelgraph report</title>\n";
  out += "<style>\n" + raw_text_safe(report_page_style()) + "</style>\n";
  // Errors of everything that follows, for the reader and for tests (#lg-status).
  out += "<script>\nwindow.lgErrors = [];\n"
         "window.addEventListener('error', function (e) { window.lgErrors.push(String(e.message || e)); "
         "if (window.lgWriteStatus) window.lgWriteStatus(); });\n"
         "(function () { var original = console.error; console.error = function () { "
         "window.lgErrors.push(Array.prototype.map.call(arguments, String).join(' ')); "
         "if (window.lgWriteStatus) window.lgWriteStatus(); return original.apply(console, arguments); }; })();\n"
         "</script>\n</head>\n<body>\n";
  out += "<h1>" + esc(options.title) + "</h1>\n";
  out += fmt::format("<p class=\"lg-meta\">labelgraph {} · {} table(s), {} label graph(s), {} figure(s)</p>\n",
                     esc(LABELGRAPH_VERSION), tables.size(), graphs.size(), figures.size());
  out += "<nav>";
  if (!tables.empty()) out += "<a href=\"#summary\">Summary</a>";
  if (!graphs.empty()) out += "<a href=\"#graphs\">Label graphs</a>";
  if (tables.size() > 1) out += "<a href=\"#tables\">Tables</a>";
  if (!figures.empty()) out += "<a href=\"#figures\">Figures</a>";
  if (fs::exists(config)) out += "<a href=\"#config\">Configuration</a>";
  out += "<a href=\"#about\">About</a></nav>\n";

  std::size_t table_id = 0;
  const auto table_section = [&](const std::pair<std::string, fs::path>& t) {
    return "<h3>" + esc(t.first) + "</h3>\n" + table_html(t.second, fmt::format("lg-table-{}", table_id++));
  };
  if (!tables.empty()) {
    out += "<h2 id=\"summary\">Summary</h2>\n" + table_section(tables.front());
  }
  if (!graphs.empty()) {
    out += "<h2 id=\"graphs\">Label graphs</h2>\n";
    for (std::size_t i = 0; i < graphs.size(); ++i) {
      const nlohmann::json& g = graphs[i];
      const std::string title = g.value("title", graph_files[i].filename().string());
      out += "<h3>" + esc(title) + "</h3>\n";
      std::string what = fmt::format("{} labels, {} edges", g["nodes"].size(), g["edges"].size());
      if (!g.value("weighting", std::string()).empty()) what += " · weight: " + esc(g.value("weighting", std::string()));
      if (g.value("directed", false)) what += " · directed";
      out += "<p class=\"lg-meta\">" + what + " · scroll to zoom, drag to pan</p>\n";
      out += fmt::format(
          "<div class=\"lg-graph-wrap\"><div class=\"lg-graph\" id=\"lg-graph-{0}\"></div>"
          "<div class=\"lg-side\">"
          "<div><label for=\"lg-search-{0}\">Find a label</label>"
          "<input type=\"search\" id=\"lg-search-{0}\" placeholder=\"part of a name, then Enter\"></div>"
          "<div><label for=\"lg-weight-{0}\">Edge weight at least</label>"
          "<input type=\"range\" id=\"lg-weight-{0}\"><div id=\"lg-weight-text-{0}\"></div></div>"
          "<div><label for=\"lg-community-{0}\">Community</label>"
          "<select id=\"lg-community-{0}\"><option value=\"\">all</option></select></div>"
          "<div class=\"lg-buttons\"><button id=\"lg-zoom-in-{0}\" title=\"zoom in\">+</button> "
          "<button id=\"lg-zoom-out-{0}\" title=\"zoom out\">&minus;</button> "
          "<button id=\"lg-zoom-reset-{0}\" title=\"whole graph\">reset</button></div>"
          "<pre class=\"lg-info\" id=\"lg-info-{0}\"></pre></div></div>\n",
          i);
      for (const auto& note : g.value("notes", nlohmann::json::array()))
        if (note.is_string()) out += "<p class=\"lg-note\">" + esc(note.get<std::string>()) + "</p>\n";
    }
  }
  if (tables.size() > 1) {
    out += "<h2 id=\"tables\">Tables</h2>\n<p class=\"lg-meta\">Click a column header to sort. "
           "Means ± standard deviations over folds and seeds; the CSV, Markdown, LaTeX and JSON "
           "files beside hold every digit.</p>\n";
    for (std::size_t t = 1; t < tables.size(); ++t) out += table_section(tables[t]);
  }
  if (!figures.empty()) {
    out += "<h2 id=\"figures\">Figures</h2>\n";
    for (const fs::path& rel : figures)
      out += "<figure><h3>" + esc(rel.generic_string()) + "</h3><img alt=\"" + esc(rel.generic_string()) +
             "\" src=\"data:image/svg+xml;base64," + base64(read_text(dir / rel)) + "\"></figure>\n";
  }
  if (fs::exists(config)) {
    out += "<h2 id=\"config\">Configuration</h2>\n<details><summary>config.resolved.toml</summary>"
           "<pre class=\"lg-config\">" + esc(read_text(config)) + "</pre></details>\n";
  }
  out += "<h2 id=\"about\">About</h2>\n<p class=\"lg-meta\">Written by labelgraph " + esc(LABELGRAPH_VERSION) +
         ". This file is self-contained: the data, figures and scripts are inside it. The graph "
         "views use these npm packages (MIT licence):</p>\n<ul>\n";
  for (const WebAsset& a : web_assets())
    out += "<li><details><summary>" + esc(a.name) + " " + esc(a.version) + "</summary><pre class=\"lg-config\">" +
           esc(a.license) + "</pre></details></li>\n";
  out += "</ul>\n<pre id=\"lg-status\" hidden></pre>\n";

  nlohmann::json data = {{"graphs", std::move(graphs)}};
  out += "<script type=\"application/json\" id=\"lg-data\">" + script_json(data) + "</script>\n";
  for (const WebAsset& a : web_assets())
    out += fmt::format("<script>/*! {} {} (npm), MIT licence: see About */\n", a.name, a.version) +
           raw_text_safe(a.code) + "\n</script>\n";
  out += "<script>\n" + raw_text_safe(report_page_script()) + "</script>\n</body>\n</html>\n";
  return out;
}

void write_report_html(const fs::path& dir, const ReportHtmlOptions& options) {
  write_file_atomically(dir / "report.html", report_html(dir, options));
}

}  // namespace lg::report
