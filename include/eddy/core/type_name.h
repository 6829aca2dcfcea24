// Readable C++ type names for error messages ("std::tuple<int, std::string>").
#pragma once

#include <string>
#include <typeinfo>

namespace eddy {

std::string demangle_type_name(const char* mangled);

template <class T>
std::string type_name() {
  return demangle_type_name(typeid(T).name());
}

}  // namespace eddy
