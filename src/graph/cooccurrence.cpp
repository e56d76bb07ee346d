#include "graph/cooccurrence.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <limits>
#include <memory>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <utility>

#include "core/parallel.hpp"
#include "core/error.hpp"
#include "core/file_text.hpp"
#include "core/huge_pages.hpp"

namespace lg::graph {
namespace {

std::vector<std::string> label_names_or_generated(const std::vector<std::string>& names,
                                                  Index num_labels) {
  if (names.empty()) {
    std::vector<std::string> generated;
    generated.reserve(static_cast<std::size_t>(num_labels));
    for (Index l = 0; l < num_labels; ++l) generated.push_back(fmt::format("label_{}", l));
    return generated;
  }
  if (static_cast<Index>(names.size()) != num_labels)
    throw Error(fmt::format("co-occurrence: {} label names for a label matrix with {} labels",
                            names.size(), num_labels));
  return names;
}

// ---- fresh memory ----

// The large arrays here are fresh memory written once. On virtual machines a 4 KiB page fault
// costs more than the counting itself (90-300 MB/s of first writes on the development VM), so
// they are allocated without zeroing and advised to use huge pages (core/huge_pages.hpp).

/// An uninitialised array of a trivial type (std::vector would zero it: a write per page).
template <class T>
class RawArray {
 public:
  RawArray() = default;
  explicit RawArray(std::size_t size) : data_(size ? new T[size] : nullptr), size_(size) {
    advise_huge_pages(data_.get(), size * sizeof(T));
  }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  T& operator[](std::size_t k) { return data_[k]; }
  const T& operator[](std::size_t k) const { return data_[k]; }
  std::size_t size() const { return size_; }

 private:
  std::unique_ptr<T[]> data_;
  std::size_t size_ = 0;
};

// ---- rows of the upper triangle, and the symmetric CSR built from them ----

/// Rows [first, first + row_nnz.size()) of a sparse matrix, columns ascending; cols and
/// values have room for an upper bound, of which the first `size` entries are used.
struct RowPiece {
  Index first = 0;
  std::vector<Index> row_nnz;
  RawArray<std::int32_t> cols;
  RawArray<std::uint32_t> values;
  std::size_t size = 0;

