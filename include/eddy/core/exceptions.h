// Exceptions thrown at Eddy's API edges. Inside hot paths the runtime never throws across
// threads: a task catches, wraps with the operator's identity and reports to its job.
#pragma once

#include <stdexcept>
#include <string>

namespace eddy {

// Base of every error Eddy raises for a user to read.
class EddyException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The program describes an invalid job (bad parallelism, forward edge between different
// parallelisms, cycle, ...). Raised when the job is built, before anything runs.
class InvalidProgramException : public EddyException {
 public:
  using EddyException::EddyException;
};

// The job ran and failed or was cancelled; the message names the failing operator.
class JobExecutionException : public EddyException {
 public:
  using EddyException::EddyException;
};

// A configuration value is missing or malformed.
class ConfigurationException : public EddyException {
 public:
  using EddyException::EddyException;
};

}  // namespace eddy
