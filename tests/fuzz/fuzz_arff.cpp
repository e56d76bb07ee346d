// libFuzzer target: the ARFF reader (io/arff_reader).
// The input and how it is read: run_arff in fuzz_cases.hpp.
#include "fuzz/fuzz_cases.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lg::fuzz::InputFile file("input.arff");
  return lg::fuzz::run_arff(file, data, size) ? 0 : -1;  // -1: not an input of this target
}
