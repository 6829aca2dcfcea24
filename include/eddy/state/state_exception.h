// The error the state layer raises: a state requested under a name that already exists with
// another kind or type, or state accessed outside the key groups the backend owns.
#pragma once

#include "eddy/core/exceptions.h"

namespace eddy {

class StateException : public EddyException {
 public:
  using EddyException::EddyException;
};

}  // namespace eddy