  RowPiece() = default;
  RowPiece(Index first_row, Index rows, std::size_t capacity)
      : first(first_row), cols(capacity), values(capacity) {
    row_nnz.reserve(static_cast<std::size_t>(rows));
  }
};

/// The full symmetric matrix from pieces holding the upper triangle (columns >= row).
void assemble_symmetric(std::vector<RowPiece>& pieces, Index num_labels, CountMatrix& out) {
  std::sort(pieces.begin(), pieces.end(),
            [](const RowPiece& a, const RowPiece& b) { return a.first < b.first; });
  std::vector<Index> lower(static_cast<std::size_t>(num_labels), 0);
  std::vector<Index> upper(static_cast<std::size_t>(num_labels), 0);
  for (const RowPiece& piece : pieces) {
    Index pos = 0;
    for (std::size_t k = 0; k < piece.row_nnz.size(); ++k) {
      const Index i = piece.first + static_cast<Index>(k);
      upper[i] = piece.row_nnz[k];
      for (Index e = 0; e < piece.row_nnz[k]; ++e, ++pos)
        if (piece.cols[pos] > i) ++lower[piece.cols[pos]];
    }
  }
  out.resize(num_labels, num_labels);
  Index* outer = out.outerIndexPtr();
  Index nnz = 0;
  for (Index i = 0; i < num_labels; ++i) {
    outer[i] = nnz;
    nnz += lower[i] + upper[i];
  }
  outer[num_labels] = nnz;
  out.resizeNonZeros(nnz);
  Index* inner = out.innerIndexPtr();
  double* values = out.valuePtr();
  advise_huge_pages(inner, static_cast<std::size_t>(nnz) * sizeof(Index));
  advise_huge_pages(values, static_cast<std::size_t>(nnz) * sizeof(double));
  std::vector<Index> lower_pos(outer, outer + num_labels);  // rows fill their lower part first
  for (RowPiece& piece : pieces) {
    Index pos = 0;
    for (std::size_t k = 0; k < piece.row_nnz.size(); ++k) {
      const Index i = piece.first + static_cast<Index>(k);
      Index upper_pos = outer[i] + lower[i];
      for (Index e = 0; e < piece.row_nnz[k]; ++e, ++pos) {
        const Index j = piece.cols[pos];
        const double v = piece.values[pos];
        inner[upper_pos] = j;
        values[upper_pos++] = v;
        if (j > i) {  // rows are visited in ascending order, so row j's lower part stays sorted
          inner[lower_pos[j]] = i;
          values[lower_pos[j]++] = v;
        }
      }
    }
    piece = RowPiece();
  }
}

// ---- sparse input: label buckets, then one dense accumulator per thread ----
//
// Row i of M is the sum of the label rows of the training rows carrying label i. Gathering
// those rows label by label (Gustavson, as scipy's Y.T @ Y does) costs a cache miss per
// (label, row) pair on a large matrix. Instead one streaming pass over Y scatters each row's
// labels into a bucket per label it carries (sum_r k_r^2 entries, written to L sequential
// streams); then each bucket is summed into a dense length-L accumulator, emitted in column
// order, and the accumulator cleared. Labels are processed in ranges whose buckets fit a
// budget, so memory stays proportional to the non-zeros (one pass over Y per range).

/// Bucket entries allowed at once: 3 per non-zero (12 bytes), at least 4 M. Measured on the
/// 1M x 10k benchmark (sum_r k_r^2 = 6.3 entries per non-zero): one pass with every bucket
/// (6.3 per non-zero) and seven passes (1 per non-zero) both took 20-40% more CPU time than
/// three passes, the first in fresh memory, the second in re-reading Y.
std::size_t bucket_budget(const SparseLabels& y, const SparseCountTuning& tuning) {
  if (tuning.bucket_budget > 0) return tuning.bucket_budget;
  return std::max<std::size_t>(std::size_t{1} << 22, 3 * static_cast<std::size_t>(y.nonzeros()));
}

/// Cuts labels into consecutive ranges whose buckets hold at most `budget` entries (a label
/// whose bucket alone is larger gets a range of its own).
std::vector<std::pair<Index, Index>> bucket_ranges(const std::vector<std::size_t>& bucket_size,
                                                   std::size_t budget) {
  std::vector<std::pair<Index, Index>> ranges;
  const Index num_labels = static_cast<Index>(bucket_size.size());
  Index begin = 0;
  std::size_t sum = 0;
  for (Index l = 0; l < num_labels; ++l) {
    if (l > begin && sum + bucket_size[l] > budget) {
      ranges.emplace_back(begin, l);
      begin = l;
      sum = 0;
    }
    sum += bucket_size[l];
  }
  if (begin < num_labels) ranges.emplace_back(begin, num_labels);
  return ranges;
}

/// Cuts [begin, end) into pieces of about equal bucket volume, several per thread so that the
/// heavy head of a power-law label distribution is spread out.
std::vector<std::pair<Index, Index>> balanced_pieces(const std::vector<std::size_t>& offset,
                                                     Index begin, Index end, int threads) {
  const std::size_t total = offset[end] - offset[begin] + static_cast<std::size_t>(end - begin);
  const std::size_t target =
      std::max<std::size_t>(1, total / (static_cast<std::size_t>(threads) * 32));
  std::vector<std::pair<Index, Index>> pieces;
  Index first = begin;
  std::size_t work = 0;
  for (Index l = begin; l < end; ++l) {
    work += offset[l + 1] - offset[l] + 1;  // + 1: emitting a label costs something too
    if (work >= target || l + 1 == end) {
      pieces.emplace_back(first, l + 1);
      first = l + 1;
      work = 0;
    }
  }
  return pieces;
}

/// Per-thread scratch: counters, a bitmap of touched columns and their list.
struct Accumulator {
  std::vector<std::uint32_t> count;
  std::vector<std::uint64_t> touched_bits;
  std::vector<std::int32_t> touched;
  explicit Accumulator(Index num_labels)
      : count(static_cast<std::size_t>(num_labels), 0),
        touched_bits(static_cast<std::size_t>((num_labels + 63) / 64), 0),
        touched(static_cast<std::size_t>(num_labels)) {}
};

/// Sums the buckets of labels [begin, end) into rows of M: columns and counts go to `cols` and
/// `values` (room for the buckets' volume), row lengths to row_nnz[begin .. end). Returns the
/// number of entries written.
std::size_t sum_buckets(const std::int32_t* bucket, const std::vector<std::size_t>& offset,
                        Index begin, Index end, Accumulator& acc, std::int32_t* cols,
                        std::uint32_t* values, Index* row_nnz) {
  std::uint32_t* count = acc.count.data();
  std::uint64_t* bits = acc.touched_bits.data();
  std::int32_t* touched = acc.touched.data();
  const Index words = static_cast<Index>(acc.touched_bits.size());
  std::size_t written = 0;
  for (Index i = begin; i < end; ++i) {
    std::size_t num_touched = 0;
    for (std::size_t q = offset[i]; q < offset[i + 1]; ++q) {
      const std::int32_t j = bucket[q];
      if (count[j]++ == 0) {
        touched[num_touched++] = j;
        bits[j >> 6] |= std::uint64_t{1} << (j & 63);
      }
    }
    std::int32_t* c = cols + written;
    std::uint32_t* v = values + written;
    // Column order: sort a few touched columns, or walk the bitmap (L / 64 words) when
    // sorting would cost more.
    const double sort_cost =
        static_cast<double>(num_touched) * std::log2(static_cast<double>(num_touched) + 2.0);
    if (sort_cost * 4.0 < static_cast<double>(words)) {
      std::sort(touched, touched + num_touched);
      for (std::size_t k = 0; k < num_touched; ++k) {
        const std::int32_t j = touched[k];
        c[k] = j;
        v[k] = count[j];
        count[j] = 0;
        bits[j >> 6] = 0;
      }
    } else {
      std::size_t k = 0;
      for (Index w = 0; w < words; ++w) {
        std::uint64_t word = bits[w];
        if (word == 0) continue;
        bits[w] = 0;
        do {
          const auto j = static_cast<std::int32_t>(w * 64 + __builtin_ctzll(word));
          c[k] = j;
          v[k++] = count[j];
          count[j] = 0;
          word &= word - 1;
        } while (word != 0);
      }
    }
    row_nnz[i] = static_cast<Index>(num_touched);
    written += num_touched;
  }
  return written;
}

void count_sparse(const SparseLabels& y, int threads, const SparseCountTuning& tuning,
                  Cooccurrence& out) {
  const Index n = y.rows();
  const Index num_labels = y.num_labels;
  threads = static_cast<int>(std::clamp<Index>(threads, 1, std::max<Index>(1, n)));
  auto row_range = [&](int t) {
    return std::pair<Index, Index>(n * t / threads, n * (t + 1) / threads);
  };
  const Index* row_offset = y.row_offset.data();
  const std::int32_t* label_index = y.label_index.data();

  // Bucket sizes per thread (each thread owns a contiguous range of rows) and label counts.
  // The same pass validates the rows (in parallel, where a separate check() costs a tenth of
  // the count); a bad matrix is then checked again in row order for the error message. The
  // caller has checked the offsets' ends and L.
  std::vector<std::vector<std::size_t>> cursor(
      static_cast<std::size_t>(threads),
      std::vector<std::size_t>(static_cast<std::size_t>(num_labels)));
  std::vector<std::vector<Index>> label_count(
      static_cast<std::size_t>(threads), std::vector<Index>(static_cast<std::size_t>(num_labels)));
  std::vector<char> bad(static_cast<std::size_t>(threads), 0);
  parallel_parts(threads, [&](int t) {
    const auto [begin, end] = row_range(t);
    const Index nnz = y.nonzeros();
    std::size_t* size = cursor[t].data();
    Index* count = label_count[t].data();
    for (Index r = begin; r < end; ++r) {
      const Index first = row_offset[r], last = row_offset[r + 1];
      if (first > last || last > nnz) {
        bad[t] = 1;
        return;
      }
      const auto k = static_cast<std::size_t>(last - first);
      std::int32_t previous = -1;
      for (Index p = first; p < last; ++p) {
        const std::int32_t l = label_index[p];
        if (l <= previous || l >= num_labels) {  // also l < 0
          bad[t] = 1;
          return;
        }
        previous = l;
        size[l] += k;
        ++count[l];
      }
    }
  });
  if (std::find(bad.begin(), bad.end(), 1) != bad.end()) {
    y.check();
    throw Error("sparse label matrix: invalid rows");  // not reached: check() names the row
  }
  out.label_counts.assign(static_cast<std::size_t>(num_labels), 0.0);
  std::vector<std::size_t> bucket_size(static_cast<std::size_t>(num_labels), 0);
  for (int t = 0; t < threads; ++t)
    for (Index l = 0; l < num_labels; ++l) {
      out.label_counts[l] += static_cast<double>(label_count[t][l]);
      bucket_size[l] += cursor[t][l];
    }
  label_count = {};

  // One bucket array and one staging area per thread, reused by every label range (fresh
  // memory is what costs most).
  const std::vector<std::pair<Index, Index>> ranges =
      bucket_ranges(bucket_size, bucket_budget(y, tuning));
  std::size_t largest = 0;
  for (const auto& [range_begin, range_end] : ranges) {
    std::size_t volume = 0;
    for (Index l = range_begin; l < range_end; ++l) volume += bucket_size[l];
    largest = std::max(largest, volume);
  }
  RawArray<std::int32_t> bucket(largest);
  std::vector<RawArray<std::int32_t>> staged_cols;
  std::vector<RawArray<std::uint32_t>> staged_values;
  for (int t = 0; t < threads; ++t) {  // virtual room for a whole range; touched as used
    staged_cols.emplace_back(largest);
    staged_values.emplace_back(largest);
  }

  // The result is written in place: room for an upper bound of its size (row i has at most
  // as many entries as its bucket, nor more than the labels that occur) is reserved, touched
  // only as far as it is filled, and the size set at the end (Eigen keeps the capacity; the
  // unused tail is address space, never touched).
  std::size_t occurring = 0;
  for (Index l = 0; l < num_labels; ++l) occurring += out.label_counts[l] > 0;
  std::size_t capacity = 0;
  for (Index l = 0; l < num_labels; ++l) capacity += std::min(bucket_size[l], occurring);
  CountMatrix& m = out.counts;
  m.resize(num_labels, num_labels);
  m.resizeNonZeros(static_cast<Index>(capacity));
  advise_huge_pages(m.innerIndexPtr(), capacity * sizeof(Index));
  advise_huge_pages(m.valuePtr(), capacity * sizeof(double));
  Index* outer = m.outerIndexPtr();
  Index* inner = m.innerIndexPtr();
  double* values = m.valuePtr();
  std::vector<Index> row_nnz(static_cast<std::size_t>(num_labels), 0);

  std::vector<std::size_t> offset(static_cast<std::size_t>(num_labels) + 1, 0);
  Index written = 0;
  for (const auto& range : ranges) {
    // Plain copies: the lambda below captures them (clang 14 cannot capture structured bindings).
    const Index range_begin = range.first, range_end = range.second;
    // Offsets: bucket l holds thread 0's entries, then thread 1's, ...
    std::size_t total = 0;
    for (Index l = range_begin; l < range_end; ++l) {
      offset[l] = total;
      for (int t = 0; t < threads; ++t) {
        const std::size_t size = cursor[t][l];
        cursor[t][l] = total;
        total += size;
      }
    }
    offset[range_end] = total;
    // Scatter: each row's labels into the bucket of every label of the row in this range.
    parallel_parts(threads, [&](int t) {
      const auto [begin, end] = row_range(t);
      std::size_t* next = cursor[t].data();
      std::int32_t* out_bucket = bucket.data();
      for (Index r = begin; r < end; ++r) {
        const std::int32_t* first = label_index + row_offset[r];
        const std::int32_t* last = label_index + row_offset[r + 1];
        if (first == last || last[-1] < range_begin || *first >= range_end) continue;
        for (const std::int32_t* a = first; a != last; ++a) {
          if (*a < range_begin || *a >= range_end) continue;
          std::int32_t* dst = out_bucket + next[*a];
          next[*a] += static_cast<std::size_t>(last - first);
          // Rows are short: a plain loop beats a call to memmove per row.
          for (const std::int32_t* b = first; b != last; ++b) *dst++ = *b;
        }
      }
    });
    // Sum the buckets in pieces handed out dynamically; each thread stages its pieces.
    const std::vector<std::pair<Index, Index>> pieces =
        balanced_pieces(offset, range_begin, range_end, threads);
    struct Staged {
      int thread = 0;
      std::size_t at = 0, size = 0;
    };
    std::vector<Staged> staged(pieces.size());
    std::atomic<std::size_t> next{0};
    parallel_parts(threads, [&](int t) {
      Accumulator acc(num_labels);
      std::size_t used = 0;
      for (std::size_t k = next++; k < pieces.size(); k = next++) {
        const std::size_t size = sum_buckets(bucket.data(), offset, pieces[k].first,
                                             pieces[k].second, acc, staged_cols[t].data() + used,
                                             staged_values[t].data() + used, row_nnz.data());
        staged[k] = {t, used, size};
        used += size;
      }
    });
    // Copy the pieces into the result in label order.
    std::vector<Index> position(pieces.size());
    for (std::size_t k = 0; k < pieces.size(); ++k) {
      position[k] = written;
      written += static_cast<Index>(staged[k].size);
    }
    next = 0;
    parallel_parts(threads, [&](int) {
      for (std::size_t k = next++; k < pieces.size(); k = next++) {
        const std::int32_t* c = staged_cols[staged[k].thread].data() + staged[k].at;
        const std::uint32_t* v = staged_values[staged[k].thread].data() + staged[k].at;
        for (std::size_t e = 0; e < staged[k].size; ++e) {
          inner[position[k] + static_cast<Index>(e)] = c[e];
          values[position[k] + static_cast<Index>(e)] = v[e];
        }
      }
    });
  }
  Index total = 0;
  for (Index l = 0; l < num_labels; ++l) {
    outer[l] = total;
    total += row_nnz[l];
  }
  outer[num_labels] = total;
  m.resizeNonZeros(written);
}

// ---- dense input: bit-packed columns and popcounts ----

constexpr Index kBitsetMaxLabels = 8192;
constexpr Index kBlock = 4;        // labels i per micro-kernel: 4 popcount sums in registers
constexpr Index kTileWords = 256;  // 16384 rows per tile: 4 columns of it stay in L1

/// Column l's bits at words [l W, (l + 1) W); bit r % 64 of word r / 64 is Y(r, l) != 0.
std::vector<std::uint64_t> pack_columns(const LabelMatrix& y, Index words, int threads) {
  const Index n = y.rows(), num_labels = y.cols();
  std::vector<std::uint64_t> bits(static_cast<std::size_t>(num_labels * words), 0);
  parallel_parts(threads, [&](int t) {
    std::vector<std::uint64_t> word(static_cast<std::size_t>(num_labels));
    for (Index w = words * t / threads; w < words * (t + 1) / threads; ++w) {
      std::fill(word.begin(), word.end(), 0);
      const Index end = std::min(n, (w + 1) * 64);
      for (Index r = w * 64; r < end; ++r) {
        const std::uint8_t* row = y.data() + r * num_labels;
        const unsigned shift = static_cast<unsigned>(r - w * 64);
        for (Index l = 0; l < num_labels; ++l)
          word[l] |= static_cast<std::uint64_t>(row[l] != 0) << shift;
      }
      for (Index l = 0; l < num_labels; ++l) bits[l * words + w] = word[l];
    }
  });
  return bits;
}

/// sums[b * L + j] += popcount(col(i0 + b) & col(j)) over the given words, j >= i0.
/// Written once; instantiated with and without the POPCNT instruction (see below).
inline void popcount_block(const std::uint64_t* bits, Index words, Index num_labels, Index i0,
                           Index w0, Index w1, std::uint64_t* sums) {
  const std::uint64_t* c0 = bits + i0 * words;
  const std::uint64_t* c1 = c0 + words;
  const std::uint64_t* c2 = c1 + words;
  const std::uint64_t* c3 = c2 + words;
  for (Index j = i0; j < num_labels; ++j) {
    const std::uint64_t* cj = bits + j * words;
    std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (Index w = w0; w < w1; ++w) {
      const std::uint64_t x = cj[w];
      s0 += static_cast<std::uint64_t>(__builtin_popcountll(x & c0[w]));
      s1 += static_cast<std::uint64_t>(__builtin_popcountll(x & c1[w]));
      s2 += static_cast<std::uint64_t>(__builtin_popcountll(x & c2[w]));
      s3 += static_cast<std::uint64_t>(__builtin_popcountll(x & c3[w]));
    }
    sums[j] += s0;
    sums[num_labels + j] += s1;
    sums[2 * num_labels + j] += s2;
    sums[3 * num_labels + j] += s3;
  }
}

// The build targets baseline x86-64, where __builtin_popcountll is a libgcc call; one copy
// compiled for the POPCNT instruction is chosen at run time when the CPU has it.
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
__attribute__((target("popcnt"))) void popcount_block_hw(const std::uint64_t* bits, Index words,
                                                         Index num_labels, Index i0, Index w0,
                                                         Index w1, std::uint64_t* sums) {
  popcount_block(bits, words, num_labels, i0, w0, w1, sums);
}
bool cpu_has_popcnt() { return __builtin_cpu_supports("popcnt"); }
#else
void popcount_block_hw(const std::uint64_t* bits, Index words, Index num_labels, Index i0, Index w0,
                       Index w1, std::uint64_t* sums) {
  popcount_block(bits, words, num_labels, i0, w0, w1, sums);
}
bool cpu_has_popcnt() { return false; }
#endif

void count_bitset(const LabelMatrix& y, int threads, Cooccurrence& out) {
  const Index n = y.rows(), num_labels = y.cols();
  const Index words = (n + 63) / 64;
  // The padding columns (up to a multiple of kBlock) are zero, so the micro-kernel needs no
  // remainder loop.
  const Index padded = (num_labels + kBlock - 1) / kBlock * kBlock;
  std::vector<std::uint64_t> bits = pack_columns(y, words, threads);
  bits.resize(static_cast<std::size_t>(padded * words), 0);
  const auto kernel = cpu_has_popcnt() ? popcount_block_hw : popcount_block;

  const Index num_blocks = padded / kBlock;
  std::vector<RowPiece> pieces(static_cast<std::size_t>(num_blocks));
  std::atomic<Index> next{0};
  parallel_parts(threads, [&](int) {
    std::vector<std::uint64_t> sums(static_cast<std::size_t>(kBlock * padded));
    for (Index b = next++; b < num_blocks; b = next++) {
      const Index i0 = b * kBlock;
      std::fill(sums.begin(), sums.end(), 0);
      for (Index w0 = 0; w0 < words; w0 += kTileWords)
        kernel(bits.data(), words, padded, i0, w0, std::min(words, w0 + kTileWords), sums.data());
      const Index rows = std::min(kBlock, num_labels - i0);
      Index nnz = 0;
      for (Index k = 0; k < rows; ++k)
        for (Index j = i0 + k; j < num_labels; ++j) nnz += sums[k * padded + j] != 0;
      RowPiece& piece = pieces[b];
      piece = RowPiece(i0, rows, static_cast<std::size_t>(nnz));
      for (Index k = 0; k < rows; ++k) {
        const std::size_t start = piece.size;
        for (Index j = i0 + k; j < num_labels; ++j) {
          const std::uint64_t v = sums[k * padded + j];
          if (v == 0) continue;
          piece.cols[piece.size] = static_cast<std::int32_t>(j);
          piece.values[piece.size++] = static_cast<std::uint32_t>(v);
        }
        piece.row_nnz.push_back(static_cast<Index>(piece.size - start));
      }
    }
  });
  bits = {};
  out.label_counts.assign(static_cast<std::size_t>(num_labels), 0.0);
  for (const RowPiece& piece : pieces) {
    Index pos = 0;
    for (std::size_t k = 0; k < piece.row_nnz.size(); ++k) {
      const Index i = piece.first + static_cast<Index>(k);
      if (piece.row_nnz[k] > 0 && piece.cols[pos] == i) out.label_counts[i] = piece.values[pos];
      pos += piece.row_nnz[k];
    }
  }
  assemble_symmetric(pieces, num_labels, out.counts);
}

/// Bitset when its popcounts (N L^2 / 128 words, ~4 per ns) beat the sparse path's pair
/// increments (sum_r k_r^2, ~1 per ns with the scatter into buckets and the sums).
bool bitset_is_cheaper(const LabelMatrix& y) {
  const Index n = y.rows(), num_labels = y.cols();
  if (num_labels > kBitsetMaxLabels || n == 0) return false;
  const double popcounts = static_cast<double>(n) * static_cast<double>(num_labels) *
                           static_cast<double>(num_labels + 1) / 128.0;
  double increments = 0.0;
  for (Index r = 0; r < n; ++r) {
    const std::uint8_t* row = y.data() + r * num_labels;
    Index k = 0;
    for (Index l = 0; l < num_labels; ++l) k += row[l] != 0;
    increments += static_cast<double>(k * k);
  }
  return popcounts / 4.0 < increments;
}

void check_row_count(Index n) {
  if (n > static_cast<Index>(std::numeric_limits<std::uint32_t>::max()))
    throw Error(fmt::format("co-occurrence: {} rows; at most 2^32 - 1 rows can be counted", n));
}

// ---- reading published counts ----

/// Lines without their end (LF or CRLF); trailing empty lines dropped.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  auto blank = [](std::string_view s) {
    return s.find_first_not_of(" \t") == std::string_view::npos;
  };
  while (!lines.empty() && blank(lines.back())) lines.pop_back();
  return lines;
}

