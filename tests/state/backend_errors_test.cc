// Errors of each keyed state backend: wrong key group, mismatched state registrations.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "state/backends.h"

namespace eddy {
namespace {

using testing_backends::state_error;

// Each test makes its own backend (make) with the range it needs.
using BackendErrorsTest = testing_backends::BackendTest;

TEST_P(BackendErrorsTest, KeyGroupOutsideTheRangeIsRejected) {
  std::unique_ptr<KeyedStateBackend> owned = make(32, 63, 128);
  KeyedStateBackend& backend = *owned;
  backend.set_current_key("k", 32);
  backend.set_current_key("k", 63);
  std::string message = state_error([&] { backend.set_current_key("k", 64); });
  EXPECT_NE(message.find("key group 64"), std::string::npos) << message;
  EXPECT_NE(message.find("[32, 63]"), std::string::npos) << message;
  EXPECT_NE(state_error([&] { backend.set_current_key("k", 31); }), "");
  EXPECT_EQ(backend.current_key_group(), 63) << "a rejected key leaves the current key as it was";
}

TEST_P(BackendErrorsTest, InvalidRangesAreRejected) {
  EXPECT_THROW(make(5, 4, 128), StateException);
  EXPECT_THROW(make(0, 128, 128), StateException);
  EXPECT_THROW(make(-1, 3, 128), StateException);
  EXPECT_THROW(make(0, 0, 0), StateException);
}

TEST_P(BackendErrorsTest, AccessBeforeAnyKeyIsRejected) {
  KeyedStateBackend& backend = backend_;
  ValueState<int>& value = backend.get_state(ValueStateDescriptor<int>("v"));
  std::string message = state_error([&] { value.update(1); });
  EXPECT_NE(message.find("no current key"), std::string::npos) << message;
}

TEST_P(BackendErrorsTest, SameNameWithAnotherKindIsRejected) {
  KeyedStateBackend& backend = backend_;
  backend.get_state(ValueStateDescriptor<int>("count"));
  std::string message =
      state_error([&] { backend.get_list_state(ListStateDescriptor<int>("count")); });
  EXPECT_NE(message.find("'count'"), std::string::npos) << message;
  EXPECT_NE(message.find("ValueState"), std::string::npos) << message;
  EXPECT_NE(message.find("ListState"), std::string::npos) << message;
}

TEST_P(BackendErrorsTest, SameNameWithAnotherTypeOrNamespaceIsRejected) {
  KeyedStateBackend& backend = backend_;
  backend.get_state(ValueStateDescriptor<int>("count"));
  std::string message =
      state_error([&] { backend.get_state(ValueStateDescriptor<std::string>("count")); });
  EXPECT_NE(message.find("'count'"), std::string::npos) << message;
  EXPECT_NE(
      state_error([&] { backend.get_partitioned_state<int>(ValueStateDescriptor<int>("count")); }),
      "");
}

TEST(StateDescriptorErrorsTest, DescriptorsRejectEmptyNamesAndDisabledTtl) {
  EXPECT_THROW(ValueStateDescriptor<int>(""), StateException);
  ValueStateDescriptor<int> descriptor("v");
  StateTtlConfig disabled = StateTtlConfig::new_builder(Time::seconds(1))
                                .set_update_type(StateTtlConfig::UpdateType::Disabled)
                                .build();
  EXPECT_THROW(descriptor.enable_time_to_live(disabled), StateException);
  EXPECT_THROW(StateTtlConfig::new_builder(Time::seconds(0)).build(), ConfigurationException);
  EXPECT_THROW(StateTtlConfig::new_builder(Time::seconds(1)).cleanup_incrementally(0, false),
               ConfigurationException);
}

EDDY_INSTANTIATE_FOR_EACH_BACKEND(BackendErrorsTest);

}  // namespace
}  // namespace eddy
