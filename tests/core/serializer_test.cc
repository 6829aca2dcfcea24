// The binary format is what records and state use on the wire and on disk: byte layouts are
// pinned here so that a change to the format is a deliberate one.
#include "eddy/core/serializer.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

// User structs are made serializable in the global namespace, after their definition.
struct Trade {
  std::string symbol;
  int64_t quantity = 0;
  double price = 0;
  bool operator==(const Trade&) const = default;
};
EDDY_SERIALIZABLE(Trade, symbol, quantity, price);

struct Wide {
  int8_t f1 = 0;
  uint8_t f2 = 0;
  int16_t f3 = 0;
  uint16_t f4 = 0;
  int32_t f5 = 0;
  uint32_t f6 = 0;
  int64_t f7 = 0;
  uint64_t f8 = 0;
  float f9 = 0;
  double f10 = 0;
  bool f11 = false;
  char f12 = 0;
  std::string f13;
  std::vector<int> f14;
  std::optional<std::string> f15;
  std::map<std::string, int> f16;
  std::tuple<int, std::string> f17;
  bool operator==(const Wide&) const = default;
};
EDDY_SERIALIZABLE(Wide, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17);

namespace market {
enum class Side : uint8_t { kBuy = 1, kSell = 2 };
struct Order {
  Side side = Side::kBuy;
  Trade trade;                         // a serializable struct as a field
  std::optional<int*> unused_pointer;  // not listed below: not serialized
  bool operator==(const Order& o) const { return side == o.side && trade == o.trade; }
};
}  // namespace market
EDDY_SERIALIZABLE(market::Order, side, trade);

// A recursive type: a struct holding a vector of itself.
struct Tree {
  int value = 0;
  std::vector<Tree> children;
  bool operator==(const Tree&) const = default;
};
EDDY_SERIALIZABLE(Tree, value, children);

struct Empty {
  bool operator==(const Empty&) const = default;
};
EDDY_SERIALIZABLE(Empty);

// Without a default constructor: needs a hand-written TypeSerializer instead of the macro.
struct Meters {
  explicit Meters(double v) : value(v) {}
  double value;
  bool operator==(const Meters&) const = default;
};
template <>
struct eddy::TypeSerializer<Meters> {
  static void serialize(const Meters& m, DataOutputView& out) { out.write_fixed(m.value); }
  static Meters deserialize(DataInputView& in) { return Meters(in.read_fixed<double>()); }
};

struct NotSerializable {
  int x = 0;
};

namespace eddy {
namespace {

enum class Color : int16_t { kRed = -1, kGreen = 300 };
enum Plain { kPlainA, kPlainB = 7 };

static_assert(is_serializable_v<int>);
static_assert(is_serializable_v<bool>);
static_assert(is_serializable_v<char>);
static_assert(is_serializable_v<double>);
static_assert(is_serializable_v<Color>);
static_assert(is_serializable_v<std::string>);
static_assert(is_serializable_v<std::vector<std::string>>);
static_assert(is_serializable_v<std::map<std::string, std::vector<int>>>);
static_assert(is_serializable_v<std::tuple<>>);
static_assert(is_serializable_v<Trade>);
static_assert(is_serializable_v<std::vector<Trade>>);
static_assert(is_serializable_v<Tree>);
static_assert(is_serializable_v<std::array<Meters, 2>>);
static_assert(!is_serializable_v<NotSerializable>);
static_assert(!is_serializable_v<std::vector<NotSerializable>>);
static_assert(!is_serializable_v<std::optional<NotSerializable>>);
static_assert(!is_serializable_v<std::pair<int, NotSerializable>>);
static_assert(!is_serializable_v<std::tuple<int, std::string, NotSerializable>>);
static_assert(!is_serializable_v<std::map<int, std::vector<NotSerializable>>>);
static_assert(!is_serializable_v<std::unordered_map<NotSerializable, int>>);
static_assert(!is_serializable_v<std::array<NotSerializable, 3>>);
static_assert(!is_serializable_v<int*>);
static_assert(!is_serializable_v<std::string_view>);
static_assert(!is_serializable_v<long double>);  // platform-specific layout

// Serializes, checks the bytes read back to an equal value, and returns the bytes.
template <class T>
std::string round_trip(const T& value) {
  std::string bytes = serialize_to_string(value);
  EXPECT_EQ(deserialize_from_string<T>(bytes), value);
  return bytes;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : bytes) {
    if (!out.empty()) out += ' ';
    out += kDigits[static_cast<uint8_t>(c) >> 4];
    out += kDigits[static_cast<uint8_t>(c) & 0xf];
  }
  return out;
}

std::string varint_bytes(uint64_t v) {
  DataOutputView out;
  out.write_varint(v);
  return out.take();
}

// Expects `fn` to throw SerializationError whose message contains every one of `parts`.
template <class Fn>
void expect_error(Fn fn, std::initializer_list<std::string_view> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected SerializationError";
  } catch (const SerializationError& e) {
    for (std::string_view part : parts) {
      EXPECT_NE(std::string_view(e.what()).find(part), std::string_view::npos)
          << "message '" << e.what() << "' lacks '" << part << "'";
    }
  }
}

