// LIBSVM / extreme-classification reader (format rules in the header).
//
// The file is read in large chunks. The complete lines of a chunk are cut at newlines into a
// few pieces per thread; each piece is parsed with std::from_chars straight into CSR arrays (row
// ends, column indices, values: no triplets, no per-line allocation) and the pieces are appended
// in file order. Page faults on the fresh output arrays cost as much as parsing, so those are
// written by all threads too. On two cores a second thread read 1.1-1.8x faster when the cores
// were not busy with other work, and no faster when they were (bench/README.md).
#include "io/libsvm_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/parallel.hpp"
#include "core/error.hpp"
#include "core/huge_pages.hpp"
#include "io/line_pieces.hpp"

namespace lg {
namespace {
namespace fs = std::filesystem;

// The label matrix is dense N x L uint8 (core/layout.hpp): one byte per (row, label). The
// widest extreme-classification sets do not fit (Amazon-670K: 490k x 670k = 330 GB), so we
// refuse above 16 GiB with a clear error instead of failing in the allocator or the OOM killer.
constexpr std::uint64_t kMaxLabelBytes = std::uint64_t{1} << 34;
// Every feature and label gets a name (its number), so D and L are bounded too: a corrupt
// index such as 333333333333335 would otherwise ask for petabytes of names. 2^24 is seven
// times the widest extreme-classification feature space (Wikipedia-500K: 2.4M features).
constexpr Index kMaxColumns = Index{1} << 24;

// Pieces per thread in a chunk (see parse_chunk).
constexpr std::size_t kPiecesPerThread = 4;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

const char* skip_blanks(const char* p, const char* end) {
  while (p < end && is_blank(*p)) ++p;
  return p;
}

const char* token_end(const char* p, const char* end) {
  while (p < end && !is_blank(*p)) ++p;
  return p;
}

std::string_view text(const char* begin, const char* end) {
  return {begin, static_cast<std::size_t>(end - begin)};
}

// A line without its `#` comment.
const char* strip_comment(const char* p, const char* end) {
  const void* hash = std::memchr(p, '#', static_cast<std::size_t>(end - p));
  return hash ? static_cast<const char*>(hash) : end;
}

// A parse error inside a piece. The line counts from the piece's first line (1-based): a piece
// parsed on a thread does not know how many lines precede it.
struct PieceError {
  std::size_t line;
  std::string message;
};

// The `N F L` line of the extreme-classification variant.
struct Header {
  bool present = false;
  Index rows = 0, features = 0, labels = 0;
  std::size_t line = 0;
};

// What the reader learns about indices and labels while parsing.
struct Stats {
  Index min_index = std::numeric_limits<Index>::max();
  Index max_index = -1;
  Index max_label = -1;
  Index unsorted_rows = 0;
  Index qid_tokens = 0;

  void merge(const Stats& o) {
    min_index = std::min(min_index, o.min_index);
    max_index = std::max(max_index, o.max_index);
    max_label = std::max(max_label, o.max_label);
    unsorted_rows += o.unsorted_rows;
    qid_tokens += o.qid_tokens;
  }
};

// Rows of one piece in CSR form: row_end[i] is cols.size() after row i (label_end likewise for
// labels). One block per piece, reused chunk after chunk, so its memory is touched only once.
struct Block {
  std::vector<Index> row_end, cols;
  std::vector<float> vals;
  std::vector<Index> label_end, labels;
  Stats stats;

  // Empties the block but keeps its capacity.
  void clear() {
    row_end.clear();
    cols.clear();
    vals.clear();
    label_end.clear();
    labels.clear();
    stats = Stats();
  }
};

// Parses complete lines into a Block; throws PieceError.
class PieceParser {
 public:
  PieceParser(const Header& header, Block& out) : header_(header), out_(out) {}

  // Parses [begin, end), which ends at a newline or at the end of the file; returns the number
  // of lines consumed.
  std::size_t parse(const char* begin, const char* end) {
    line_ = 0;
    for (const char* p = begin; p < end;) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      const char* line_end = nl ? nl : end;
      ++line_;
      parse_line(p, line_end);
      p = nl ? nl + 1 : end;
    }
    return line_;
  }

