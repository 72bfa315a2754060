#include "judge/api/api_context.h"

#include <algorithm>

namespace judge {

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += len;
  }
  return true;
}

bool ValidName(const std::string& s, size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '@' || c == ':';
  });
}

absl::StatusOr<std::string> RemoteOwner(const ApiContext& ctx, const std::string& id,
                                        const char* what) {
  if (ctx.cluster == nullptr) return std::string();
  const std::string owner = OwnerOf(id);
  if (owner.empty() || owner == ctx.cluster->node_id()) return std::string();
  if (!ValidName(id, 64)) return absl::InvalidArgumentError(absl::StrCat(what, "_id is malformed"));
  const std::map<std::string, std::string> nodes = ctx.cluster->Nodes();
  auto it = nodes.find(owner);
  if (it == nodes.end()) {
    return absl::UnavailableError(absl::StrCat(what, " ", id, " is kept by node ", owner,
                                               ", which is not reachable now; retry later"));
  }
  return it->second;
}

}  // namespace judge
