// Binary serialization of records and state; the format is in docs/dev/serialization-format.md.
// Invariants: arithmetic values and enums are sizeof(T) bytes, little-endian; lengths and counts
// are unsigned LEB128 varints; strings are length + raw bytes; optional is a 0/1 byte + value;
// pair, tuple, array and EDDY_SERIALIZABLE structs are their fields in order with no tags or
// names, so the reader must know the exact type. Byte order never depends on the host.
// Each serializer has an identity (serializer_identity<T>(): a name and a version) that snapshots
// record with state, so that state is never read by a serializer of another type.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "eddy/core/exceptions.h"
#include "eddy/core/type_name.h"

namespace eddy {

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big,
              "mixed-endian platforms are not supported");

// Malformed or truncated serialized bytes.
class SerializationError : public EddyException {
 public:
  using EddyException::EddyException;
};

namespace serializer_detail {

// Fixed-width types: arithmetic except long double, whose layout (and padding) is platform
// specific. cv-qualified types are not serializable on their own.
template <class T>
concept FixedWidth = std::is_arithmetic_v<T> && !std::is_same_v<T, long double> &&
                     std::is_same_v<T, std::remove_cv_t<T>>;

template <class T>
concept Enum = std::is_enum_v<T> && std::is_same_v<T, std::remove_cv_t<T>>;

// Reverses the bytes of a value on big-endian hosts so the wire is always little-endian.
template <size_t N>
inline void to_little_endian(char* bytes) {
  if constexpr (std::endian::native == std::endian::big) {
    for (size_t i = 0; i < N / 2; ++i) std::swap(bytes[i], bytes[N - 1 - i]);
  }
}

inline constexpr int kMaxVarintBytes = 10;  // ceil(64 / 7)

}  // namespace serializer_detail

// Appends serialized bytes to an owned buffer.
class DataOutputView {
 public:
  DataOutputView() = default;
  // Starts from `initial` (e.g. a buffer that already holds a header) and appends to it.
  explicit DataOutputView(std::string initial) : buffer_(std::move(initial)) {}

  const std::string& data() const { return buffer_; }
  size_t size() const { return buffer_.size(); }
  void clear() { buffer_.clear(); }
  void reserve(size_t n) { buffer_.reserve(n); }
  // Moves the bytes out, leaving the view empty.
  std::string take() { return std::exchange(buffer_, std::string()); }

  void write_u8(uint8_t v) { buffer_.push_back(static_cast<char>(v)); }

  // Unsigned LEB128: 7 bits per byte, low groups first, high bit set on all but the last.
  void write_varint(uint64_t v) {
    char bytes[serializer_detail::kMaxVarintBytes];
    size_t n = 0;
    while (v >= 0x80) {
      bytes[n++] = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    bytes[n++] = static_cast<char>(v);
    buffer_.append(bytes, n);
  }

  template <serializer_detail::FixedWidth T>
  void write_fixed(T v) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    serializer_detail::to_little_endian<sizeof(T)>(bytes);
    buffer_.append(bytes, sizeof(T));
  }

  void write_bytes(const void* data, size_t n) {
    if (n > 0) buffer_.append(static_cast<const char*>(data), n);
  }

 private:
  std::string buffer_;
};

// Reads serialized bytes from a borrowed buffer; the buffer must outlive the view and any
// string_view returned by read_bytes().
class DataInputView {
 public:
  DataInputView() = default;
  explicit DataInputView(std::string_view data) : data_(data) {}

