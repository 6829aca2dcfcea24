// DataStreamSink: the handle a sink returns, for naming and configuring it.
#pragma once

#include "eddy/api/stream_handle.h"

namespace eddy {

class DataStreamSink : public api_detail::StreamHandle<DataStreamSink> {
 public:
  using StreamHandle::StreamHandle;
};

}  // namespace eddy