std::string_view trim(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const std::size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

/// The comma-separated non-negative numbers of one line. `header_hint` is added to the error
/// for a non-number at the start of line 1 (the likely header row).
std::vector<double> parse_numbers(std::string_view line, const std::string& file,
                                  std::size_t line_number, const char* header_hint) {
  std::vector<double> values;
  std::size_t pos = 0;
  for (;;) {
    std::size_t comma = line.find(',', pos);
    if (comma == std::string_view::npos) comma = line.size();
    const std::string_view field = trim(line.substr(pos, comma - pos));
    double v = 0.0;
    const char* end = field.data() + field.size();
    const auto [ptr, ec] = std::from_chars(field.data(), end, v);
    if (field.empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) {
      std::string message =
          fmt::format("value {}: '{}' is not a number", values.size() + 1, std::string(field));
      if (line_number == 1 && values.empty() && header_hint) message += header_hint;
      throw Error(file, line_number, message);
    }
    if (v < 0.0)
      throw Error(
          file, line_number,
          fmt::format("value {}: negative count {}", values.size() + 1, std::string(field)));
    values.push_back(v == 0.0 ? 0.0 : v);  // -0 reads as 0
    if (comma == line.size()) break;
    pos = comma + 1;
  }
  return values;
}

}  // namespace