TEST(SerializerLayoutTest, FixedWidthValuesAreLittleEndian) {
  EXPECT_EQ(hex(serialize_to_string(int32_t{1})), "01 00 00 00");
  EXPECT_EQ(hex(serialize_to_string(int32_t{-2})), "FE FF FF FF");
  EXPECT_EQ(hex(serialize_to_string(uint16_t{0x1234})), "34 12");
  EXPECT_EQ(hex(serialize_to_string(int64_t{0x0102030405060708})), "08 07 06 05 04 03 02 01");
  EXPECT_EQ(hex(serialize_to_string(1.0)), "00 00 00 00 00 00 F0 3F");
  EXPECT_EQ(hex(serialize_to_string(1.0f)), "00 00 80 3F");
  EXPECT_EQ(hex(serialize_to_string(true)), "01");
  EXPECT_EQ(hex(serialize_to_string(false)), "00");
  EXPECT_EQ(hex(serialize_to_string('a')), "61");
}

TEST(SerializerLayoutTest, VarintIsUnsignedLeb128) {
  EXPECT_EQ(hex(varint_bytes(0)), "00");
  EXPECT_EQ(hex(varint_bytes(1)), "01");
  EXPECT_EQ(hex(varint_bytes(127)), "7F");
  EXPECT_EQ(hex(varint_bytes(128)), "80 01");
  EXPECT_EQ(hex(varint_bytes(300)), "AC 02");
  EXPECT_EQ(hex(varint_bytes(16384)), "80 80 01");
  EXPECT_EQ(hex(varint_bytes(UINT64_MAX)), "FF FF FF FF FF FF FF FF FF 01");
}

TEST(SerializerLayoutTest, CompositeLayouts) {
  EXPECT_EQ(hex(serialize_to_string(std::string("ab"))), "02 61 62");
  EXPECT_EQ(hex(serialize_to_string(std::string())), "00");
  EXPECT_EQ(hex(serialize_to_string(std::vector<uint8_t>{1, 2})), "02 01 02");
  EXPECT_EQ(hex(serialize_to_string(std::vector<int>())), "00");
  EXPECT_EQ(hex(serialize_to_string(std::optional<int16_t>())), "00");
  EXPECT_EQ(hex(serialize_to_string(std::optional<int16_t>(5))), "01 05 00");
  EXPECT_EQ(hex(serialize_to_string(std::make_pair(int8_t{1}, std::string("x")))), "01 01 78");
  EXPECT_EQ(hex(serialize_to_string(std::make_tuple(uint8_t{9}, true, int16_t{-1}))),
            "09 01 FF FF");
  EXPECT_EQ(hex(serialize_to_string(std::tuple<>())), "");
  EXPECT_EQ(hex(serialize_to_string(std::array<uint8_t, 3>{4, 5, 6})), "04 05 06");
  EXPECT_EQ(hex(serialize_to_string(std::map<uint8_t, bool>{{2, true}, {1, false}})),
            "02 01 00 02 01");
  EXPECT_EQ(hex(serialize_to_string(Color::kGreen)), "2C 01");
  EXPECT_EQ(hex(serialize_to_string(market::Side::kSell)), "02");
}

