#pragma once
// Reading a whole file into memory: the one reader for every caller that needs a file's bytes
// at once (published count tables, image label CSVs and annotation JSON, cell records,
// TorchScript modules). POSIX open / fstat / read: one allocation of the file's size.
#include <filesystem>
#include <optional>
#include <string>

namespace lg {

/// The file's bytes; nullopt when it does not exist. Throws lg::Error naming the file and the
/// reason for any other failure (permissions, a folder, an I/O error).
std::optional<std::string> try_read_file(const std::filesystem::path& path);

/// The file's bytes; throws lg::Error naming the file and the reason when it cannot be read
/// (absent included).
std::string read_file(const std::filesystem::path& path);

}  // namespace lg
