// libFuzzer target: the CSV data-set reader (io/csv_reader).
// The input and how it is read: run_csv in fuzz_cases.hpp.
#include "fuzz/fuzz_cases.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lg::fuzz::InputFile file("input.csv");
  return lg::fuzz::run_csv(file, data, size) ? 0 : -1;  // -1: not an input of this target
}