TEST(SerializerLayoutTest, StringLengthAbove127UsesTwoVarintBytes) {
  std::string bytes = round_trip(std::string(300, 'z'));
  ASSERT_EQ(bytes.size(), 302u);
  EXPECT_EQ(hex(bytes.substr(0, 3)), "AC 02 7A");
}

TEST(SerializerLayoutTest, StructIsItsListedFieldsInOrder) {
  Trade trade{"ab", 3, 1.0};
  EXPECT_EQ(hex(round_trip(trade)), "02 61 62 03 00 00 00 00 00 00 00 00 00 00 00 00 00 F0 3F");
  EXPECT_EQ(serialize_to_string(trade),
            serialize_to_string(std::make_tuple(trade.symbol, trade.quantity, trade.price)));
  EXPECT_EQ(hex(round_trip(Empty{})), "");
}

template <class T>
class ArithmeticSerializerTest : public ::testing::Test {};

using ArithmeticTypes =
    ::testing::Types<bool, char, signed char, unsigned char, wchar_t, char8_t, char16_t, char32_t,
                     short, unsigned short, int, unsigned int, long, unsigned long, long long,
                     unsigned long long, float, double>;
TYPED_TEST_SUITE(ArithmeticSerializerTest, ArithmeticTypes);

TYPED_TEST(ArithmeticSerializerTest, ExtremesRoundTripAtFixedWidth) {
  using T = TypeParam;
  using Limits = std::numeric_limits<T>;
  for (T v : {T{}, T{1}, Limits::min(), Limits::max(), Limits::lowest()}) {
    EXPECT_EQ(round_trip(v).size(), sizeof(T));
  }
}

TEST(SerializerTest, IntegerExtremes) {
  EXPECT_EQ(hex(round_trip(INT64_MIN)), "00 00 00 00 00 00 00 80");
  EXPECT_EQ(hex(round_trip(INT64_MAX)), "FF FF FF FF FF FF FF 7F");
  EXPECT_EQ(hex(round_trip(UINT64_MAX)), "FF FF FF FF FF FF FF FF");
  EXPECT_EQ(hex(round_trip(INT32_MIN)), "00 00 00 80");
  EXPECT_EQ(hex(round_trip(int8_t{-128})), "80");
}

TEST(SerializerTest, VarintExtremesRoundTrip) {
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{300}, uint64_t{1} << 35,
                     uint64_t{1} << 63, UINT64_MAX - 1, UINT64_MAX}) {
    std::string bytes = varint_bytes(v);
    DataInputView in(bytes);
    EXPECT_EQ(in.read_varint(), v);
    EXPECT_TRUE(in.at_end());
  }
}

TEST(SerializerTest, FloatingPointBitsArePreserved) {
  const uint64_t payload_nan = 0x7FF8000000000123u;
  const uint64_t signaling_nan = 0xFFF0000000000001u;
  for (uint64_t bits : {payload_nan, signaling_nan}) {
    double nan;
    std::memcpy(&nan, &bits, sizeof nan);
    ASSERT_TRUE(std::isnan(nan));
    const double back = deserialize_from_string<double>(serialize_to_string(nan));
    uint64_t back_bits;
    std::memcpy(&back_bits, &back, sizeof back);
    EXPECT_EQ(back_bits, bits);
  }
  const uint32_t float_nan_bits = 0x7FC00042u;
  float float_nan;
  std::memcpy(&float_nan, &float_nan_bits, sizeof float_nan);
  const float float_back = deserialize_from_string<float>(serialize_to_string(float_nan));
  uint32_t float_back_bits;
  std::memcpy(&float_back_bits, &float_back, sizeof float_back);
  EXPECT_EQ(float_back_bits, float_nan_bits);

  EXPECT_TRUE(std::signbit(deserialize_from_string<double>(serialize_to_string(-0.0))));
  round_trip(std::numeric_limits<double>::infinity());
  round_trip(-std::numeric_limits<double>::infinity());
  round_trip(std::numeric_limits<double>::denorm_min());
}