  bool at_end() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }

  uint8_t read_u8() {
    require(1);
    return static_cast<uint8_t>(data_[pos_++]);
  }

  uint64_t read_varint() {
    const size_t start = pos_;
    uint64_t result = 0;
    for (int i = 0; i < serializer_detail::kMaxVarintBytes - 1; ++i) {
      const uint8_t byte = read_u8();
      result |= uint64_t{byte & 0x7fu} << (7 * i);
      if ((byte & 0x80) == 0) return result;
    }
    // The 10th byte may only carry bit 63 and must end the varint.
    const uint8_t last = read_u8();
    if (last > 1) {
      throw SerializationError("varint at offset " + std::to_string(start) +
                               " is longer than 10 bytes or overflows 64 bits");
    }
    return result | uint64_t{last} << 63;
  }

  template <serializer_detail::FixedWidth T>
  T read_fixed() {
    require(sizeof(T));
    if constexpr (std::is_same_v<T, bool>) {
      // Only 0 and 1 are valid bools; copying any other byte into a bool is undefined.
      const auto byte = static_cast<uint8_t>(data_[pos_]);
      if (byte > 1) {
        throw SerializationError("invalid bool byte " + std::to_string(byte) + " at offset " +
                                 std::to_string(pos_));
      }
      ++pos_;
      return byte == 1;
    } else {
      char bytes[sizeof(T)];
      std::memcpy(bytes, data_.data() + pos_, sizeof(T));
      serializer_detail::to_little_endian<sizeof(T)>(bytes);
      pos_ += sizeof(T);
      T v;
      std::memcpy(&v, bytes, sizeof(T));
      return v;
    }
  }

  // The next n bytes, as a view into the underlying buffer.
  std::string_view read_bytes(size_t n) {
    require(n);
    std::string_view bytes = data_.substr(pos_, n);
    pos_ += n;
    return bytes;
  }

 private:
  void require(size_t n) const {
    if (n > remaining()) {
      throw SerializationError("truncated input: wanted " + std::to_string(n) +
                               " bytes at offset " + std::to_string(pos_) + " but only " +
                               std::to_string(remaining()) + " remain");
    }
  }

  std::string_view data_;
  size_t pos_ = 0;
};

// TypeSerializer<T> writes and reads one T. Specialize it (or use EDDY_SERIALIZABLE) to make
// a type serializable; the primary template is deliberately left undefined.
//   static void serialize(const T& value, DataOutputView& out);
//   static T deserialize(DataInputView& in);
template <class T, class Enable = void>
struct TypeSerializer;

// Satisfied when TypeSerializer<T> exists, recursively (std::vector<X> needs X serializable
// too). Check it for a user type only after that type's TypeSerializer has been declared.
template <class T>
concept Serializable = requires(const T& value, DataOutputView& out, DataInputView& in) {
  TypeSerializer<T>::serialize(value, out);
  { TypeSerializer<T>::deserialize(in) } -> std::same_as<T>;
};

template <class T>
inline constexpr bool is_serializable_v = Serializable<T>;

template <serializer_detail::FixedWidth T>
struct TypeSerializer<T> {
  static void serialize(const T& value, DataOutputView& out) { out.write_fixed<T>(value); }
  static T deserialize(DataInputView& in) { return in.read_fixed<T>(); }
};

template <serializer_detail::Enum E>
struct TypeSerializer<E> {
  using Underlying = std::underlying_type_t<E>;
  static void serialize(const E& value, DataOutputView& out) {
    out.write_fixed<Underlying>(static_cast<Underlying>(value));
  }
  static E deserialize(DataInputView& in) { return static_cast<E>(in.read_fixed<Underlying>()); }
};

template <>
struct TypeSerializer<std::string> {
  static void serialize(const std::string& value, DataOutputView& out) {
    out.write_varint(value.size());
    out.write_bytes(value.data(), value.size());
  }
  static std::string deserialize(DataInputView& in) {
    const uint64_t size = in.read_varint();
    if (size > in.remaining()) {
      throw SerializationError("truncated input: string of " + std::to_string(size) +
                               " bytes wanted but only " + std::to_string(in.remaining()) +
                               " remain");
    }
    return std::string(in.read_bytes(static_cast<size_t>(size)));
  }
};

template <Serializable A, Serializable B>
struct TypeSerializer<std::pair<A, B>> {
  static void serialize(const std::pair<A, B>& value, DataOutputView& out) {
    TypeSerializer<A>::serialize(value.first, out);
    TypeSerializer<B>::serialize(value.second, out);
  }
  static std::pair<A, B> deserialize(DataInputView& in) {
    A first = TypeSerializer<A>::deserialize(in);
    B second = TypeSerializer<B>::deserialize(in);
    return {std::move(first), std::move(second)};
  }
};