 private:
  [[noreturn]] void fail(std::string message) const { throw PieceError{line_, std::move(message)}; }

  void parse_line(const char* p, const char* end) {
    end = strip_comment(p, end);
    const char* features = skip_blanks(p, end);
    if (features == end) return;  // blank or comment-only line
    if (features == p) {
      // No leading blank: the first token is the label list, unless it is already `f:v`.
      const char* te = token_end(p, end);
      if (!std::memchr(p, ':', static_cast<std::size_t>(te - p))) {
        parse_labels(p, te);
        features = te;
      }
    }
    parse_features(features, end);
    out_.row_end.push_back(static_cast<Index>(out_.cols.size()));
    out_.label_end.push_back(static_cast<Index>(out_.labels.size()));
  }

  void parse_labels(const char* p, const char* end) {
    for (const char* s = p;;) {
      Index label = -1;
      const auto [next, ec] = std::from_chars(s, end, label);
      if (ec != std::errc() || label < 0 || (next != end && *next != ',')) {
        const char* item_end = std::find(s, end, ',');
        fail(fmt::format("expected a non-negative integer label in '{}', found '{}'",
                         text(p, end), text(s, item_end)));
      }
      if (header_.present && label >= header_.labels)
        fail(fmt::format("expected a label below L = {} (header, line {}), found {}",
                         header_.labels, header_.line, label));
      if (label >= kMaxColumns)
        fail(fmt::format("expected a label below {} (the most labels the reader takes), found {}",
                         kMaxColumns, label));
      out_.labels.push_back(label);
      out_.stats.max_label = std::max(out_.stats.max_label, label);
      if (next == end) return;
      s = next + 1;
    }
  }

  void parse_features(const char* p, const char* end) {
    const std::size_t row_begin = out_.cols.size();
    bool sorted = true;
    Index prev = -1;
    for (p = skip_blanks(p, end); p < end; p = skip_blanks(p, end)) {
      Index index = -1;
      const auto [colon, ec] = std::from_chars(p, end, index);
      if (ec != std::errc() || colon == end || *colon != ':') {
        if (text(p, end).substr(0, 4) == "qid:") {  // scikit-learn's query id: ignored
          ++out_.stats.qid_tokens;
          p = token_end(p, end);
          continue;
        }
        fail(fmt::format("expected 'index:value', found '{}'", text(p, token_end(p, end))));
      }
      if (index < 0)
        fail(fmt::format("expected a non-negative feature index, found '{}'",
                         text(p, token_end(p, end))));
      if (header_.present && index >= header_.features)
        fail(fmt::format("expected a feature index below F = {} (header, line {}), found {}",
                         header_.features, header_.line, index));
      if (index >= kMaxColumns)
        fail(fmt::format("expected a feature index below {} (the most features the reader takes), "
                         "found {}", kMaxColumns, index));
      const char* after = parse_value(colon + 1, end, p);
      if (index <= prev) sorted = false;
      prev = index;
      out_.cols.push_back(index);
      p = after;
    }
    if (out_.cols.size() == row_begin) return;
    if (!sorted) sort_row(row_begin);
    out_.stats.min_index = std::min(out_.stats.min_index, out_.cols[row_begin]);
    out_.stats.max_index = std::max(out_.stats.max_index, out_.cols.back());
  }

  // Parses the value of the pair starting at `pair`, pushes it; returns the end of the value.
  const char* parse_value(const char* v, const char* end, const char* pair) {
    if (v < end && *v == '+' && v + 1 < end && v[1] != '-') ++v;  // from_chars refuses '+'
    float value = 0;
    std::from_chars_result r = std::from_chars(v, end, value);
    if (r.ec == std::errc::result_out_of_range) {  // beyond float: round like a cast (inf or 0)
      double wide = 0;
      r = std::from_chars(v, end, wide);
      value = static_cast<float>(wide);
    }
    const char* after = r.ptr;
    if (r.ec != std::errc() || (after < end && !is_blank(*after))) {
      const char* te = token_end(v, end);
      fail(fmt::format("expected a numeric value in '{}', found '{}'", text(pair, te), text(v, te)));
    }
    out_.vals.push_back(value);
    return after;
  }

