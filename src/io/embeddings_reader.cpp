// Label embeddings from `name v1 ... vd` text lines (format rules in the header).
#include "io/embeddings_reader.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <string_view>
#include <unordered_map>

#include "core/error.hpp"

namespace lg {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Long input in messages is cut so the error stays one readable line.
std::string clip(std::string_view s) {
  if (s.size() <= 40) return std::string(s);
  return std::string(s.substr(0, 37)) + "...";
}

/// Splits a line into blank-separated fields without copying.
class Fields {
 public:
  explicit Fields(std::string_view line) : rest_(line) {}
  /// The next field, or false at the end of the line.
  bool next(std::string_view& field) {
    std::size_t b = 0;
    while (b < rest_.size() && is_blank(rest_[b])) ++b;
    if (b == rest_.size()) return false;
    std::size_t e = b;
    while (e < rest_.size() && !is_blank(rest_[e])) ++e;
    field = rest_.substr(b, e - b);
    rest_.remove_prefix(e);
    return true;
  }
  /// How many fields are left (consumes them).
  Index count_rest() {
    Index n = 0;
    std::string_view f;
    while (next(f)) ++n;
    return n;
  }

 private:
  std::string_view rest_;
};

/// A finite float, or false.
bool parse_value(std::string_view s, float& out) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end && std::isfinite(out);
}

std::string with_underscores(std::string name) {
  for (char& c : name)
    if (c == ' ') c = '_';
  return name;
}

std::string quoted_list(const std::vector<std::string>& names, std::size_t shown) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < shown; ++i)
    out += fmt::format("{}'{}'", i ? ", " : "", names[i]);
  if (names.size() > shown) out += fmt::format(" and {} more", names.size() - shown);
  return out;
}

}  // namespace

Eigen::MatrixXf read_label_embeddings(const std::filesystem::path& path,
                                      const std::vector<std::string>& label_names,
                                      EmbeddingsNotes* notes) {
  const std::string file = path.string();
  if (label_names.empty()) throw Error(file, 0, "no label names to read embeddings for");

  // Exact names first; the '_'-spelling only for names with spaces, and only as a fallback.
  std::unordered_map<std::string, Index> exact, underscored;
  for (std::size_t l = 0; l < label_names.size(); ++l) {
    const auto [it, fresh] = exact.emplace(label_names[l], static_cast<Index>(l));
    if (!fresh)
      throw Error(file, 0, fmt::format("label '{}' appears twice in the label set (labels {} and "
                                       "{}), so its embedding row is ambiguous",
                                       label_names[l], it->second + 1, l + 1));
  }
  for (std::size_t l = 0; l < label_names.size(); ++l)
    if (label_names[l].find(' ') != std::string::npos)
      underscored.emplace(with_underscores(label_names[l]), static_cast<Index>(l));

  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(file, 0, fmt::format("cannot open the file: {}", std::strerror(errno)));

  EmbeddingsNotes local;
  EmbeddingsNotes& n = notes ? *notes : local;
  n = EmbeddingsNotes{};
  const Index labels = static_cast<Index>(label_names.size());
  std::vector<std::size_t> found_at(label_names.size(), 0);  // 1-based line, 0 = not yet
  Eigen::MatrixXf out;
  Index dims = -1;
  std::size_t first_row_line = 0;

  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::string_view text(line);
    if (line_no == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    Fields fields(text);
    std::string_view name;
    if (!fields.next(name) || name[0] == '#') continue;
    ++n.rows_read;

    Index label = -1;
    bool by_underscore = false;
    if (const auto it = exact.find(std::string(name)); it != exact.end()) {
      label = it->second;
    } else if (const auto u = underscored.find(std::string(name)); u != underscored.end()) {
      label = u->second;
      by_underscore = true;
    }

    if (label < 0) {  // not ours: only the shape is checked
      const Index count = fields.count_rest();
      if (dims < 0) {
        if (count == 0) throw Error(file, line_no, fmt::format("'{}' has no values", clip(name)));
        dims = count;
        first_row_line = line_no;
      } else if (count != dims) {
        throw Error(file, line_no, fmt::format("expected {} values (as on line {}), found {}",
                                               dims, first_row_line, count));
      }
      ++n.ignored_rows;
      continue;
    }

    if (found_at[label] != 0)
      throw Error(file, line_no, fmt::format("a second row for label '{}' (first on line {})",
                                             label_names[label], found_at[label]));
    found_at[label] = line_no;
    if (by_underscore) ++n.matched_by_underscore;

    std::vector<float> values;
    if (dims > 0) values.reserve(static_cast<std::size_t>(dims));
    std::string_view field;
    while (fields.next(field)) {
      float v = 0.0f;
      if (!parse_value(field, v))
        throw Error(file, line_no, fmt::format("value {} of '{}': expected a finite number, found "
                                               "'{}'", values.size() + 1, clip(name), clip(field)));
      values.push_back(v);
    }
    const Index count = static_cast<Index>(values.size());
    if (dims < 0) {
      if (count == 0) throw Error(file, line_no, fmt::format("'{}' has no values", clip(name)));
      dims = count;
      first_row_line = line_no;
    } else if (count != dims) {
      throw Error(file, line_no, fmt::format("expected {} values (as on line {}), found {}", dims,
                                             first_row_line, count));
    }
    if (out.size() == 0) out = Eigen::MatrixXf::Zero(labels, dims);  // every row is filled below
    out.row(label) = Eigen::Map<const Eigen::RowVectorXf>(values.data(), dims);
  }
  if (in.bad()) throw Error(file, 0, "read error");
  if (n.rows_read == 0) throw Error(file, 0, "no embedding rows (the file is empty or all comments)");

  std::vector<std::string> missing;
  for (std::size_t l = 0; l < label_names.size(); ++l)
    if (found_at[l] == 0) missing.push_back(label_names[l]);
  if (!missing.empty())
    throw Error(file, 0, fmt::format("{} of {} labels have no embedding row: {}", missing.size(),
                                     labels, quoted_list(missing, 5)));

  n.dims = dims;
  if (n.ignored_rows > 0)
    n.notes.push_back(fmt::format("{} rows for names outside the {} labels were ignored",
                                  n.ignored_rows, labels));
  if (n.matched_by_underscore > 0)
    n.notes.push_back(fmt::format("{} labels were matched with their spaces written as '_'",
                                  n.matched_by_underscore));
  return out;
}

}  // namespace lg
