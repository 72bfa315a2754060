#include "judge/http/static_files.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace judge {
namespace {

std::string MimeType(const std::string& name) {
  const size_t dot = name.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
  static const std::pair<const char*, const char*> kTypes[] = {
      {"html", "text/html"},   {"js", "text/javascript"},    {"mjs", "text/javascript"},
      {"css", "text/css"},     {"svg", "image/svg+xml"},     {"png", "image/png"},
      {"ico", "image/x-icon"}, {"json", "application/json"}, {"map", "application/json"},
      {"txt", "text/plain"},   {"woff2", "font/woff2"},
  };
  for (const auto& [e, type] : kTypes) {
    if (ext == e) return type;
  }
  return "application/octet-stream";
}

}  // namespace

HttpReply ServeStaticFile(const std::string& root, const std::string& path) {
  HttpReply reply;
  if (path.empty() || path[0] != '/') {
    return ErrorReply(absl::InvalidArgumentError("the request path must start with /"));
  }
  std::string name = path == "/" ? "/index.html" : path;
  for (absl::string_view part : absl::StrSplit(name.substr(1), '/')) {
    const bool control = std::any_of(part.begin(), part.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (control || part == ".." || part == "." || (!part.empty() && part[0] == '.')) {
      return ErrorReply(absl::InvalidArgumentError("the request path is not a file name"));
    }
  }
  if (name.back() == '/') name += "index.html";
  std::ifstream in(root + name, std::ios::binary);
  std::ostringstream body;
  if (!in || !(body << in.rdbuf())) {
    return ErrorReply(
        absl::NotFoundError(absl::StrCat("no such route: GET ", path.substr(0, 200))));
  }
  reply.content_type = MimeType(name);
  if (reply.content_type.rfind("text/", 0) == 0) reply.content_type += "; charset=utf-8";
  reply.body = body.str();
  return reply;
}

}  // namespace judge
