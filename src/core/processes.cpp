#include "core/processes.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>

namespace lg {
namespace {

/// The variable's value, or nullptr when it is unset or empty.
const char* variable(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

int integer(const char* name, const char* text, long low, long high) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < low || v > high)
    throw Error(fmt::format("environment variable {}='{}': expected an integer in {} .. {}", name, text,
                            low, high));
  return static_cast<int>(v);
}

/// The first of `names` that is set, with its name; nullptr when none is.
std::pair<const char*, const char*> first_of(std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (const char* v = variable(n)) return {n, v};
  return {nullptr, nullptr};
}

}  // namespace

std::string ProcessGroupSpec::describe() const { return fmt::format("process {} of {}", rank, world_size); }

std::string device_for_process(const std::string& device, const ProcessGroupSpec& processes) {
  if (processes.distributed() && device == "cuda") return fmt::format("cuda:{}", processes.local_rank);
  return device;
}

ProcessGroupSpec process_group_from_environment(double timeout_seconds) {
  ProcessGroupSpec s;
  s.timeout_seconds = timeout_seconds;
  const auto [world_name, world_text] = first_of({"WORLD_SIZE", "SLURM_NTASKS"});
  if (!world_text) return s;
  s.world_size = integer(world_name, world_text, 1, 1 << 20);
  if (s.world_size == 1) return s;
  const auto [rank_name, rank_text] = first_of({"RANK", "SLURM_PROCID"});
  if (!rank_text)
    throw Error(fmt::format("{}={} but neither RANK nor SLURM_PROCID says which process this is",
                            world_name, s.world_size));
  s.rank = integer(rank_name, rank_text, 0, s.world_size - 1);
  const auto [local_name, local_text] = first_of({"LOCAL_RANK", "SLURM_LOCALID"});
  s.local_rank = local_text ? integer(local_name, local_text, 0, 1 << 20) : 0;
  if (const char* file = variable("LABELGRAPH_STORE_FILE")) {
    s.store_file = file;
  } else {
    const char* addr = variable("MASTER_ADDR");
    const char* port = variable("MASTER_PORT");
    if (!addr || !port)
      throw Error(fmt::format("{}={}: set MASTER_ADDR and MASTER_PORT (where rank 0 serves the "
                              "process group's store; torchrun sets both) or LABELGRAPH_STORE_FILE",
                              world_name, s.world_size));
    s.master_addr = addr;
    s.master_port = integer("MASTER_PORT", port, 1, 65535);
    const char* agent = variable("TORCHELASTIC_USE_AGENT_STORE");
    s.agent_store = agent && (std::string(agent) == "True" || std::string(agent) == "true" ||
                              std::string(agent) == "1");
  }
  const char* loopback = variable("LABELGRAPH_LOOPBACK");
  s.loopback = loopback && std::string(loopback) == "1";
  return s;
}

}  // namespace lg
