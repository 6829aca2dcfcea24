// The keyed state backends the state tests run against. A suite written once with TEST_P runs
// for each backend (EDDY_INSTANTIATE_FOR_EACH_BACKEND): both must behave identically.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>

#include "eddy/state/heap_keyed_state_backend.h"
#include "eddy/state/rocksdb_keyed_state_backend.h"
#include "eddy/state/state_exception.h"

namespace eddy::testing_backends {

// Runs `f` and returns the StateException message it throws ("" if it throws none).
template <class F>
std::string state_error(F&& f) {
  try {
    f();
  } catch (const StateException& e) {
    return e.what();
  }
  return "";
}

enum class Backend { kHeap, kRocksDb };

// RocksDB options for tests: small memory, directories under the test's temporary directory.
inline RocksDbStateOptions test_rocksdb_options() {
  RocksDbStateOptions options;
  options.base_directory = ::testing::TempDir();
  options.block_cache_bytes = size_t{4} << 20;
  options.write_buffer_bytes = size_t{4} << 20;
  return options;
}

inline std::unique_ptr<KeyedStateBackend> make_backend(Backend backend, int first_key_group,
                                                       int last_key_group, int max_parallelism) {
  if (backend == Backend::kHeap) {
    return std::make_unique<HeapKeyedStateBackend>(first_key_group, last_key_group,
                                                   max_parallelism);
  }
  return std::make_unique<RocksDbKeyedStateBackend>(first_key_group, last_key_group,
                                                    max_parallelism, test_rocksdb_options());
}

// cleanup_expired() of whichever backend this is (it is not part of KeyedStateBackend).
inline size_t cleanup_expired(KeyedStateBackend& backend) {
  if (auto* heap = dynamic_cast<HeapKeyedStateBackend*>(&backend)) return heap->cleanup_expired();
  return dynamic_cast<RocksDbKeyedStateBackend&>(backend).cleanup_expired();
}

inline std::string backend_name(Backend backend) {
  return backend == Backend::kHeap ? "Heap" : "RocksDb";
}
inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return backend_name(info.param);
}
// How gtest prints the parameter in failure messages.
inline void PrintTo(Backend backend, std::ostream* out) {
  *out << backend_name(backend);
}

// A fixture whose backend_ (all key groups of max parallelism 128) is the parameter's backend.
class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  std::unique_ptr<KeyedStateBackend> make(int first_key_group, int last_key_group,
                                          int max_parallelism) const {
    return make_backend(GetParam(), first_key_group, last_key_group, max_parallelism);
  }

  std::unique_ptr<KeyedStateBackend> owned_ = make(0, 127, 128);
  KeyedStateBackend& backend_ = *owned_;
};

}  // namespace eddy::testing_backends

#define EDDY_INSTANTIATE_FOR_EACH_BACKEND(suite)                      \
  INSTANTIATE_TEST_SUITE_P(                                           \
      , suite,                                                        \
      ::testing::Values(::eddy::testing_backends::Backend::kHeap,     \
                        ::eddy::testing_backends::Backend::kRocksDb), \
      [](const auto& info) { return ::eddy::testing_backends::backend_name(info.param); })