// ---- public ----

void SparseLabels::check() const {
  if (row_offset.empty() || row_offset.front() != 0)
    throw Error("sparse label matrix: row_offset must start with 0");
  if (row_offset.back() != nonzeros())
    throw Error(fmt::format("sparse label matrix: row_offset ends at {} but there are {} labels",
                            row_offset.back(), nonzeros()));
  if (num_labels < 0 || num_labels > std::numeric_limits<std::int32_t>::max())
    throw Error(fmt::format("sparse label matrix: bad number of labels {}", num_labels));
  for (Index r = 0; r < rows(); ++r) {
    if (row_offset[r + 1] < row_offset[r])
      throw Error(fmt::format("sparse label matrix: row {} has a negative length", r));
    if (row_offset[r + 1] > nonzeros())
      throw Error(fmt::format("sparse label matrix: row {} ends at {}, past the {} labels", r,
                              row_offset[r + 1], nonzeros()));
    std::int32_t previous = -1;
    for (Index p = row_offset[r]; p < row_offset[r + 1]; ++p) {
      const std::int32_t l = label_index[p];
      if (l < 0 || l >= num_labels)
        throw Error(fmt::format("sparse label matrix: row {} has label {}, outside [0, {})", r, l,
                                num_labels));
      if (l <= previous)
        throw Error(
            fmt::format("sparse label matrix: row {} lists label {} after {} (expected strictly "
                        "increasing labels)",
                        r, l, previous));
      previous = l;
    }
  }
}