TEST(SerializerTest, Enums) {
  round_trip(Color::kRed);
  round_trip(Color::kGreen);
  round_trip(kPlainB);
  EXPECT_EQ(round_trip(kPlainA).size(), sizeof(Plain));
  round_trip(market::Side::kBuy);
}

TEST(SerializerTest, Strings) {
  round_trip(std::string());
  round_trip(std::string("hello"));
  round_trip(std::string("nul\0inside", 10));
  round_trip(std::string("gr\xC3\xBC\xC3\x9F"));
  round_trip(std::string(100000, '\xff'));
}

TEST(SerializerTest, PairsAndTuples) {
  round_trip(std::make_pair(1, std::string("one")));
  round_trip(std::make_pair(std::string(), std::vector<int>{}));
  round_trip(std::tuple<>());
  round_trip(std::make_tuple(7));
  round_trip(std::make_tuple(std::string("a"), -1, 2.5, true, 'c'));
  round_trip(std::make_tuple(std::make_tuple(1, 2), std::make_pair(3, std::string("4"))));
}

TEST(SerializerTest, TupleFieldsAreReadInOrder) {
  // Three fields of one type: reading them out of order would permute the values.
  const auto value =
      std::make_tuple(std::string("first"), std::string("second"), std::string("third"), 1, 2, 3);
  EXPECT_EQ(
      deserialize_from_string<std::remove_const_t<decltype(value)>>(serialize_to_string(value)),
      value);
}

TEST(SerializerTest, Vectors) {
  round_trip(std::vector<int>());
  round_trip(std::vector<std::string>{"", "a", ""});
  round_trip(std::vector<bool>{true, false, true, true});
  round_trip(std::vector<std::vector<int>>{{}, {1}, {2, 3}});
  std::vector<int64_t> large(1000);
  for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<int64_t>(i * i) - 5000;
  EXPECT_EQ(round_trip(large).size(), 2 + 8 * large.size());
}

TEST(SerializerTest, Optionals) {
  round_trip(std::optional<int>());
  round_trip(std::optional<int>(0));
  round_trip(std::optional<std::string>(""));
  round_trip(std::optional<std::optional<int>>());
  round_trip(std::optional<std::optional<int>>(std::optional<int>()));
  round_trip(std::optional<std::optional<int>>(5));
  round_trip(std::optional<std::vector<int>>(std::vector<int>{1, 2}));
}

TEST(SerializerTest, Arrays) {
  round_trip(std::array<int, 3>{1, -2, 3});
  round_trip(std::array<std::string, 2>{"x", ""});
  EXPECT_EQ(round_trip(std::array<int, 0>{}).size(), 0u);
  round_trip(std::array<Meters, 2>{Meters(1.5), Meters(-2)});
  EXPECT_EQ(round_trip(std::array<Meters, 0>{}).size(), 0u);
  round_trip(std::array<std::array<uint8_t, 2>, 2>{{{1, 2}, {3, 4}}});
}

TEST(SerializerTest, Maps) {
  round_trip(std::map<int, int>());
  round_trip(std::unordered_map<std::string, int>());
  round_trip(std::map<std::string, std::vector<int>>{{"", {}}, {"a", {1, 2}}, {"b", {3}}});
  round_trip(std::unordered_map<std::string, int>{{"x", 1}, {"y", 2}, {"z", 3}});
  round_trip(std::unordered_map<int, std::map<int, std::string>>{{1, {{2, "b"}}}, {3, {}}});
  round_trip(std::map<std::tuple<int, std::string>, std::optional<double>>{
      {{1, "a"}, 1.5}, {{1, "b"}, std::nullopt}});
}

TEST(SerializerTest, NestedCombinations) {
  using Row = std::tuple<std::string, int, std::optional<double>>;
  round_trip(std::vector<Row>{{"a", 1, 2.5}, {"", -1, std::nullopt}, {"ccc", INT32_MAX, -0.5}});
  round_trip(std::vector<Row>());
  round_trip(std::map<std::string, std::vector<std::optional<Trade>>>{
      {"k", {Trade{"X", 1, 2}, std::nullopt}}, {"empty", {}}});
  round_trip(std::vector<std::pair<std::array<int, 2>, std::unordered_map<int, bool>>>{
      {{1, 2}, {{3, true}}}, {{4, 5}, {}}});
}