template <Serializable... Ts>
struct TypeSerializer<std::tuple<Ts...>> {
  static void serialize(const std::tuple<Ts...>& value, DataOutputView& out) {
    std::apply([&](const Ts&... fields) { (TypeSerializer<Ts>::serialize(fields, out), ...); },
               value);
  }
  static std::tuple<Ts...> deserialize(DataInputView& in) {
    // Braced initializers are evaluated left to right, so fields are read in order.
    return std::tuple<Ts...>{TypeSerializer<Ts>::deserialize(in)...};
  }
};

template <Serializable T, size_t N>
struct TypeSerializer<std::array<T, N>> {
  static void serialize(const std::array<T, N>& value, DataOutputView& out) {
    for (const T& e : value) TypeSerializer<T>::serialize(e, out);
  }
  static std::array<T, N> deserialize(DataInputView& in) {
    if constexpr (std::is_default_constructible_v<T> && std::is_move_assignable_v<T>) {
      std::array<T, N> result;
      for (T& e : result) e = TypeSerializer<T>::deserialize(in);
      return result;
    } else {
      return deserialize_each(in, std::make_index_sequence<N>());
    }
  }

 private:
  template <size_t... I>
  static std::array<T, N> deserialize_each(DataInputView& in, std::index_sequence<I...>) {
    return {{(static_cast<void>(I), TypeSerializer<T>::deserialize(in))...}};
  }
};

namespace serializer_detail {

// Reads a varint element count. Elements take at least one byte for most types, so the
// reservation is capped by what is left to read rather than trusting the count.
inline uint64_t read_count(DataInputView& in, size_t* reserve_hint) {
  const uint64_t count = in.read_varint();
  *reserve_hint = static_cast<size_t>(std::min<uint64_t>(count, in.remaining()));
  return count;
}

template <class Map>
void serialize_map(const Map& map, DataOutputView& out) {
  using K = typename Map::key_type;
  using V = typename Map::mapped_type;
  out.write_varint(map.size());
  for (const auto& [key, value] : map) {
    TypeSerializer<K>::serialize(key, out);
    TypeSerializer<V>::serialize(value, out);
  }
}

template <class Map>
void deserialize_map_entries(DataInputView& in, uint64_t count, Map& map) {
  using K = typename Map::key_type;
  using V = typename Map::mapped_type;
  for (uint64_t i = 0; i < count; ++i) {
    K key = TypeSerializer<K>::deserialize(in);
    V value = TypeSerializer<V>::deserialize(in);
    if (!map.emplace(std::move(key), std::move(value)).second) {
      throw SerializationError("duplicate key in serialized map (entry " + std::to_string(i) +
                               " of " + std::to_string(count) + ")");
    }
  }
}

}  // namespace serializer_detail

template <Serializable T, class Alloc>
struct TypeSerializer<std::vector<T, Alloc>> {
  static void serialize(const std::vector<T, Alloc>& value, DataOutputView& out) {
    out.write_varint(value.size());
    for (const auto& e : value) TypeSerializer<T>::serialize(e, out);
  }
  static std::vector<T, Alloc> deserialize(DataInputView& in) {
    size_t reserve_hint;
    const uint64_t count = serializer_detail::read_count(in, &reserve_hint);
    std::vector<T, Alloc> result;
    result.reserve(reserve_hint);
    for (uint64_t i = 0; i < count; ++i) result.push_back(TypeSerializer<T>::deserialize(in));
    return result;
  }
};

template <Serializable T>
struct TypeSerializer<std::optional<T>> {
  static void serialize(const std::optional<T>& value, DataOutputView& out) {
    out.write_u8(value.has_value() ? 1 : 0);
    if (value) TypeSerializer<T>::serialize(*value, out);
  }
  static std::optional<T> deserialize(DataInputView& in) {
    const uint8_t flag = in.read_u8();
    if (flag == 0) return std::nullopt;
    if (flag != 1) {
      throw SerializationError("invalid optional presence flag " + std::to_string(flag) +
                               " at offset " + std::to_string(in.position() - 1));
    }
    return std::optional<T>(TypeSerializer<T>::deserialize(in));
  }
};

template <Serializable K, Serializable V, class Compare, class Alloc>
struct TypeSerializer<std::map<K, V, Compare, Alloc>> {
  using Map = std::map<K, V, Compare, Alloc>;
  static void serialize(const Map& value, DataOutputView& out) {
    serializer_detail::serialize_map(value, out);
  }
  static Map deserialize(DataInputView& in) {
    Map result;
    serializer_detail::deserialize_map_entries(in, in.read_varint(), result);
    return result;
  }
};

