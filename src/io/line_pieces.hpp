#pragma once
// Cutting a text buffer into pieces for parallel parsing: k pieces of about equal size, each
// ending just after a newline, so that no line is split between two threads.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace lg {

/// The buffer a chunked text reader allocates: its chunk size, but no more than the file needs
/// (`file_bytes` + 1, so that the first read sees the end; 0 when the size is unknown) and at
/// least `floor`. A small file then costs a small buffer, not a zero-filled 16 MiB.
inline std::size_t read_buffer_bytes(std::size_t chunk_bytes, std::uintmax_t file_bytes,
                                     std::size_t floor) {
  std::size_t bytes = chunk_bytes;
  if (file_bytes > 0 && file_bytes < bytes) bytes = static_cast<std::size_t>(file_bytes) + 1;
  return std::max(bytes, floor);
}

/// k + 1 boundaries: piece i is [cut[i], cut[i + 1]); cut[0] = begin, cut[k] = end. Pieces
/// may be empty when lines are longer than a piece.
inline std::vector<const char*> cut_at_lines(const char* begin, const char* end, std::size_t k) {
  const std::size_t bytes = static_cast<std::size_t>(end - begin);
  std::vector<const char*> cut(k + 1, end);
  cut[0] = begin;
  for (std::size_t i = 1; i < k; ++i) {
    const char* c = std::max(begin + bytes * i / k, cut[i - 1]);
    const void* nl = std::memchr(c, '\n', static_cast<std::size_t>(end - c));
    cut[i] = nl ? static_cast<const char*>(nl) + 1 : end;
  }
  return cut;
}

}  // namespace lg
