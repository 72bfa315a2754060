#include "judge/core/java_entry.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include "absl/strings/str_replace.h"

namespace judge {
namespace {

bool IdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IdentPart(char c) { return IdentStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

// A reader of the class file format (JVMS chapter 4), big-endian, bounds-checked.
class ClassReader {
 public:
  explicit ClassReader(const std::string& data) : d_(data) {}
  bool ok() const { return ok_; }
  uint32_t U(int bytes) {
    if (pos_ + bytes > d_.size()) {
      ok_ = false;
      return 0;
    }
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(d_[pos_++]);
    return v;
  }
  void Skip(size_t n) {
    if (pos_ + n > d_.size()) ok_ = false;
    pos_ = std::min(pos_ + n, d_.size());
  }
  std::string Bytes(size_t n) {
    if (pos_ + n > d_.size()) {
      ok_ = false;
      return "";
    }
    std::string s = d_.substr(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  const std::string& d_;
  size_t pos_ = 0;
  bool ok_ = true;
};

struct ClassInfo {
  std::string name;  // binary name with dots
  bool has_main = false;
};

std::optional<ClassInfo> ReadClass(const std::string& data) {
  ClassReader r(data);
  if (r.U(4) != 0xCAFEBABE) return std::nullopt;
  r.Skip(4);  // minor, major
  const uint32_t count = r.U(2);
  std::vector<std::string> utf8(count);
  std::vector<uint32_t> class_name(count, 0);
  for (uint32_t i = 1; i < count && r.ok(); ++i) {
    switch (r.U(1)) {
      case 1:  // Utf8
        utf8[i] = r.Bytes(r.U(2));
        break;
      case 7:  // Class
        class_name[i] = r.U(2);
        break;
      case 8:
      case 16:
      case 19:
      case 20:  // String, MethodType, Module, Package
        r.Skip(2);
        break;
      case 15:  // MethodHandle
        r.Skip(3);
        break;
      case 3:
      case 4:
      case 9:
      case 10:
      case 11:
      case 12:
      case 17:
      case 18:
        r.Skip(4);
        break;
      case 5:
      case 6:  // Long and Double take two entries
        r.Skip(8);
        ++i;
        break;
      default:
        return std::nullopt;
    }
  }
  r.Skip(2);  // access flags
  const uint32_t this_class = r.U(2);
  r.Skip(2);           // super
  r.Skip(2 * r.U(2));  // interfaces
  auto skip_attributes = [&r] {
    for (uint32_t n = r.U(2); n > 0 && r.ok(); --n) {
      r.Skip(2);
      r.Skip(r.U(4));
    }
  };
  for (uint32_t n = r.U(2); n > 0 && r.ok(); --n) {  // fields
    r.Skip(6);
    skip_attributes();
  }
  ClassInfo info;
  for (uint32_t n = r.U(2); n > 0 && r.ok(); --n) {  // methods
    const uint32_t flags = r.U(2), name = r.U(2), descriptor = r.U(2);
    skip_attributes();
    constexpr uint32_t kPublicStatic = 0x0001 | 0x0008;
    if ((flags & kPublicStatic) == kPublicStatic && name < count && descriptor < count &&
        utf8[name] == "main" && utf8[descriptor] == "([Ljava/lang/String;)V") {
      info.has_main = true;
    }
  }
  if (!r.ok() || this_class >= count || class_name[this_class] >= count) return std::nullopt;
  info.name = absl::StrReplaceAll(utf8[class_name[this_class]], {{"/", "."}});
  return info;
}

}  // namespace

std::string JavaPublicTypeName(const std::string& source) {
  const size_t n = source.size();
  int depth = 0;
  bool saw_public = false;  // in the current top-level declaration
  bool want_name = false;   // after class/interface/enum/record
  for (size_t i = 0; i < n;) {
    const char c = source[i];
    if (c == '/' && i + 1 < n && source[i + 1] == '/') {
      i = source.find('\n', i);
      if (i == std::string::npos) break;
      continue;
    }
    if (c == '/' && i + 1 < n && source[i + 1] == '*') {
      i = source.find("*/", i + 2);
      if (i == std::string::npos) break;
      i += 2;
      continue;
    }
    if (c == '"' || c == '\'') {
      const bool block = c == '"' && source.compare(i, 3, "\"\"\"") == 0;
      const std::string close = block ? "\"\"\"" : std::string(1, c);
      for (i += close.size(); i < n && source.compare(i, close.size(), close) != 0; ++i) {
        if (source[i] == '\\') ++i;
      }
      i += close.size();
      continue;
    }
    if (IdentStart(c)) {
      size_t j = i;
      while (j < n && IdentPart(source[j])) ++j;
      const std::string word = source.substr(i, j - i);
      i = j;
      if (depth != 0) continue;
      if (want_name) {
        if (saw_public) return word;
        want_name = false;
      } else if (word == "public") {
        saw_public = true;
      } else if (word == "class" || word == "interface" || word == "enum" || word == "record") {
        want_name = true;
      }
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}') depth = std::max(0, depth - 1);
    if ((c == '{' || c == '}' || c == ';') && depth <= 1) {
      saw_public = false;
      want_name = false;
    }
    ++i;
  }
  return "";
}

std::string JavaMainClass(const std::string& classes_dir, const std::string& prefer) {
  std::vector<std::string> with_main;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(classes_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".class") continue;
    std::ifstream in(it->path(), std::ios::binary);
    const std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::optional<ClassInfo> info = ReadClass(data);
    if (!info) return "";
    if (info->has_main) with_main.push_back(info->name);
  }
  if (ec || with_main.empty()) return "";
  if (!prefer.empty() && std::find(with_main.begin(), with_main.end(), prefer) != with_main.end()) {
    return prefer;
  }
  // Top-level classes (no '$') before nested ones, then by name.
  std::sort(with_main.begin(), with_main.end(), [](const std::string& a, const std::string& b) {
    const bool na = a.find('$') != std::string::npos, nb = b.find('$') != std::string::npos;
    return na != nb ? nb : a < b;
  });
  return with_main.front();
}

}  // namespace judge
