#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <string>

#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {
namespace {

std::string current_exception_type() {
  const std::type_info* type = abi::__cxa_current_exception_type();
  if (type == nullptr) return "unknown type";
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(type->name(), nullptr, nullptr, &status), std::free);
  return status == 0 && demangled ? demangled.get() : type->name();
}

}  // namespace

std::string describe_non_standard_exception() {
  const std::string prefix = "an exception of type " + current_exception_type();
  try {
    throw;
  } catch (const std::string& value) {
    return prefix + ": " + value;
  } catch (const char* value) {
    return prefix + ": " + value;
  } catch (long long value) {
    return prefix + ": " + std::to_string(value);
  } catch (long value) {
    return prefix + ": " + std::to_string(value);
  } catch (int value) {
    return prefix + ": " + std::to_string(value);
  } catch (unsigned long long value) {
    return prefix + ": " + std::to_string(value);
  } catch (unsigned long value) {
    return prefix + ": " + std::to_string(value);
  } catch (unsigned value) {
    return prefix + ": " + std::to_string(value);
  } catch (double value) {
    return prefix + ": " + std::to_string(value);
  } catch (...) {
    return prefix + " (not a std::exception)";
  }
}

}  // namespace eddy::runtime
