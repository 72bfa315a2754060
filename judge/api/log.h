// Logging: spdlog, one line per event on stderr: UTC time, level, then key=value pairs.
// Never log tokens or candidate source. judged calls InitLogging() once at start; the rest
// calls spdlog::info / spdlog::error with fmt-style arguments.
#pragma once

#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace judge {

inline void InitLogging() {
  auto logger = spdlog::stderr_logger_mt("judged");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::info);  // lines reach the log as they happen
  spdlog::set_default_logger(logger);
}

}  // namespace judge