// Entries are written in iteration order, so equal unordered_maps may serialize differently.
template <Serializable K, Serializable V, class Hash, class KeyEqual, class Alloc>
struct TypeSerializer<std::unordered_map<K, V, Hash, KeyEqual, Alloc>> {
  using Map = std::unordered_map<K, V, Hash, KeyEqual, Alloc>;
  static void serialize(const Map& value, DataOutputView& out) {
    serializer_detail::serialize_map(value, out);
  }
  static Map deserialize(DataInputView& in) {
    size_t reserve_hint;
    const uint64_t count = serializer_detail::read_count(in, &reserve_hint);
    Map result;
    result.reserve(reserve_hint);
    serializer_detail::deserialize_map_entries(in, count, result);
    return result;
  }
};

template <Serializable T>
std::string serialize_to_string(const T& value) {
  DataOutputView out;
  TypeSerializer<T>::serialize(value, out);
  return out.take();
}

// Reads exactly one T; bytes left over after it are an error.
template <Serializable T>
T deserialize_from_string(std::string_view bytes) {
  DataInputView in(bytes);
  T value = TypeSerializer<T>::deserialize(in);
  if (!in.at_end()) {
    throw SerializationError(std::to_string(in.remaining()) + " trailing bytes after " +
                             std::to_string(in.position()) + " bytes of a serialized value");
  }
  return value;
}

// ---- Serializer identity.
// What a snapshot records of the serializer that wrote a state: a restore compares it with the
// serializer that is to read the state and refuses the state if that one cannot read it, instead
// of reinterpreting its bytes. The identity is a name and a version:
//  - built-in serializers are named after what they write: "int64", "double", "string",
//    "vector<int32>", "map<string, int64>" (std::map and std::unordered_map write the same
//    bytes and share a name), "optional<T>", "pair<A, B>", "tuple<...>", "array<T, N>";
//  - EDDY_SERIALIZABLE structs: "<C++ type>{<field serializers in order>}", so adding, removing,
//    reordering or retyping a field changes the identity;
//  - other TypeSerializer specializations: the C++ type's name, unless they declare
//      static std::string name();
//  - the version is 1 unless the serializer declares `static constexpr uint32_t kVersion`. A
//    serializer that reads bytes of older versions (telling them apart itself) declares the
//    oldest with `static constexpr uint32_t kMinReadableVersion`; by default only its own.
// Compatible means: same name, and a written version in [kMinReadableVersion, kVersion].
// Nothing is migrated implicitly (int32 state is not read as int64).
struct SerializerIdentity {
  std::string name;      // empty: unknown (state written before identities were recorded)
  uint32_t version = 0;  // of the serializer that wrote (or will write) the bytes
  // The oldest version this serializer reads; not recorded in snapshots.
  uint32_t min_readable_version = 0;

  bool known() const { return !name.empty(); }
  // True if this serializer reads what `written` wrote (or either is unknown).
  bool can_read(const SerializerIdentity& written) const {
    if (!known() || !written.known()) return true;
    return written.name == name && written.version <= version &&
           written.version >= min_readable_version;
  }
  // "int64", or "int64 (version 2)" for a version other than 1.
  std::string describe() const {
    if (version == 1) return name;
    return name + " (version " + std::to_string(version) + ")";
  }
  friend bool operator==(const SerializerIdentity& a, const SerializerIdentity& b) {
    return a.name == b.name && a.version == b.version;
  }
};

template <class T>
SerializerIdentity serializer_identity();

