#pragma once
// Score and truth matrices written by any tool, for `labelgraph eval`.
//
// What a file is, by extension and, for .txt, by content:
//   * .npy             NumPy array, format 1.0 / 2.0 / 3.0; dtypes <f4 <f8 |i1 |u1 |b1 (and the
//                      little-endian integers <i2 <i4 <i8 <u2 <u4 <u8 NumPy writes by default);
//                      C or Fortran order; 2-D N x L, or 1-D N = one column. Big-endian data and
//                      structured dtypes are refused with a message saying how to re-save.
//   * .csv             comma-separated numbers, one row per line. Truth only: with
//                      --label-columns / --label-prefix it is a CSV data set instead (io/csv_reader).
//   * .arff, .svm, .libsvm, .svmlight, .xc, and names of known data sets (io/catalog)
//                      a data set read by the toolkit's readers; its labels are the truth, its
//                      features are ignored. Truth only.
//   * .txt             a LIBSVM data set when its first 64 KiB hold a LIBSVM token (`index:value`,
//                      or a first field of comma-separated integers such as `3,17`); otherwise a
//                      whitespace-separated matrix. A numeric matrix never holds ':' or ','.
//   * anything else    whitespace-separated numbers (spaces or tabs), e.g. .tsv, .dat, .scores.
//
// Text matrices (CSV and whitespace):
//   * The first non-blank line is a header of column names when any of its fields is not a
//     number (for truth, true/false count as numbers); its names become the label names. A CSV
//     header whose first name is empty (pandas' index column) drops the first column everywhere.
//     Header names may be double-quoted.
//   * Blank lines and lines starting with '#' (numpy.savetxt's header) are skipped; CRLF is fine;
//     a UTF-8 byte-order mark is ignored; spaces around CSV fields are ignored.
//   * Every data line must have the header's (or the first data line's) number of fields.
//   * Scores: any finite number, read as the nearest double (std::from_chars), never narrowed
//     to float. Truth: 0 or 1, written as 0, 1, 0.0, 1.0, 1e0 ... or true / false.
//
// Scores are always returned as float64 (ScoreMatrixD): float64 files keep every bit, float32
// .npy files widen exactly (ScoreFile::float32 says so, for callers that compare them in float
// as NumPy does), integer and bool .npy files exactly up to 2^53.
// Errors (lg::Error) name the file and the 1-based line for text, or the header field / the
// row and column for .npy: ragged rows, non-numbers, NaN or infinite scores, truth values other
// than 0/1, an empty file, a truncated .npy.
//
// Large text files are read in chunks; each chunk is parsed by several threads on line-aligned
// pieces. The result does not depend on the thread count, and an error names the first bad
// line of the file, as one thread would.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "core/layout.hpp"
#include "io/read_options.hpp"

namespace lg {

/// How a score / truth file is read (see the rules above).
enum class MatrixFileKind {
  Npy,         ///< NumPy .npy
  Csv,         ///< comma-separated numbers
  Whitespace,  ///< whitespace-separated numbers
  Dataset,     ///< a data set for lg::load_inputs (its labels are the truth)
};
const char* to_string(MatrixFileKind kind);

/// The kind of `input`: a path, or a known data set name (Dataset when it names no file).
/// `csv_is_dataset`: a .csv is a CSV data set (label columns were declared), not a matrix.
MatrixFileKind detect_matrix_file(const std::string& input, bool csv_is_dataset = false);

/// How text matrices are spread over threads; the defaults suit any file. Tests shrink the
/// chunks to exercise line splits at chunk and thread boundaries.
struct MatrixReadTuning {
  unsigned threads = 0;                                    ///< parser threads; 0 = all cores
  std::size_t chunk_bytes = std::size_t{16} << 20;         ///< bytes read at a time
  std::size_t min_bytes_per_thread = std::size_t{1} << 20;  ///< smaller chunks use fewer threads
};

/// A score matrix and what its file says about the columns.
struct ScoreFile {
  ScoreMatrixD scores;             ///< N x L, float64 (see the header comment)
  /// The file stores float32 values (.npy '<f4'): `scores` holds them exactly, so narrowing
  /// them back to float loses nothing. False for float64, integer and text files.
  bool float32 = false;
  /// Only when read with keep_float32 and `float32`: the scores as the file stores them, and
  /// `scores` left empty (no float64 copy: half the memory, the file read in place).
  ScoreMatrix scores_float32;
  std::vector<std::string> names;  ///< L column names from a header; empty without one
  MatrixFileKind kind = MatrixFileKind::Npy;  ///< how the file was read
};

/// A 0/1 truth (or training label) matrix and its label names.
struct TruthFile {
  LabelMatrix labels;              ///< N x L, 0 / 1
  std::vector<std::string> names;  ///< L names (header or data set); empty without a header
  MatrixFileKind kind = MatrixFileKind::Npy;  ///< how the file was read
};

/// Read a score matrix (.npy, CSV or whitespace text). A data set file is refused: scores are
/// a matrix. Throws lg::Error naming the file and line on bad input. `keep_float32`: a float32
/// .npy goes to ScoreFile::scores_float32 as it is, not widened into `scores`.
ScoreFile read_score_matrix(const std::filesystem::path& path, const MatrixReadTuning& tuning = {},
                            bool keep_float32 = false);

/// Read a truth matrix from a matrix file or a data set (file or known name; `options` declare
/// its labels as for `labelgraph stats`). Features of a data set are read and dropped; missing
/// feature values do not matter here. Throws lg::Error naming the file and line on bad input.
TruthFile read_truth_matrix(const std::string& input, const ReadOptions& options = {},
                            const MatrixReadTuning& tuning = {});

}  // namespace lg
