#pragma once
// Data layout convention for all of labelgraph, stated once:
//
//   * Features X are N x D (rows = instances, columns = features), float32. Dense features are
//     row-major (`DenseFeatures`); sparse features are CSR (`SparseFeatures`, row-major
//     Eigen::SparseMatrix), used when the source file is sparse (sparse ARFF, LIBSVM).
//   * The label matrix Y is N x L, row-major, uint8 with values 0 / 1 (`LabelMatrix`).
//   * Label graphs and adjacencies are L x L, row-major double (`Adjacency`); entry (i, j) is
//     the edge i -> j.
//   * Scores S and predictions P are N x L row-major, like Y. Models produce float32 scores
//     (`ScoreMatrix`); scores read from files for `labelgraph eval` are float64
//     (`ScoreMatrixD`), so that distinct float64 scores never become ties.
//   * Indices are 0-based everywhere inside the toolkit; file formats that count from 1 are
//     converted at the reader.
//   * Crossing between Eigen and LibTorch happens in exactly one place: src/nets/tensor_convert.
#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <cstdint>

namespace lg {

using Index = std::int64_t;
using DenseFeatures = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using SparseFeatures = Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t>;
using LabelMatrix = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ScoreMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ScoreMatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Adjacency = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace lg
