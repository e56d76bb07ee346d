#pragma once
// Choosing an algorithm's searched parameters (key = { search = [...] }) for one cell, on the
// cell's training rows only: every combination of the candidates is fitted on the inner
// training part of each inner fold ([search] method / folds / test_fraction, drawn from the
// cell's seed) and scored on the inner validation part with [search] measure; the combination
// with the best mean wins (the first one listed on a tie). The cell's test rows are not an
// argument: they cannot influence the choice.
#include <string>
#include <utility>
#include <vector>

#include "core/context.hpp"
#include "core/dataset.hpp"
#include "experiment/config.hpp"

namespace lg {

struct SearchOutcome {
  toml::table params;  ///< the algorithm's parameters with the chosen values
  /// Each searched key with its chosen value as text, in the config's order
  std::vector<std::pair<std::string, std::string>> chosen;
  /// One line per candidate combination: its values and mean measure (for the cell's notes)
  std::vector<std::string> notes;
};

/// The chosen parameters of `algorithm` (which must have a search) for training rows `train`
/// (already preprocessed as the cell's model sees them). Throws lg::Error when an inner split
/// cannot be drawn (too few rows) or a candidate cannot be fitted.
SearchOutcome search_parameters(const AlgorithmConfig& algorithm, const Dataset& train,
                                const ExperimentConfig& config, const Context& ctx);

}  // namespace lg
