#include "report/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace lg::report {

void Table::add_row(std::vector<Cell> cells) {
  if (cells.size() != columns.size())
    throw Error(fmt::format("table '{}': row with {} cells, expected one per column ({})", title,
                            cells.size(), columns.size()));
  rows.push_back(std::move(cells));
}

namespace {

bool is_numeric(const Column& c) { return c.kind != ColumnKind::Text; }

/// A cell as people read it: reals with the column's decimals.
std::string human(const Cell& cell, const Column& col) {
  if (cell.empty()) return "";
  if (!cell.is_number()) return cell.text();
  const double v = cell.number();
  if (!std::isfinite(v)) return fmt::format("{}", v);
  if (col.kind == ColumnKind::Integer) return fmt::format("{:.0f}", v);
  if (col.kind == ColumnKind::Real) return fmt::format("{:.{}f}", v, std::max(0, col.decimals));
  return fmt::format("{}", v);
}

/// A cell for programs: integers exact, reals shortest round-trip.
std::string exact(const Cell& cell, const Column& col) {
  if (cell.empty()) return "";
  if (!cell.is_number()) return cell.text();
  if (col.kind == ColumnKind::Integer && std::isfinite(cell.number()))
    return fmt::format("{:.0f}", cell.number());
  return fmt::format("{}", cell.number());
}

std::string pad(const std::string& s, std::size_t width, bool right) {
  const std::string fill(width > s.size() ? width - s.size() : 0, ' ');
  return right ? fill + s : s + fill;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string markdown_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::string latex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\textbackslash{}"; break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '&': case '%': case '$': case '#': case '_': case '{': case '}':
        out += '\\';
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string to_text(const Table& table) {
  const std::size_t ncol = table.columns.size();
  std::vector<std::size_t> width(ncol);
  for (std::size_t c = 0; c < ncol; ++c) width[c] = table.columns[c].header.size();
  for (const auto& row : table.rows)
    for (std::size_t c = 0; c < ncol; ++c)
      width[c] = std::max(width[c], human(row[c], table.columns[c]).size());

  auto line = [&](auto cell_text) {
    std::string out;
    for (std::size_t c = 0; c < ncol; ++c) {
      if (c) out += "  ";
      out += pad(cell_text(c), width[c], is_numeric(table.columns[c]));
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + '\n';
  };
  std::string out;
  if (!table.title.empty()) out += table.title + '\n';
  out += line([&](std::size_t c) { return table.columns[c].header; });
  out += line([&](std::size_t c) { return std::string(width[c], '-'); });
  for (const auto& row : table.rows)
    out += line([&](std::size_t c) { return human(row[c], table.columns[c]); });
  return out;
}

std::string to_markdown(const Table& table) {
  std::string out;
  if (!table.title.empty()) out += "**" + markdown_escape(table.title) + "**\n\n";
  std::string header = "|", rule = "|";
  for (const Column& col : table.columns) {
    header += " " + markdown_escape(col.header) + " |";
    rule += is_numeric(col) ? "---:|" : "---|";
  }
  out += header + '\n' + rule + '\n';
  for (const auto& row : table.rows) {
    out += "|";
    for (std::size_t c = 0; c < row.size(); ++c)
      out += " " + markdown_escape(human(row[c], table.columns[c])) + " |";
    out += '\n';
  }
  return out;
}

std::string to_csv(const Table& table) {
  std::string out;
  for (std::size_t c = 0; c < table.columns.size(); ++c)
    out += (c ? "," : "") + csv_field(table.columns[c].header);
  out += '\n';
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < row.size(); ++c)
      out += (c ? "," : "") + csv_field(exact(row[c], table.columns[c]));
    out += '\n';
  }
  return out;
}

std::string to_latex(const Table& table) {
  std::string spec;
  for (const Column& col : table.columns) spec += is_numeric(col) ? 'r' : 'l';
  std::string body = "\\begin{tabular}{" + spec + "}\n\\toprule\n";
  auto line = [&](auto cell_text) {
    std::string out;
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      out += (c ? " & " : "") + latex_escape(cell_text(c));
    return out + " \\\\\n";
  };
  body += line([&](std::size_t c) { return table.columns[c].header; });
  body += "\\midrule\n";
  for (const auto& row : table.rows)
    body += line([&](std::size_t c) { return human(row[c], table.columns[c]); });
  body += "\\bottomrule\n\\end{tabular}\n";
  if (table.title.empty()) return body;
  return "\\begin{table}[ht]\n\\centering\n\\caption{" + latex_escape(table.title) + "}\n" +
         body + "\\end{table}\n";
}

std::string to_json(const Table& table, int indent) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& row : table.rows) {
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    for (std::size_t c = 0; c < row.size(); ++c) {
      const Cell& cell = row[c];
      const Column& col = table.columns[c];
      nlohmann::ordered_json& v = obj[col.header];
      if (cell.empty() || (cell.is_number() && !std::isfinite(cell.number())))
        v = nullptr;
      else if (!cell.is_number())
        v = cell.text();
      else if (col.kind == ColumnKind::Integer)
        v = static_cast<std::int64_t>(std::llround(cell.number()));
      else
        v = cell.number();
    }
    rows.push_back(std::move(obj));
  }
  return rows.dump(indent) + '\n';
}

const std::vector<std::string>& table_format_names() {
  static const std::vector<std::string> names = {"text", "md", "csv", "latex", "json"};
  return names;
}

TableFormat parse_table_format(const std::string& name) {
  if (name == "text") return TableFormat::Text;
  if (name == "md" || name == "markdown") return TableFormat::Markdown;
  if (name == "csv") return TableFormat::Csv;
  if (name == "latex" || name == "tex") return TableFormat::Latex;
  if (name == "json") return TableFormat::Json;
  throw Error(fmt::format("unknown table format '{}': expected one of {}", name,
                          fmt::join(table_format_names(), ", ")));
}

std::string render(const Table& table, TableFormat format) {
  switch (format) {
    case TableFormat::Text: return to_text(table);
    case TableFormat::Markdown: return to_markdown(table);
    case TableFormat::Csv: return to_csv(table);
    case TableFormat::Latex: return to_latex(table);
    case TableFormat::Json: return to_json(table);
  }
  return to_text(table);
}

}  // namespace lg::report
