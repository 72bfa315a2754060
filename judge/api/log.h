// One-line structured logs to stderr: time, level, then key=value pairs. Never log tokens or
// candidate source.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace judge {

inline void LogLine(const char* level, const char* format, va_list args) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &t);
  char msg[2048];
  vsnprintf(msg, sizeof msg, format, args);
  std::fprintf(stderr, "%s.%03ldZ %s %s\n", when, ts.tv_nsec / 1000000, level, msg);
}

inline void LogInfo(const char* format, ...) __attribute__((format(printf, 1, 2)));
inline void LogInfo(const char* format, ...) {
  va_list args;
  va_start(args, format);
  LogLine("INFO", format, args);
  va_end(args);
}

inline void LogError(const char* format, ...) __attribute__((format(printf, 1, 2)));
inline void LogError(const char* format, ...) {
  va_list args;
  va_start(args, format);
  LogLine("ERROR", format, args);
  va_end(args);
}

}  // namespace judge
