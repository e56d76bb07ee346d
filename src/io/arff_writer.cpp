// ARFF writer: header, then rows written through a buffer into a temporary file that is
// renamed into place only when everything was written.
#include "io/arff_writer.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>


#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "io/mulan_xml.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {

// core/AtomicFile plus a large buffer: rows are formatted into the buffer and written in
// megabyte blocks (per-value stream insertion would halve the writer's speed).
class BufferedAtomicFile {
 public:
  explicit BufferedAtomicFile(const fs::path& target) : file_(target, /*create_folder=*/false) { buf_.reserve(kFlush + 4096); }

  std::string& buffer() { return buf_; }
  // Write the buffer out once it is large.
  void maybe_flush() {
    if (buf_.size() >= kFlush) flush();
  }
  void commit() {
    flush();
    file_.commit();
  }

 private:
  static constexpr std::size_t kFlush = std::size_t{1} << 20;
  void flush() {
    file_.stream().write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }

  AtomicFile file_;
  std::string buf_;
};

// Names need quotes when read_arff would otherwise split, unescape or misread them.
bool needs_quotes(const std::string& name) {
  if (name.empty() || name == "?") return true;
  for (char c : name)
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == '{' || c == '}' || c == '%' ||
        c == '\'' || c == '"' || c == '\\')
      return true;
  return false;
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "'";
}

std::string name_token(const std::string& name) { return needs_quotes(name) ? quoted(name) : name; }

// Shortest text that reads back to the same float; '?' for NaN (missing), Weka's infinities.
void append_value(std::string& out, float v) {
  if (std::isnan(v)) { out += '?'; return; }
  if (std::isinf(v)) { out += v > 0 ? "Infinity" : "-Infinity"; return; }
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, v);
  out.append(text, result.ptr);
}

void append_index(std::string& out, Index i) {
  char text[24];
  const auto result = std::to_chars(text, text + sizeof text, i);
  out.append(text, result.ptr);
}

void write_header(std::string& out, const Dataset& data, ArffStyle style) {
  const std::string relation = style == ArffStyle::Meka
                                   ? quoted(fmt::format("{}: -C {}", data.name, data.num_labels()))
                                   : name_token(data.name);
  out += "@relation " + relation + "\n\n";
  auto labels = [&] {
    for (const std::string& n : data.label_names) out += "@attribute " + name_token(n) + " {0,1}\n";
  };
  auto features = [&] {
    for (const std::string& n : data.feature_names) out += "@attribute " + name_token(n) + " numeric\n";
  };
  if (style == ArffStyle::Meka) { labels(); features(); }
  else { features(); labels(); }
  out += "\n@data\n";
}

// One row's features as a dense vector (sparse rows expanded).
void row_features(const Dataset& data, Index r, std::vector<float>& row) {
  if (!data.sparse) {
    const auto src = data.dense.row(r);
    for (Index c = 0; c < data.num_features(); ++c) row[c] = src(c);
    return;
  }
  std::fill(row.begin(), row.end(), 0.0f);
  for (SparseFeatures::InnerIterator it(data.csr, r); it; ++it) row[it.col()] = it.value();
}

void write_dense_rows(BufferedAtomicFile& file, const Dataset& data, ArffStyle style) {
  std::vector<float> row(data.num_features());
  std::string& out = file.buffer();
  for (Index r = 0; r < data.rows(); ++r) {
    row_features(data, r, row);
    bool first = true;
    auto sep = [&] { if (!first) out += ','; first = false; };
    auto labels = [&] {
      for (Index j = 0; j < data.num_labels(); ++j) { sep(); out += data.labels(r, j) ? '1' : '0'; }
    };
    auto features = [&] {
      for (float v : row) { sep(); append_value(out, v); }
    };
    if (style == ArffStyle::Meka) { labels(); features(); }
    else { features(); labels(); }
    out += '\n';
    file.maybe_flush();
  }
}

// `{index value,...}` with attribute indices; zeros are omitted (first declared value is 0).
void write_sparse_rows(BufferedAtomicFile& file, const Dataset& data, ArffStyle style) {
  const Index L = data.num_labels(), D = data.num_features();
  const Index label_base = style == ArffStyle::Meka ? 0 : D;
  const Index feature_base = style == ArffStyle::Meka ? L : 0;
  std::vector<float> row(D);
  std::string& out = file.buffer();
  for (Index r = 0; r < data.rows(); ++r) {
    out += '{';
    bool first = true;
    auto pair = [&](Index index) {
      if (!first) out += ',';
      first = false;
      append_index(out, index);
      out += ' ';
    };
    auto labels = [&] {
      for (Index j = 0; j < L; ++j)
        if (data.labels(r, j)) { pair(label_base + j); out += '1'; }
    };
    auto features = [&] {
      if (data.sparse) {
        for (SparseFeatures::InnerIterator it(data.csr, r); it; ++it)
          if (it.value() != 0.0f || std::isnan(it.value())) { pair(feature_base + it.col()); append_value(out, it.value()); }
      } else {
        for (Index c = 0; c < D; ++c) {
          const float v = data.dense(r, c);
          if (v != 0.0f || std::isnan(v)) { pair(feature_base + c); append_value(out, v); }
        }
      }
    };
    if (style == ArffStyle::Meka) { labels(); features(); }
    else { features(); labels(); }
    out += "}\n";
    file.maybe_flush();
  }
}

}  // namespace

std::vector<fs::path> write_arff(const Dataset& data, const fs::path& path, const ArffWriteOptions& options) {
  data.check_consistent();
  if (data.num_labels() == 0)
    throw Error(path.string(), 0, "expected a data set with at least one label to write, found none");
  BufferedAtomicFile arff(path);
  std::string& out = arff.buffer();
  write_header(out, data, options.style);
  if (options.sparse) write_sparse_rows(arff, data, options.style);
  else write_dense_rows(arff, data, options.style);
  std::vector<fs::path> written{path};
  if (options.style == ArffStyle::Mulan) {
    fs::path xml = path;
    xml.replace_extension(".xml");
    write_mulan_xml(data.label_names, xml);
    written.push_back(xml);
  }
  arff.commit();  // the ARFF last: a reader never sees it without its XML
  return written;
}

}  // namespace lg
