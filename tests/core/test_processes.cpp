// core/processes: where a process stands in a multi-process training, from the variables
// torchrun, Slurm and `--nproc` set (values by hand).
#include <catch2/catch.hpp>

#include <string>

#include "core/error.hpp"
#include "core/processes.hpp"
#include "helpers.hpp"

using Catch::Matchers::Contains;

namespace {

/// Unsets every variable the reader looks at for the object's lifetime (ScopedEnv with "" is
/// "unset" for the reader: it ignores empty values).
struct CleanEnvironment {
  lg::test::ScopedEnv a{"WORLD_SIZE", ""}, b{"RANK", ""}, c{"LOCAL_RANK", ""}, d{"MASTER_ADDR", ""},
      e{"MASTER_PORT", ""}, f{"SLURM_NTASKS", ""}, g{"SLURM_PROCID", ""}, h{"SLURM_LOCALID", ""},
      i{"LABELGRAPH_STORE_FILE", ""}, j{"TORCHELASTIC_USE_AGENT_STORE", ""}, k{"LABELGRAPH_LOOPBACK", ""};
};

}  // namespace

TEST_CASE("processes: one process without the variables", "[processes]") {
  CleanEnvironment clean;
  const lg::ProcessGroupSpec s = lg::process_group_from_environment(30);
  CHECK(s.world_size == 1);
  CHECK(s.rank == 0);
  CHECK_FALSE(s.distributed());
  CHECK(lg::device_for_process("cuda", s) == "cuda");
}

TEST_CASE("processes: torchrun's variables", "[processes]") {
  CleanEnvironment clean;
  lg::test::ScopedEnv world("WORLD_SIZE", "4"), rank("RANK", "3"), local("LOCAL_RANK", "1"),
      addr("MASTER_ADDR", "node07"), port("MASTER_PORT", "29500"), agent("TORCHELASTIC_USE_AGENT_STORE", "True");
  const lg::ProcessGroupSpec s = lg::process_group_from_environment(30);
  CHECK(s.world_size == 4);
  CHECK(s.rank == 3);
  CHECK(s.local_rank == 1);
  CHECK(s.master_addr == "node07");
  CHECK(s.master_port == 29500);
  CHECK(s.agent_store);
  CHECK(s.timeout_seconds == 30);
  CHECK(s.describe() == "process 3 of 4");
  CHECK(lg::device_for_process("cuda", s) == "cuda:1");
  CHECK(lg::device_for_process("cuda:0", s) == "cuda:0");
  CHECK(lg::device_for_process("cpu", s) == "cpu");
}

TEST_CASE("processes: Slurm's variables when torchrun's are not set", "[processes]") {
  CleanEnvironment clean;
  lg::test::ScopedEnv world("SLURM_NTASKS", "8"), rank("SLURM_PROCID", "5"), local("SLURM_LOCALID", "1"),
      addr("MASTER_ADDR", "10.0.0.1"), port("MASTER_PORT", "1234");
  const lg::ProcessGroupSpec s = lg::process_group_from_environment();
  CHECK(s.world_size == 8);
  CHECK(s.rank == 5);
  CHECK(s.local_rank == 1);
  CHECK_FALSE(s.agent_store);
}

TEST_CASE("processes: a file store needs no address", "[processes]") {
  CleanEnvironment clean;
  lg::test::ScopedEnv world("WORLD_SIZE", "2"), rank("RANK", "0"), file("LABELGRAPH_STORE_FILE", "/tmp/x/store"),
      loop("LABELGRAPH_LOOPBACK", "1");
  const lg::ProcessGroupSpec s = lg::process_group_from_environment();
  CHECK(s.store_file == "/tmp/x/store");
  CHECK(s.loopback);
  CHECK(s.master_addr.empty());
}

TEST_CASE("processes: bad variables are errors naming them", "[processes]") {
  CleanEnvironment clean;
  SECTION("not a number") {
    lg::test::ScopedEnv world("WORLD_SIZE", "two");
    CHECK_THAT(lg::test::error_of([] { lg::process_group_from_environment(); }),
               Contains("WORLD_SIZE='two'") && Contains("integer"));
  }
  SECTION("a rank outside the world") {
    lg::test::ScopedEnv world("WORLD_SIZE", "2"), rank("RANK", "2"), addr("MASTER_ADDR", "h"), port("MASTER_PORT", "1");
    CHECK_THAT(lg::test::error_of([] { lg::process_group_from_environment(); }),
               Contains("RANK='2'") && Contains("0 .. 1"));
  }
  SECTION("no rank") {
    lg::test::ScopedEnv world("WORLD_SIZE", "2");
    CHECK_THAT(lg::test::error_of([] { lg::process_group_from_environment(); }), Contains("RANK"));
  }
  SECTION("no store") {
    lg::test::ScopedEnv world("WORLD_SIZE", "2"), rank("RANK", "1");
    CHECK_THAT(lg::test::error_of([] { lg::process_group_from_environment(); }),
               Contains("MASTER_ADDR and MASTER_PORT"));
  }
  SECTION("a port out of range") {
    lg::test::ScopedEnv world("WORLD_SIZE", "2"), rank("RANK", "1"), addr("MASTER_ADDR", "h"), port("MASTER_PORT", "70000");
    CHECK_THAT(lg::test::error_of([] { lg::process_group_from_environment(); }), Contains("MASTER_PORT='70000'"));
  }
}
