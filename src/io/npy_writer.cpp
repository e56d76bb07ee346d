// NumPy .npy writer, format 1.0
// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
#include "io/npy_writer.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace lg {

namespace {

// numpy aligns the data to 64 bytes (ARRAY_ALIGN) and, since 1.23, leaves spare spaces in the
// header so the first axis can grow in place (GROWTH_AXIS_MAX_DIGITS). Doing the same makes our
// files byte-identical to np.save's.
constexpr std::size_t kArrayAlign = 64;
constexpr std::size_t kGrowthAxisMaxDigits = 21;
constexpr std::size_t kPreambleBytes = 10;  // magic (6) + version (2) + header length (2)

std::string npy_header(Index rows, Index cols) {
  std::string dict = fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}), }}",
                                 rows, cols);
  const std::size_t first_axis_digits = fmt::formatted_size("{}", rows);
  if (first_axis_digits < kGrowthAxisMaxDigits)
    dict.append(kGrowthAxisMaxDigits - first_axis_digits, ' ');
  // Spaces, then '\n', so that the preamble + dict + padding + '\n' ends on a 64-byte boundary.
  const std::size_t pad = kArrayAlign - (kPreambleBytes + dict.size() + 1) % kArrayAlign;
  dict.append(pad % kArrayAlign, ' ');
  dict.push_back('\n');

  std::string out("\x93NUMPY\x01\x00", 8);
  const auto len = static_cast<std::uint16_t>(dict.size());  // < 200 bytes for any 2-D shape
  out.push_back(static_cast<char>(len & 0xff));
  out.push_back(static_cast<char>(len >> 8));
  out += dict;
  return out;
}

}  // namespace

void write_npy(const std::filesystem::path& path, const ScoreMatrix& scores) {
  const std::string header = npy_header(scores.rows(), scores.cols());
  // A user-named output: a missing folder is an error (lg::Error naming the file), not created.
  AtomicFile file(path, /*create_folder=*/false);
  std::ostream& out = file.stream();
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  const std::size_t count = static_cast<std::size_t>(scores.size());
  static_assert(sizeof(float) == 4, "npy <f4 needs 4-byte floats");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  // Big-endian host: '<f4' is little-endian, so swap each value's bytes.
  std::vector<char> swapped(count * 4);
  for (std::size_t k = 0; k < count; ++k) {
    char bytes[4];
    std::memcpy(bytes, scores.data() + k, 4);
    for (int b = 0; b < 4; ++b) swapped[k * 4 + static_cast<std::size_t>(b)] = bytes[3 - b];
  }
  out.write(swapped.data(), static_cast<std::streamsize>(swapped.size()));
#else
  // Row-major storage is C order already: one write, no copy.
  out.write(reinterpret_cast<const char*>(scores.data()),
            static_cast<std::streamsize>(count * sizeof(float)));
#endif
  file.commit();
}

}  // namespace lg