  // scikit-learn refuses unsorted rows; we sort them (pairs move together) and refuse repeats.
  void sort_row(std::size_t begin) {
    scratch_.clear();
    for (std::size_t k = begin; k < out_.cols.size(); ++k)
      scratch_.emplace_back(out_.cols[k], out_.vals[k]);
    std::sort(scratch_.begin(), scratch_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t k = 0; k < scratch_.size(); ++k) {
      if (k > 0 && scratch_[k].first == scratch_[k - 1].first)
        fail(fmt::format("expected each feature index once per row, found {} twice",
                         scratch_[k].first));
      out_.cols[begin + k] = scratch_[k].first;
      out_.vals[begin + k] = scratch_[k].second;
    }
    ++out_.stats.unsorted_rows;
  }

  const Header& header_;
  Block& out_;
  std::size_t line_ = 0;
  std::vector<std::pair<Index, float>> scratch_;
};

class LibsvmReader {
 public:
  LibsvmReader(const fs::path& path, const LibsvmTuning& tuning)
      : path_(path), file_(path.string()), tuning_(tuning) {
    const auto cores = static_cast<unsigned>(resolve_threads(static_cast<int>(tuning.threads)));
    threads_ = std::clamp(cores, 1u, 64u);
  }

  Dataset read() {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(file_.c_str(), "rb"), &std::fclose);
    if (!f) throw Error(file_, 0, fmt::format("cannot open the file: {}", std::strerror(errno)));
    std::error_code ec;
    file_bytes_ = fs::file_size(path_, ec);
    if (ec) file_bytes_ = 0;
    stream(f.get());
    if (read_bytes_ == 0) throw Error(file_, 1, "expected LIBSVM rows, found an empty file");
    return finish();
  }

 private:
  // Reads the file chunk by chunk and parses the complete lines of each.
  void stream(std::FILE* f) {
    std::vector<char> buf(read_buffer_bytes(tuning_.chunk_bytes, file_bytes_, 1));
    std::size_t have = 0;
    for (bool eof = false; !eof;) {
      if (have == buf.size()) buf.resize(buf.size() * 2);  // a line longer than the buffer
      const std::size_t want = buf.size() - have;
      const std::size_t got = std::fread(buf.data() + have, 1, want, f);
      if (std::ferror(f))
        throw Error(file_, 0, fmt::format("cannot read the file: {}", std::strerror(errno)));
      have += got;
      read_bytes_ += got;
      eof = got < want;
      // Parse up to the last newline; the rest of the buffer waits for the next read.
      std::size_t done = have;
      if (!eof) {
        while (done > 0 && buf[done - 1] != '\n') --done;
      }
      if (done > 0) parse_chunk(buf.data(), buf.data() + done);
      std::memmove(buf.data(), buf.data() + done, have - done);
      have -= done;
    }
  }

  [[noreturn]] void fail(std::size_t line, const std::string& message) const {
    throw Error(file_, line, message);
  }

  // Before the first data row: consume blank and comment lines, and the header if there is one.
  void take_header(const char*& begin, const char* end) {
    while (begin < end) {
      const char* nl = static_cast<const char*>(std::memchr(begin, '\n', static_cast<std::size_t>(end - begin)));
      const char* line_end = nl ? nl : end;
      const char* stop = strip_comment(begin, line_end);
      if (skip_blanks(begin, stop) != stop) {
        header_checked_ = true;
        if (!read_header(begin, stop, lines_ + 1)) return;  // a data row: leave it to the parser
      }
      ++lines_;
      begin = nl ? nl + 1 : end;
      if (header_checked_) return;
    }
  }