namespace serializer_detail {

template <class T>
concept DeclaresName = requires {
  { TypeSerializer<T>::name() } -> std::convertible_to<std::string>;
};
template <class T>
concept DeclaresVersion = requires {
  { TypeSerializer<T>::kVersion } -> std::convertible_to<uint32_t>;
};
template <class T>
concept DeclaresMinReadableVersion = requires {
  { TypeSerializer<T>::kMinReadableVersion } -> std::convertible_to<uint32_t>;
};

// A nested serializer as part of a composite's name: its name, and its version if not 1, so
// that a new version of an element's serializer changes the composite's identity too.
template <class T>
std::string nested_name() {
  const SerializerIdentity identity = serializer_identity<T>();
  if (identity.version == 1) return identity.name;
  return identity.name + "@" + std::to_string(identity.version);
}

template <class... Ts>
std::string nested_names() {
  std::string names;
  ((names += (names.empty() ? "" : ", ") + nested_name<Ts>()), ...);
  return names;
}

// The built-in serializers' names; the primary template names the C++ type.
template <class T, class Enable = void>
struct BuiltInName {
  static std::string get() { return type_name<T>(); }
};
template <FixedWidth T>
struct BuiltInName<T> {
  static std::string get() {
    if constexpr (std::is_same_v<T, bool>) {
      return "bool";
    } else if constexpr (std::is_same_v<T, char>) {
      return "char";
    } else if constexpr (std::is_same_v<T, float>) {
      return "float";
    } else if constexpr (std::is_same_v<T, double>) {
      return "double";
    } else if constexpr (std::is_same_v<T, signed char> || std::is_same_v<T, short> ||
                         std::is_same_v<T, int> || std::is_same_v<T, long> ||
                         std::is_same_v<T, long long>) {
      return "int" + std::to_string(sizeof(T) * 8);
    } else if constexpr (std::is_same_v<T, unsigned char> || std::is_same_v<T, unsigned short> ||
                         std::is_same_v<T, unsigned int> || std::is_same_v<T, unsigned long> ||
                         std::is_same_v<T, unsigned long long>) {
      return "uint" + std::to_string(sizeof(T) * 8);
    } else {
      return type_name<T>();  // char8_t, char16_t, char32_t, wchar_t
    }
  }
};
template <Enum E>
struct BuiltInName<E> {
  static std::string get() {
    return "enum " + type_name<E>() + " : " + BuiltInName<std::underlying_type_t<E>>::get();
  }
};
template <>
struct BuiltInName<std::string> {
  static std::string get() { return "string"; }
};
template <class A, class B>
struct BuiltInName<std::pair<A, B>> {
  static std::string get() { return "pair<" + nested_names<A, B>() + ">"; }
};
template <class... Ts>
struct BuiltInName<std::tuple<Ts...>> {
  static std::string get() { return "tuple<" + nested_names<Ts...>() + ">"; }
};
template <class T, size_t N>
struct BuiltInName<std::array<T, N>> {
  static std::string get() { return "array<" + nested_name<T>() + ", " + std::to_string(N) + ">"; }
};
template <class T, class Alloc>
struct BuiltInName<std::vector<T, Alloc>> {
  static std::string get() { return "vector<" + nested_name<T>() + ">"; }
};
template <class T>
struct BuiltInName<std::optional<T>> {
  static std::string get() { return "optional<" + nested_name<T>() + ">"; }
};
template <class K, class V, class Compare, class Alloc>
struct BuiltInName<std::map<K, V, Compare, Alloc>> {
  static std::string get() { return "map<" + nested_names<K, V>() + ">"; }
};
template <class K, class V, class Hash, class KeyEqual, class Alloc>
struct BuiltInName<std::unordered_map<K, V, Hash, KeyEqual, Alloc>> {
  static std::string get() { return "map<" + nested_names<K, V>() + ">"; }
};

}  // namespace serializer_detail

template <class T>
SerializerIdentity serializer_identity() {
  SerializerIdentity identity;
  if constexpr (serializer_detail::DeclaresName<T>) {
    identity.name = TypeSerializer<T>::name();
  } else {
    identity.name = serializer_detail::BuiltInName<T>::get();
  }
  if constexpr (serializer_detail::DeclaresVersion<T>) {
    identity.version = TypeSerializer<T>::kVersion;
  } else {
    identity.version = 1;
  }
  if constexpr (serializer_detail::DeclaresMinReadableVersion<T>) {
    identity.min_readable_version = TypeSerializer<T>::kMinReadableVersion;
  } else {
    identity.min_readable_version = identity.version;
  }
  return identity;
}

}  // namespace eddy

// EDDY_PP_FOR_EACH(m, a, b, c) expands to m(a) m(b) m(c); up to 256 arguments, or none.
#define EDDY_PP_PARENS ()
#define EDDY_PP_EXPAND(...) \
  EDDY_PP_EXPAND4(EDDY_PP_EXPAND4(EDDY_PP_EXPAND4(EDDY_PP_EXPAND4(__VA_ARGS__))))
