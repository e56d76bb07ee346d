// libFuzzer target: comma-separated score / truth matrices (io/score_reader).
// The input and how it is read: run_scores in fuzz_cases.hpp.
#include "fuzz/fuzz_cases.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lg::fuzz::InputFile file("scores.csv");
  return lg::fuzz::run_scores(file, data, size) ? 0 : -1;  // -1: not an input of this target
}