  // True if [p, end) is the header `N F L`. A first line of 2 or 4+ bare integers is an error:
  // it cannot be a data row either.
  bool read_header(const char* p, const char* end, std::size_t line) {
    Index values[3] = {0, 0, 0};
    int count = 0;
    for (p = skip_blanks(p, end); p < end; p = skip_blanks(p, end)) {
      const char* te = token_end(p, end);
      Index v = 0;
      const auto [next, ec] = std::from_chars(p, te, v);
      if (ec != std::errc() || next != te || v < 0) return false;
      if (count < 3) values[count] = v;
      ++count;
      p = te;
    }
    if (count == 1) return false;  // a row with one label and no features
    if (count != 3)
      fail(line, fmt::format("expected a header line 'N F L' (three integers), found {} integers",
                             count));
    if (values[1] > kMaxColumns || values[2] > kMaxColumns)
      fail(line, fmt::format("expected at most {} features and labels in the header 'N F L', "
                             "found F = {}, L = {}", kMaxColumns, values[1], values[2]));
    header_ = Header{true, values[0], values[1], values[2], line};
    return true;
  }

  struct PieceResult {
    std::size_t lines = 0;
    std::exception_ptr error;
  };

  PieceResult run_piece(const char* begin, const char* end, Block& out) const {
    PieceResult result;
    try {
      out.clear();
      result.lines = PieceParser(header_, out).parse(begin, end);
    } catch (...) {
      result.error = std::current_exception();
    }
    return result;
  }

  // Parses complete lines. With several threads the chunk is cut at newlines into a few pieces
  // per thread, which the threads take in turn: a thread that the OS preempts (other work on
  // the machine) then holds up less. The pieces are appended in file order.
  void parse_chunk(const char* begin, const char* end) {
    if (!header_checked_) take_header(begin, end);
    const std::size_t bytes = static_cast<std::size_t>(end - begin);
    const std::size_t by_size = bytes / std::max<std::size_t>(tuning_.min_bytes_per_thread, 1);
    const std::size_t threads = std::max<std::size_t>(1, std::min<std::size_t>(threads_, by_size));
    const std::size_t k = threads == 1 ? 1 : threads * kPiecesPerThread;
    const std::vector<const char*> cut = cut_at_lines(begin, end, k);
    if (blocks_.size() < k) blocks_.resize(k);
    std::vector<PieceResult> results(k);
    run_parallel(threads, k, [&](std::size_t i) { results[i] = run_piece(cut[i], cut[i + 1], blocks_[i]); });
    parsed_bytes_ += bytes;
    // The first error in file order wins; the pieces before it have complete line counts.
    std::vector<Index> base(k);
    Index nnz = entries_.size();
    for (std::size_t i = 0; i < k; ++i) {
      if (results[i].error) {
        try {
          std::rethrow_exception(results[i].error);
        } catch (const PieceError& e) {
          fail(lines_ + e.line, e.message);
        }
      }
      lines_ += results[i].lines;
      base[i] = nnz;
      nnz += static_cast<Index>(blocks_[i].cols.size());
    }
    reserve(nnz);
    entries_.resize(nnz);
    // The threads copy the blocks too, so fresh memory is faulted in on every core.
    run_parallel(threads, k, [&](std::size_t i) {
      std::copy(blocks_[i].cols.begin(), blocks_[i].cols.end(), entries_.indexPtr() + base[i]);
      std::copy(blocks_[i].vals.begin(), blocks_[i].vals.end(), entries_.valuePtr() + base[i]);
    });
    for (std::size_t i = 0; i < k; ++i) append_rows(blocks_[i], base[i]);
  }

  // Runs job(i) for every i < count on `threads` threads (this one included), each taking the
  // next i in turn: core/parallel.hpp.
  template <typename Job>
  static void run_parallel(std::size_t threads, std::size_t count, const Job& job) {
    parallel_for(static_cast<Index>(count), static_cast<int>(std::max<std::size_t>(1, threads)),
                 [&](Index i) { job(static_cast<std::size_t>(i)); });
  }

  // Appends a block's row ends (its entries start at `base`), labels and stats.
  void append_rows(const Block& b, Index base) {
    for (Index e : b.row_end) row_end_.push_back(base + e);
    const Index label_base = static_cast<Index>(labels_.size());
    for (Index e : b.label_end) label_end_.push_back(label_base + e);
    labels_.insert(labels_.end(), b.labels.begin(), b.labels.end());
    stats_.merge(b.stats);
  }

