// libFuzzer target: IDX image and label files, plain or gzip'd (io/idx_reader).
// The input and how it is read: run_idx in fuzz_cases.hpp.
#include "fuzz/fuzz_cases.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lg::fuzz::InputFile file("input-idx-ubyte.gz");
  return lg::fuzz::run_idx(file, data, size) ? 0 : -1;  // -1: not an input of this target
}