SparseLabels to_sparse_labels(const LabelMatrix& labels) {
  SparseLabels s;
  s.num_labels = labels.cols();
  const Index n = labels.rows();
  Index nnz = 0;
  for (Index k = 0; k < labels.size(); ++k) nnz += labels.data()[k] != 0;
  s.label_index.reserve(static_cast<std::size_t>(nnz));
  s.row_offset.reserve(static_cast<std::size_t>(n) + 1);
  for (Index r = 0; r < n; ++r) {
    const std::uint8_t* row = labels.data() + r * s.num_labels;
    for (Index l = 0; l < s.num_labels; ++l)
      if (row[l]) s.label_index.push_back(static_cast<std::int32_t>(l));
    s.row_offset.push_back(static_cast<Index>(s.label_index.size()));
  }
  return s;
}

Cooccurrence::Cooccurrence(Cooccurrence&& other) noexcept { *this = std::move(other); }

Cooccurrence& Cooccurrence::operator=(Cooccurrence&& other) noexcept {
  rows = other.rows;
  names = std::move(other.names);
  label_counts = std::move(other.label_counts);
  counts.swap(other.counts);
  return *this;
}

Adjacency Cooccurrence::dense() const {
  Adjacency a = Adjacency::Zero(counts.rows(), counts.cols());
  for (Index i = 0; i < counts.outerSize(); ++i)
    for (CountMatrix::InnerIterator it(counts, i); it; ++it) a(i, it.col()) = it.value();
  return a;
}