  // Room for `needed` entries. The first time, extrapolate from the bytes parsed so far to the
  // whole file (5% spare) so that one allocation usually holds them all; later, grow by half.
  void reserve(Index needed) {
    if (needed <= entries_.allocatedSize()) return;
    Index capacity = needed + needed / 2;
    if (entries_.allocatedSize() == 0 && file_bytes_ > parsed_bytes_ && parsed_bytes_ > 0) {
      const double scale = static_cast<double>(file_bytes_) / static_cast<double>(parsed_bytes_);
      capacity = std::max(needed, static_cast<Index>(static_cast<double>(needed) * scale * 1.05));
    }
    entries_.reserve(capacity - entries_.size());
    advise_huge_pages(entries_.valuePtr(), static_cast<std::size_t>(capacity) * sizeof(float));
    advise_huge_pages(entries_.indexPtr(), static_cast<std::size_t>(capacity) * sizeof(Index));
  }

  Dataset finish() {
    const Index n = static_cast<Index>(row_end_.size());
    if (header_.present && n != header_.rows)
      fail(header_.line, fmt::format("expected {} rows as the header says, found {}", header_.rows, n));
    if (n == 0) fail(std::max<std::size_t>(lines_, 1), "expected at least one data row, found none");

    Dataset out;
    out.name = path_.stem().string();
    out.sources = {file_};
    out.sparse = true;
    const bool any_features = entries_.size() > 0;
    // scikit-learn's zero_based="auto": one-based unless an index 0 appears.
    const bool one_based = !header_.present && any_features && stats_.min_index > 0;
    const Index shift = one_based ? 1 : 0;
    const Index d = header_.present ? header_.features : (any_features ? stats_.max_index + 1 - shift : 0);
    const Index l = header_.present ? header_.labels : stats_.max_label + 1;
    if (!header_.present) {
      check_label_ids(l);
      check_feature_ids(d, shift);
    }
    fill_features(out, n, d, shift);
    fill_labels(out, n, l);
    out.feature_names.reserve(static_cast<std::size_t>(d));
    for (Index j = 0; j < d; ++j) out.feature_names.push_back(std::to_string(j + shift));
    out.label_names.reserve(static_cast<std::size_t>(l));
    for (Index j = 0; j < l; ++j) out.label_names.push_back(std::to_string(j));
    add_notes(out, one_based);
    return out;
  }

  // Hands the CSR arrays to the matrix (no copy: entries_ is the storage type behind
  // SparseMatrix::data()) and makes the indices 0-based.
  void fill_features(Dataset& out, Index n, Index d, Index shift) {
    if (shift != 0) {
      Index* inner = entries_.indexPtr();
      for (Index k = 0; k < entries_.size(); ++k) inner[k] -= shift;
    }
    out.csr.resize(n, d);  // compressed, no entries
    out.csr.data().swap(entries_);
    Index* outer = out.csr.outerIndexPtr();
    outer[0] = 0;
    std::copy(row_end_.begin(), row_end_.end(), outer + 1);
  }

  // Without a header, L is the largest label id + 1: a stray huge id would make millions of
  // empty labels (a 200-byte file: 6.7 million, 40 s and 80 MB before anything is computed).
  // Real label ids run 0 .. L-1 with most of them used; refuse ids that leave more than 63 of
  // every 64 labels unused, past the first 4096.
  void check_label_ids(Index l) {
    if (l <= 4096) return;
    std::vector<char> seen(static_cast<std::size_t>(l), 0);
    Index distinct = 0;
    for (const Index label : labels_) distinct += !std::exchange(seen[static_cast<std::size_t>(label)], 1);
    if (l <= 64 * distinct) return;
    // The first row with the largest label: entry k of labels_ belongs to the first row r
    // whose label_end_[r] (labels of rows 0 .. r) is above k.
    const auto k = static_cast<Index>(std::find(labels_.begin(), labels_.end(), l - 1) - labels_.begin());
    const auto row = std::upper_bound(label_end_.begin(), label_end_.end(), k) - label_end_.begin();
    fail(0, fmt::format("data row {} has label {}, but only {} distinct labels occur: expected "
                        "label ids 0 .. L-1 with most of them used (L would be {}; an XC header "
                        "line `N F L` declares a sparse label space)",
                        row + 1, l - 1, distinct, l));
  }

