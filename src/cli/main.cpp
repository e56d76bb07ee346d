#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "cli/commands.hpp"

namespace {

// The commands that may run LibTorch.
bool trains(int argc, char** argv) {
  if (argc < 2) return false;
  for (const char* command : {"run", "train", "predict"})
    if (std::strcmp(argv[1], command) == 0) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // OpenMP threads (LibTorch's) spin while they wait for work. On a busy machine (2 cores and
  // anything else running) a spinning thread holds the core its partner needs: an mlgcn epoch
  // took 1.4-1.8 s instead of 0.03-0.3 s at 2 threads (bench/README.md, "bench/nets"). libgomp
  // reads its wait policy once, when it is loaded (before main, through igraph), so a command
  // that trains restarts itself once with sleeping waits; a user's own setting wins.
  if (trains(argc, argv) && !std::getenv("OMP_WAIT_POLICY") &&
      setenv("OMP_WAIT_POLICY", "PASSIVE", 1) == 0)
    execv("/proc/self/exe", argv);  // returns only on failure: go on with the default policy
  return lg::cli::run_cli(argc, argv);
}