Cooccurrence count_cooccurrence(const LabelMatrix& labels, const std::vector<std::string>& names,
                                int threads, DenseKernel kernel) {
  check_row_count(labels.rows());
  Cooccurrence c;
  c.rows = labels.rows();
  c.names = label_names_or_generated(names, labels.cols());
  threads = resolve_threads(threads);
  bool bitset = kernel == DenseKernel::Bitset;
  if (kernel == DenseKernel::Automatic) bitset = bitset_is_cheaper(labels);
  if (bitset && labels.cols() > kBitsetMaxLabels)
    throw Error(fmt::format("co-occurrence: the bitset kernel takes at most {} labels, not {}",
                            kBitsetMaxLabels, labels.cols()));
  if (bitset) {
    count_bitset(labels, threads, c);
  } else {
    count_sparse(to_sparse_labels(labels), threads, SparseCountTuning(), c);
  }
  return c;
}

Cooccurrence count_cooccurrence(const SparseLabels& labels, const std::vector<std::string>& names,
                                int threads) {
  return count_cooccurrence(labels, names, threads, SparseCountTuning());
}

Cooccurrence count_cooccurrence(const SparseLabels& labels, const std::vector<std::string>& names,
                                int threads, const SparseCountTuning& tuning) {
  // The offsets' ends and L here; the rows themselves are validated while counting.
  if (labels.row_offset.empty() || labels.row_offset.front() != 0 ||
      labels.row_offset.back() != labels.nonzeros() || labels.num_labels < 0 ||
      labels.num_labels > std::numeric_limits<std::int32_t>::max())
    labels.check();
  check_row_count(labels.rows());
  Cooccurrence c;
  c.rows = labels.rows();
  c.names = label_names_or_generated(names, labels.num_labels);
  count_sparse(labels, resolve_threads(threads), tuning, c);
  return c;
}