TEST(SerializerTest, UserStructs) {
  round_trip(Trade{"EDDY", -42, 99.5});
  round_trip(Trade{});
  round_trip(std::vector<Trade>{Trade{"A", 1, 1}, Trade{"B", 2, 2}});

  Wide wide;
  wide.f1 = INT8_MIN;
  wide.f2 = UINT8_MAX;
  wide.f3 = INT16_MIN;
  wide.f4 = UINT16_MAX;
  wide.f5 = INT32_MIN;
  wide.f6 = UINT32_MAX;
  wide.f7 = INT64_MIN;
  wide.f8 = UINT64_MAX;
  wide.f9 = 1.25f;
  wide.f10 = -3.5;
  wide.f11 = true;
  wide.f12 = 'q';
  wide.f13 = "thirteen";
  wide.f14 = {1, 4};
  wide.f15 = "fifteen";
  wide.f16 = {{"sixteen", 16}};
  wide.f17 = {17, "seventeen"};
  round_trip(wide);
  round_trip(Wide{});
  // The 17th field is the last thing written.
  const std::string bytes = serialize_to_string(wide);
  const std::string last = serialize_to_string(wide.f17);
  EXPECT_EQ(bytes.substr(bytes.size() - last.size()), last);
}

TEST(SerializerTest, StructInNamespaceSkipsUnlistedFields) {
  int dummy = 0;
  market::Order order{market::Side::kSell, Trade{"S", 5, 0.25}, &dummy};
  const auto back = deserialize_from_string<market::Order>(serialize_to_string(order));
  EXPECT_EQ(back, order);
  EXPECT_FALSE(back.unused_pointer.has_value());
  EXPECT_EQ(serialize_to_string(order).size(), 1 + serialize_to_string(order.trade).size());
}

TEST(SerializerTest, RecursiveStruct) {
  Tree tree{1, {Tree{2, {}}, Tree{3, {Tree{4, {}}}}}};
  round_trip(tree);
}

TEST(SerializerViewTest, OutputAndInputViews) {
  DataOutputView out(std::string("hdr"));
  out.write_u8(0xAB);
  out.write_fixed<int16_t>(-2);
  out.write_bytes("xyz", 3);
  out.write_bytes(nullptr, 0);
  out.write_varint(300);
  TypeSerializer<std::string>::serialize("tail", out);
  EXPECT_EQ(hex(out.data()), "68 64 72 AB FE FF 78 79 7A AC 02 04 74 61 69 6C");
  EXPECT_EQ(out.size(), 16u);

  DataInputView in(out.data());
  EXPECT_EQ(in.read_bytes(3), "hdr");
  EXPECT_EQ(in.read_u8(), 0xAB);
  EXPECT_EQ(in.read_fixed<int16_t>(), -2);
  EXPECT_EQ(in.read_bytes(3), "xyz");
  EXPECT_EQ(in.read_bytes(0), "");
  EXPECT_EQ(in.remaining(), 7u);
  EXPECT_EQ(in.read_varint(), 300u);
  EXPECT_FALSE(in.at_end());
  EXPECT_EQ(TypeSerializer<std::string>::deserialize(in), "tail");
  EXPECT_TRUE(in.at_end());
  EXPECT_EQ(in.remaining(), 0u);

  const std::string taken = out.take();
  EXPECT_EQ(taken.size(), 16u);
  EXPECT_TRUE(out.data().empty());
  out.write_u8(1);
  out.clear();
  EXPECT_TRUE(out.data().empty());
}

TEST(SerializerViewTest, StreamOfRecords) {
  DataOutputView out;
  for (int i = 0; i < 5; ++i) TypeSerializer<Trade>::serialize(Trade{"T", i, i * 0.5}, out);
  DataInputView in(out.data());
  int n = 0;
  while (!in.at_end()) {
    EXPECT_EQ(TypeSerializer<Trade>::deserialize(in), (Trade{"T", n, n * 0.5}));
    ++n;
  }
  EXPECT_EQ(n, 5);
}

