// Eddy's public API in one include: environments, streams, functions and connectors.
#pragma once

#include "eddy/api/collect_iterator.h"
#include "eddy/api/connected_streams.h"
#include "eddy/api/data_stream.h"
#include "eddy/api/functions.h"
#include "eddy/api/job_client.h"
#include "eddy/api/keyed_stream.h"
#include "eddy/api/stream_execution_environment.h"
#include "eddy/api/watermark_strategy.h"
#include "eddy/connectors/datagen.h"
#include "eddy/connectors/file_sink.h"
#include "eddy/connectors/file_writer.h"
#include "eddy/core/exceptions.h"
#include "eddy/core/key_hash.h"
#include "eddy/core/serializer.h"
#include "eddy/core/value_format.h"
#include "eddy/version.h"
