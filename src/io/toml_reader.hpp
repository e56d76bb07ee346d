#pragma once
// Typed reading of TOML tables for configs and descriptors: every value is read by key into a
// typed field, any other key is an error naming the key, and every error names the file and
// the line. Text becomes structs here; nothing past this edge looks keys up by string.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <type_traits>
#include <vector>

namespace lg {

/// Parse a TOML file; a syntax error or a missing file is an lg::Error with file and line.
toml::table parse_toml_file(const std::filesystem::path& path);

class TomlTableReader {
 public:
  /// `where` names the table in messages, e.g. "[experiment]" or "[[files]]".
  TomlTableReader(const toml::table& table, std::string file, std::string where);

  /// Read `key` into `out` if present (returns whether it was). Supported: bool, integers
  /// (unsigned ones reject negatives), floating point, std::string, std::vector<std::string>,
  /// std::vector of integers or floating point, and std::optional of those. A value of another type is an error at its line.
  template <class T>
  bool read(std::string_view key, T& out);

  /// A sub-table, or nullptr when absent; not a table is an error.
  const toml::table* table(std::string_view key);
  /// An array of tables ([[key]]), or nullptr when absent; anything else is an error.
  const toml::array* tables(std::string_view key);

  /// Every key must have been read (or marked known); otherwise an error at the unknown key.
  void reject_unknown_keys() const;

  /// An error at the line of `key`'s value (the table's line when the key is absent).
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;
  /// An error at the table's own line.
  [[noreturn]] void fail(const std::string& message) const;

  const std::string& file() const { return file_; }
  std::size_t line() const;

 private:
  [[noreturn]] void wrong_type(std::string_view key, const toml::node& node, std::string_view expected) const;
  const toml::node* known(std::string_view key);

  const toml::table& table_;
  std::string file_;
  std::string where_;
  std::vector<std::string> known_;
};

namespace detail {
template <class T> struct is_optional : std::false_type {};
template <class U> struct is_optional<std::optional<U>> : std::true_type {};
template <class T> struct is_number_vector : std::false_type {};
template <class U, class A>
struct is_number_vector<std::vector<U, A>> : std::bool_constant<std::is_arithmetic_v<U> && !std::is_same_v<U, bool>> {};
}  // namespace detail

template <class T>
bool TomlTableReader::read(std::string_view key, T& out) {
  if constexpr (detail::is_optional<T>::value) {
    typename T::value_type value{};
    if (!read(key, value)) return false;
    out = std::move(value);
    return true;
  }
  const toml::node* node = known(key);
  if (!node) return false;
  if constexpr (std::is_same_v<T, bool>) {
    if (!node->is_boolean()) wrong_type(key, *node, "true or false");
    out = node->as_boolean()->get();
  } else if constexpr (std::is_integral_v<T>) {
    if (!node->is_integer()) wrong_type(key, *node, "an integer");
    const std::int64_t v = node->as_integer()->get();
    if (std::is_unsigned_v<T> && v < 0) wrong_type(key, *node, "a non-negative integer");
    out = static_cast<T>(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!node->is_number()) wrong_type(key, *node, "a number");
    out = static_cast<T>(*node->value<double>());
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!node->is_string()) wrong_type(key, *node, "a string");
    out = node->as_string()->get();
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    const toml::array* arr = node->as_array();
    if (!arr) wrong_type(key, *node, "an array of strings");
    out.clear();
    for (const toml::node& item : *arr) {
      if (!item.is_string()) wrong_type(key, item, "an array of strings");
      out.push_back(item.as_string()->get());
    }
  } else if constexpr (detail::is_number_vector<T>::value) {
    using V = typename T::value_type;
    const toml::array* arr = node->as_array();
    const char* expected = std::is_integral_v<V> ? "an array of integers" : "an array of numbers";
    if (!arr) wrong_type(key, *node, expected);
    out.clear();
    for (const toml::node& item : *arr) {
      if (std::is_integral_v<V> ? !item.is_integer() : !item.is_number()) wrong_type(key, item, expected);
      if (std::is_unsigned_v<V> && *item.value<double>() < 0) wrong_type(key, item, "an array of non-negative integers");
      out.push_back(static_cast<V>(std::is_integral_v<V> ? static_cast<V>(*item.value<std::int64_t>())
                                                          : static_cast<V>(*item.value<double>())));
    }
  } else if constexpr (!detail::is_optional<T>::value) {
    static_assert(sizeof(T) == 0, "unsupported TOML value type");
  }
  return true;
}

}  // namespace lg