TEST(SerializerErrorTest, TruncatedInputNamesByteCounts) {
  const std::string two_bytes("\x01\x02", 2);
  expect_error([&] { deserialize_from_string<int32_t>(two_bytes); }, {"wanted 4", "only 2 remain"});
  expect_error([] { deserialize_from_string<int64_t>(""); }, {"wanted 8", "only 0 remain"});
  // A string claiming 5 bytes with 2 present.
  expect_error(
      [] {
        deserialize_from_string<std::string>(
            std::string("\x05"
                        "ab",
                        3));
      },
      {"5", "2 remain"});
  // A varint whose continuation bit promises another byte.
  expect_error([] { deserialize_from_string<std::string>(std::string("\x80", 1)); },
               {"wanted 1", "only 0 remain"});
  DataInputView in(two_bytes);
  in.read_u8();
  expect_error([&] { in.read_bytes(3); }, {"wanted 3", "offset 1", "only 1 remain"});
  EXPECT_EQ(in.remaining(), 1u);  // a failed read consumes nothing
}

TEST(SerializerErrorTest, EveryTruncationOfANestedValueThrows) {
  using Row = std::tuple<std::string, int, std::optional<double>>;
  const std::string bytes = serialize_to_string(std::map<std::string, std::vector<Row>>{
      {"key", {{"a", 1, 2.0}, {"bc", 3, std::nullopt}}}, {"k2", {}}});
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW((deserialize_from_string<std::map<std::string, std::vector<Row>>>(
                     std::string_view(bytes).substr(0, n))),
                 SerializationError)
        << "prefix of " << n << " bytes";
  }
}

TEST(SerializerErrorTest, TrailingBytesAreReported) {
  std::string bytes = serialize_to_string(int32_t{7});
  bytes += "\x01\x02";
  expect_error([&] { deserialize_from_string<int32_t>(bytes); }, {"2 trailing bytes"});
  expect_error(
      [] {
        deserialize_from_string<std::string>(
            std::string("\x01"
                        "abc",
                        4));
      },
      {"2 trailing bytes"});
  expect_error([] { deserialize_from_string<std::tuple<>>("x"); }, {"1 trailing bytes"});
}

TEST(SerializerErrorTest, MalformedValuesAreRejected) {
  expect_error([] { deserialize_from_string<bool>("\x02"); }, {"invalid bool"});
  expect_error([] { deserialize_from_string<std::optional<int>>("\x07"); },
               {"invalid optional presence flag 7"});
  // 10 bytes whose last carries more than bit 63, and an 11-byte varint.
  expect_error([] { DataInputView(std::string(9, '\xff') + "\x02").read_varint(); },
               {"overflows 64 bits"});
  const std::string eleven = std::string(10, '\x80') + std::string(1, '\x00');
  expect_error([&] { DataInputView(eleven).read_varint(); }, {"longer than 10 bytes"});
  // Duplicate keys cannot come from a map.
  const std::string dup = "\x02" + serialize_to_string(std::make_pair(1, 2)) +
                          serialize_to_string(std::make_pair(1, 3));
  expect_error([&] { deserialize_from_string<std::map<int, int>>(dup); }, {"duplicate key"});
  expect_error([&] { deserialize_from_string<std::unordered_map<int, int>>(dup); },
               {"duplicate key"});
}

TEST(SerializerErrorTest, HugeCountsFailWithoutHugeAllocations) {
  // A count of 2^62 elements over a 0-byte body must fail on the first element, not in reserve().
  const std::string bytes = varint_bytes(uint64_t{1} << 62);
  EXPECT_THROW(deserialize_from_string<std::vector<int>>(bytes), SerializationError);
  EXPECT_THROW((deserialize_from_string<std::unordered_map<int, int>>(bytes)), SerializationError);
  EXPECT_THROW(deserialize_from_string<std::string>(bytes), SerializationError);
}

TEST(SerializerErrorTest, IsAnEddyException) {
  EXPECT_THROW(deserialize_from_string<int>(""), EddyException);
  EXPECT_THROW(deserialize_from_string<int>(""), std::runtime_error);
}

}  // namespace
}  // namespace eddy
