// sandbox-run's JSON result: status, exit_code, signal, syscall, cpu_ms, wall_ms, memory_kib,
// message, approximate.
#pragma once

#include <string>

#include "sandbox/spec.h"

namespace sandbox {

std::string ResultToJson(const RunResult& result);
// JSON string literal with the quotes, escaping control characters and invalid UTF-8 as \ufffd.
std::string JsonString(const std::string& s);

}  // namespace sandbox