Cooccurrence read_cooccurrence(const std::string& cooccurrence_csv,
                               const std::string& label_counts_csv, const std::string& names_txt,
                               Index rows) {
  // The matrix.
  const std::string matrix_text = read_file(cooccurrence_csv);
  const std::vector<std::string_view> matrix_lines = split_lines(matrix_text);
  if (matrix_lines.empty())
    throw Error(cooccurrence_csv, 0, "empty file: expected an L x L matrix");
  std::vector<std::vector<double>> m;
  m.reserve(matrix_lines.size());
  for (std::size_t k = 0; k < matrix_lines.size(); ++k) {
    const std::size_t line = k + 1;
    if (trim(matrix_lines[k]).empty())
      throw Error(
          cooccurrence_csv, line,
          k == 0 ? std::string("empty line: expected the first row of an L x L matrix")
                 : fmt::format("empty line: expected {} comma-separated values", m.front().size()));
    m.push_back(parse_numbers(matrix_lines[k], cooccurrence_csv, line,
                              " (the co-occurrence matrix has no header row; label names go in "
                              "the names file)"));
    if (m.back().size() != m.front().size())
      throw Error(cooccurrence_csv, line,
                  fmt::format("expected {} values (as on line 1: an L x L matrix), found {}",
                              m.front().size(), m.back().size()));
  }
  const Index num_labels = static_cast<Index>(m.front().size());
  if (static_cast<Index>(m.size()) != num_labels)
    throw Error(
        cooccurrence_csv, 0,
        fmt::format("{} rows of {} values: expected a square L x L matrix", m.size(), num_labels));

  // The label counts: one per line, or all on one line.
  const std::string counts_text = read_file(label_counts_csv);
  const std::vector<std::string_view> count_lines = split_lines(counts_text);
  std::vector<double> label_counts;
  std::vector<std::size_t> count_line;  // the line of each count, for messages
  for (std::size_t k = 0; k < count_lines.size(); ++k) {
    if (trim(count_lines[k]).empty())
      throw Error(label_counts_csv, k + 1, "empty line: expected a label count");
    const std::vector<double> values =
        parse_numbers(count_lines[k], label_counts_csv, k + 1, nullptr);
    if (values.size() > 1 && count_lines.size() > 1)
      throw Error(label_counts_csv, k + 1,
                  fmt::format("{} values: expected one label count per line, or all on one line",
                              values.size()));
    label_counts.insert(label_counts.end(), values.begin(), values.end());
    count_line.insert(count_line.end(), values.size(), k + 1);
  }
  if (static_cast<Index>(label_counts.size()) != num_labels)
    throw Error(label_counts_csv,
                label_counts.size() > static_cast<std::size_t>(num_labels)
                    ? count_line[static_cast<std::size_t>(num_labels)]
                    : count_lines.size(),
                fmt::format("{} label counts, expected {} (one per row of {})", label_counts.size(),
                            num_labels, cooccurrence_csv));

  // The names.
  const std::string names_text = read_file(names_txt);
  const std::vector<std::string_view> name_lines = split_lines(names_text);
  // Point at the first extra name, or at the last line when names are missing.
  if (static_cast<Index>(name_lines.size()) != num_labels)
    throw Error(names_txt,
                static_cast<Index>(name_lines.size()) > num_labels
                    ? static_cast<std::size_t>(num_labels) + 1
                    : name_lines.size(),
                fmt::format("{} label names, expected {} (one per line, one per row of {})",
                            name_lines.size(), num_labels, cooccurrence_csv));
  std::vector<std::string> names;
  std::unordered_map<std::string_view, std::size_t> seen;
  for (std::size_t k = 0; k < name_lines.size(); ++k) {
    if (trim(name_lines[k]).empty()) throw Error(names_txt, k + 1, "empty label name");
    const auto [it, inserted] = seen.emplace(name_lines[k], k + 1);
    if (!inserted)
      throw Error(names_txt, k + 1,
                  fmt::format("duplicate label name '{}' (also on line {})",
                              std::string(name_lines[k]), it->second));
    names.emplace_back(name_lines[k]);
  }

  // Consistency: symmetric, diagonal 0 or N_i, no pair above either label count.
  for (Index i = 0; i < num_labels; ++i) {
    const std::size_t line = static_cast<std::size_t>(i) + 1;
    const double diagonal = m[i][i];
    if (diagonal != 0.0 && diagonal != label_counts[i])
      throw Error(
          cooccurrence_csv, line,
          fmt::format("the diagonal value {} of '{}' is neither 0 nor its label count {} "
                      "({}:{})",
                      diagonal, names[i], label_counts[i], label_counts_csv, count_line[i]));
    for (Index j = 0; j < num_labels; ++j) {
      if (j == i) continue;
      if (m[i][j] != m[j][i])
        throw Error(cooccurrence_csv, line,
                    fmt::format("not symmetric: value {} ('{}', '{}') is {} but line {} value {} "
                                "is {}",
                                j + 1, names[i], names[j], m[i][j], j + 1, i + 1, m[j][i]));
      if (m[i][j] > label_counts[i])
        throw Error(cooccurrence_csv, line,
                    fmt::format("value {} ('{}' with '{}') is {}, more than the label count {} "
                                "of '{}' ({}:{})",
                                j + 1, names[i], names[j], m[i][j], label_counts[i], names[i],
                                label_counts_csv, count_line[i]));
    }
  }
  if (rows < 0) throw Error(fmt::format("co-occurrence: negative number of rows {}", rows));
  const double largest =
      label_counts.empty() ? 0.0 : *std::max_element(label_counts.begin(), label_counts.end());
  if (rows > 0 && static_cast<double>(rows) < largest)
    throw Error(
        label_counts_csv, 0,
        fmt::format("a label count of {} exceeds the {} training rows given", largest, rows));

  Cooccurrence c;
  c.rows = rows;
  c.names = std::move(names);
  c.label_counts = label_counts;
  std::vector<Eigen::Triplet<double, Index>> entries;
  for (Index i = 0; i < num_labels; ++i)
    for (Index j = 0; j < num_labels; ++j) {
      const double v = i == j ? label_counts[i] : m[i][j];
      if (v != 0.0) entries.emplace_back(i, j, v);
    }
  c.counts.resize(num_labels, num_labels);
  c.counts.setFromTriplets(entries.begin(), entries.end());
  return c;
}

