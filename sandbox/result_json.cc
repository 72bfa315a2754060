#include "sandbox/result_json.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sandbox {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += absl::StrFormat("\\u%04x", c);
        } else if (c < 0x80) {
          out += static_cast<char>(c);
        } else {
          // Copy a valid UTF-8 sequence; replace anything else.
          int len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
          bool ok = len > 0 && i + len <= s.size();
          for (int k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
          if (ok) {
            out.append(s, i, len);
            i += len - 1;
          } else {
            out += "\\ufffd";
          }
        }
    }
  }
  out += "\"";
  return out;
}

std::string ResultToJson(const RunResult& r) {
  std::string approx = "[";
  for (size_t i = 0; i < r.approximate.size(); ++i) {
    absl::StrAppend(&approx, i ? "," : "", JsonString(r.approximate[i]));
  }
  approx += "]";
  return absl::StrCat("{\"status\":", JsonString(RunStatusName(r.status)),
                      ",\"exit_code\":", r.exit_code, ",\"signal\":", r.signal,
                      ",\"syscall\":", JsonString(r.syscall), ",\"cpu_ms\":", r.cpu_ms,
                      ",\"wall_ms\":", r.wall_ms, ",\"memory_kib\":", r.memory_kib,
                      ",\"message\":", JsonString(r.message), ",\"approximate\":", approx, "}");
}

}  // namespace sandbox
