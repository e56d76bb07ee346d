#include "cli/commands.hpp"

int main(int argc, char** argv) { return lg::cli::run_cli(argc, argv); }
