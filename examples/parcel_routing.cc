// Parcel routing (택배 분기 처리): four filters split one stream of parcels into heavy, remote,
// refrigerated and normal parcels, each printed with its label.
// Port of "데이터 스트림 분할 (Filter) 예시2" (seed 000, "데이터 스트림 분할 (Filter)").
// Prints (one line per parcel; the four branches may print in any order):
//   무거운 택배 (25,서울 강남구,false)
//   산간 택배 (15,강원도 산간 지역,false)
//   냉장 택배 (10,부산 해운대,true)
//   일반 택배 (5,서울 관악구,false)
// A tuple prints as Java's Tuple3 does: (25,서울 강남구,false), not Python's
// (25, '서울 강남구', False).
#include <string>
#include <tuple>
#include <vector>

#include "eddy/eddy.h"

// (weight in kg, address, refrigerated)
using Parcel = std::tuple<int, std::string, bool>;

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);

  // Example data (weight, address, refrigerated).
  std::vector<Parcel> data = {
      {25, "서울 강남구", false},
      {15, "강원도 산간 지역", false},
      {10, "부산 해운대", true},
      {5, "서울 관악구", false},
  };

  eddy::DataStream<Parcel> ds = env.from_collection(data);

  auto is_heavy = [](const Parcel& x) { return std::get<0>(x) > 20; };
  auto is_remote = [](const Parcel& x) { return std::get<1>(x).find("산간") != std::string::npos; };
  auto is_cold = [](const Parcel& x) { return std::get<2>(x); };
  auto is_normal = [=](const Parcel& x) { return !(is_heavy(x) || is_remote(x) || is_cold(x)); };

  // Branching by filters (in place of split/select).
  auto heavy = ds.filter(is_heavy);    // heavy parcels (over 20 kg)
  auto remote = ds.filter(is_remote);  // parcels for mountain areas (산간)
  auto cold = ds.filter(is_cold);      // refrigerated parcels
  auto normal = ds.filter(is_normal);  // normal parcels: none of the above

  // Output. The seed wraps each label in a one-element list ([f"무거운 택배 {x}"]), which would
  // print as [무거운 택배 (...)]; a plain string prints just the label.
  auto labeled = [](const char* label) {
    return [label](const Parcel& x) { return std::string(label) + " " + eddy::format_value(x); };
  };
  heavy.map(labeled("무거운 택배")).print();
  remote.map(labeled("산간 택배")).print();
  cold.map(labeled("냉장 택배")).print();
  normal.map(labeled("일반 택배")).print();

  env.execute("택배 분기 처리");
  return 0;
}