#define EDDY_PP_EXPAND4(...) \
  EDDY_PP_EXPAND3(EDDY_PP_EXPAND3(EDDY_PP_EXPAND3(EDDY_PP_EXPAND3(__VA_ARGS__))))
#define EDDY_PP_EXPAND3(...) \
  EDDY_PP_EXPAND2(EDDY_PP_EXPAND2(EDDY_PP_EXPAND2(EDDY_PP_EXPAND2(__VA_ARGS__))))
#define EDDY_PP_EXPAND2(...) \
  EDDY_PP_EXPAND1(EDDY_PP_EXPAND1(EDDY_PP_EXPAND1(EDDY_PP_EXPAND1(__VA_ARGS__))))
#define EDDY_PP_EXPAND1(...) __VA_ARGS__
#define EDDY_PP_FOR_EACH(macro, ...) \
  __VA_OPT__(EDDY_PP_EXPAND(EDDY_PP_FOR_EACH_HELPER(macro, __VA_ARGS__)))
#define EDDY_PP_FOR_EACH_HELPER(macro, a1, ...) \
  macro(a1) __VA_OPT__(EDDY_PP_FOR_EACH_AGAIN EDDY_PP_PARENS(macro, __VA_ARGS__))
#define EDDY_PP_FOR_EACH_AGAIN() EDDY_PP_FOR_EACH_HELPER

#define EDDY_SERIALIZER_FIELD_TYPE_(field) ::std::remove_cvref_t<decltype(value.field)>
#define EDDY_SERIALIZER_WRITE_FIELD_(field)                                                   \
  static_assert(::eddy::is_serializable_v<EDDY_SERIALIZER_FIELD_TYPE_(field)>,                \
                "EDDY_SERIALIZABLE: field '" #field "' has a type without a TypeSerializer"); \
  ::eddy::TypeSerializer<EDDY_SERIALIZER_FIELD_TYPE_(field)>::serialize(value.field, out);
#define EDDY_SERIALIZER_READ_FIELD_(field) \
  value.field = ::eddy::TypeSerializer<EDDY_SERIALIZER_FIELD_TYPE_(field)>::deserialize(in);
#define EDDY_SERIALIZER_FIELD_NAME_(field)          \
  fields += (fields.empty() ? "" : ", ") +          \
            ::eddy::serializer_detail::nested_name< \
                ::std::remove_cvref_t<decltype(::std::declval<Serialized&>().field)>>();

// Makes a struct serializable as its listed fields, in the order given:
//   struct Trade { std::string symbol; int64_t qty; double price; };
//   EDDY_SERIALIZABLE(Trade, symbol, qty, price);
// Use it in the global namespace (outside every namespace, including eddy), right after the
// struct and before anything asks whether the struct is serializable. `Type` is written fully
// qualified and must not contain a top-level comma (use an alias for such template types). The
// struct must be default-constructible and its fields accessible and assignable; fields not
// listed are left value-initialized on read.
#define EDDY_SERIALIZABLE(Type, ...)                                           \
  template <>                                                                  \
  struct eddy::TypeSerializer<Type> {                                          \
    static void serialize([[maybe_unused]] const Type& value,                  \
                          [[maybe_unused]] ::eddy::DataOutputView& out) {      \
      EDDY_PP_FOR_EACH(EDDY_SERIALIZER_WRITE_FIELD_, __VA_ARGS__)              \
    }                                                                          \
    static Type deserialize([[maybe_unused]] ::eddy::DataInputView& in) {      \
      Type value{};                                                            \
      EDDY_PP_FOR_EACH(EDDY_SERIALIZER_READ_FIELD_, __VA_ARGS__)               \
      return value;                                                            \
    }                                                                          \
    /* The identity snapshots record: the type and its fields' serializers. */ \
    using Serialized = Type;                                                   \
    static ::std::string name() {                                              \
      ::std::string fields;                                                    \
      EDDY_PP_FOR_EACH(EDDY_SERIALIZER_FIELD_NAME_, __VA_ARGS__)               \
      return ::eddy::type_name<Type>() + "{" + fields + "}";                   \
    }                                                                          \
  }