// ---- statistics ----

namespace {

/// Fills f(i, j, M_ij) for every stored pair with M_ij, N_i, N_j > 0; everything else stays 0.
template <class F>
Adjacency over_pairs(const Cooccurrence& c, const F& f) {
  const Index num_labels = c.num_labels();
  if (c.counts.rows() != num_labels || c.counts.cols() != num_labels)
    throw Error(fmt::format("co-occurrence: {} label counts but a {} x {} count matrix", num_labels,
                            c.counts.rows(), c.counts.cols()));
  Adjacency a = Adjacency::Zero(num_labels, num_labels);
  for (Index i = 0; i < num_labels; ++i)
    for (CountMatrix::InnerIterator it(c.counts, i); it; ++it)
      if (it.value() > 0.0 && c.label_counts[i] > 0.0 && c.label_counts[it.col()] > 0.0)
        a(i, it.col()) = f(i, it.col(), it.value());
  return a;
}

double needs_rows(const Cooccurrence& c, const char* statistic) {
  if (c.rows <= 0)
    throw Error(
        fmt::format("{} needs n, the number of training rows, which these co-occurrence "
                    "counts do not have (read_cooccurrence: pass rows)",
                    statistic));
  return static_cast<double>(c.rows);
}

}  // namespace

Adjacency conditional_probability(const Cooccurrence& c) {
  return over_pairs(c, [&](Index i, Index, double mij) { return mij / c.label_counts[i]; });
}

Adjacency pmi(const Cooccurrence& c) {
  const double n = needs_rows(c, "PMI");
  return over_pairs(c, [&](Index i, Index j, double mij) {
    return std::log(mij * n / (c.label_counts[i] * c.label_counts[j]));
  });
}

Adjacency npmi(const Cooccurrence& c) {
  const double n = needs_rows(c, "NPMI");
  return over_pairs(c, [&](Index i, Index j, double mij) {
    if (mij >= n) return 1.0;  // p_ij = 1 forces p_i = p_j = 1: PMI 0 over 0, by convention 1
    return std::log(mij * n / (c.label_counts[i] * c.label_counts[j])) / -std::log(mij / n);
  });
}

Adjacency jaccard(const Cooccurrence& c) {
  return over_pairs(c, [&](Index i, Index j, double mij) {
    return mij / (c.label_counts[i] + c.label_counts[j] - mij);
  });
}

Adjacency lift(const Cooccurrence& c) {
  const double n = needs_rows(c, "lift");
  return over_pairs(c, [&](Index i, Index j, double mij) {
    return mij * n / (c.label_counts[i] * c.label_counts[j]);
  });
}

}  // namespace lg::graph