  // The same for features, past 2^20 (each feature gets a name: 16 million of them are 0.5 GB
  // and seconds): a file that uses fewer than D/64 distinct feature indices there needs an XC
  // header to declare its feature space.
  void check_feature_ids(Index d, Index shift) {
    if (d <= (Index{1} << 20)) return;
    std::vector<char> seen(static_cast<std::size_t>(d), 0);
    Index distinct = 0;
    const Index* index = entries_.indexPtr();
    for (Index k = 0; k < entries_.size(); ++k)
      distinct += !std::exchange(seen[static_cast<std::size_t>(index[k] - shift)], 1);
    if (d <= 64 * distinct) return;
    fail(0, fmt::format("feature indices run up to {}, but only {} distinct ones occur: expected "
                        "indices that use most of the feature space (D would be {}; an XC header "
                        "line `N F L` declares a sparse feature space)",
                        d - 1 + shift, distinct, d));
  }

  void fill_labels(Dataset& out, Index n, Index l) {
    const std::uint64_t bytes = static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(l);
    if (bytes > kMaxLabelBytes)
      fail(0, fmt::format("expected a label matrix of at most 16 GiB (dense N x L bytes), found "
                          "{} rows x {} labels = {:.1f} GiB",
                          n, l, static_cast<double>(bytes) / (1u << 30)));
    out.labels.resize(n, l);
    advise_huge_pages(out.labels.data(), static_cast<std::size_t>(bytes));
    // Zeroing N x L fresh bytes is mostly page faults: share the rows out over the threads.
    const std::size_t parts = threads_ == 1 ? 1 : threads_ * kPiecesPerThread;
    run_parallel(threads_, parts, [&](std::size_t part) {
      const Index begin = n * static_cast<Index>(part) / static_cast<Index>(parts);
      const Index end = n * static_cast<Index>(part + 1) / static_cast<Index>(parts);
      out.labels.middleRows(begin, end - begin).setZero();
      for (Index r = begin; r < end; ++r)
        for (Index k = r == 0 ? 0 : label_end_[r - 1]; k < label_end_[r]; ++k)
          out.labels(r, labels_[k]) = 1;
    });
  }

  void add_notes(Dataset& out, bool one_based) const {
    if (header_.present)
      out.notes.push_back(fmt::format(
          "extreme-classification header 'N F L' on line {}: feature indices and labels are 0-based",
          header_.line));
    else if (one_based)
      out.notes.push_back("feature indices are one-based (no index 0 appears, as scikit-learn's "
                          "zero_based=\"auto\" decides); feature names are the indices as written");
    else
      out.notes.push_back("feature indices are zero-based (an index 0 appears, as scikit-learn's "
                          "zero_based=\"auto\" decides)");
    if (stats_.unsorted_rows > 0)
      out.notes.push_back(fmt::format("{} of {} rows had unsorted feature indices (sorted on reading)",
                                      stats_.unsorted_rows, out.rows()));
    if (stats_.qid_tokens > 0)
      out.notes.push_back(fmt::format("{} 'qid:' tokens ignored", stats_.qid_tokens));
  }

  fs::path path_;
  std::string file_;
  LibsvmTuning tuning_;
  std::uintmax_t file_bytes_ = 0;  // 0 when unknown
  std::uintmax_t read_bytes_ = 0;
  std::uintmax_t parsed_bytes_ = 0;  // bytes of the chunks parsed so far
  Header header_;
  bool header_checked_ = false;
  std::size_t lines_ = 0;      // lines consumed before the current chunk
  unsigned threads_ = 1;
  std::vector<Block> blocks_;  // one per piece of a chunk, reused
  // The rows so far. Values and column indices live in Eigen's own CSR storage (the type of
  // SparseMatrix::data()), so the result is handed over without a copy.
  Eigen::internal::CompressedStorage<float, Index> entries_;
  std::vector<Index> row_end_, label_end_, labels_;
  Stats stats_;
};

}  // namespace

Dataset read_libsvm(const fs::path& path, const ReadOptions&, const LibsvmTuning& tuning) {
  return LibsvmReader(path, tuning).read();
}

}  // namespace lg
