// libFuzzer target: the LIBSVM / extreme-classification reader (io/libsvm_reader).
// The input and how it is read: run_libsvm in fuzz_cases.hpp.
#include "fuzz/fuzz_cases.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lg::fuzz::InputFile file("input.svm");
  return lg::fuzz::run_libsvm(file, data, size) ? 0 : -1;  // -1: not an input of this target
}
