#pragma once
// Where this process stands in a multi-process (data-parallel) training: its rank, the number
// of processes and how they meet. Read once from the environment by the CLI and carried in the
// Context; src/nets builds the c10d process group from it (nets/distributed.hpp). No torch here.
//
// The variables, in the order they are looked at:
//   torchrun   RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (and
//              TORCHELASTIC_USE_AGENT_STORE: torchrun's agent serves the store, rank 0 connects)
//   Slurm      SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID when RANK / WORLD_SIZE are not set
//              (MASTER_ADDR and MASTER_PORT come from the batch script)
//   labelgraph LABELGRAPH_STORE_FILE: a file store (a path every process sees) instead of a TCP
//              store; `--nproc N` sets it for the workers it starts
#include <string>

#include "core/error.hpp"

namespace lg {

struct ProcessGroupSpec {
  int rank = 0;                 ///< this process, 0 .. world_size - 1
  int world_size = 1;           ///< processes that train together; 1 = no process group
  int local_rank = 0;           ///< this process on its machine (the CUDA device it takes)
  std::string master_addr;      ///< the TCP store's host (rank 0's machine, or torchrun's agent)
  int master_port = 0;          ///< the TCP store's port
  bool agent_store = false;     ///< the store is served by torchrun's agent: rank 0 is a client
  std::string store_file;       ///< a file store instead of TCP (empty: TCP)
  bool loopback = false;        ///< every process on this machine: Gloo on 127.0.0.1
  double timeout_seconds = 120; ///< a collective waiting longer means a peer died or hung

  bool distributed() const { return world_size > 1; }
  /// "process 1 of 2" (for messages)
  std::string describe() const;
};

/// The spec from the variables above (world size 1 when none is set). Throws lg::Error naming
/// the variable for a value that is not a number, a rank outside 0 .. WORLD_SIZE - 1, or a
/// missing MASTER_ADDR / MASTER_PORT (without a store file) when WORLD_SIZE > 1.
ProcessGroupSpec process_group_from_environment(double timeout_seconds = 120);

/// The device a process trains on: with several processes, "cuda" (no index) becomes
/// "cuda:<local rank>" (one GPU per process, as torchrun and srun --gpus-per-task expect);
/// anything else is kept.
std::string device_for_process(const std::string& device, const ProcessGroupSpec& processes);

/// A process of a multi-process training lost the others: one died, hung past the timeout, or
/// could not be reached. The CLI prints the message and exits with kPeerLostExitCode.
class PeerLost : public Error {
 public:
  using Error::Error;
};

/// The exit code of a process that ended with PeerLost, and of `--nproc`'s launcher when a
/// worker died: 76.
inline constexpr int kPeerLostExitCode = 76;

}  // namespace lg
