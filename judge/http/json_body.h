// The JSON API's request bodies: protobuf's JSON mapping, unknown fields refused, an empty body
// read as {}. No transport here, so the fuzz target (tests/fuzz/json_request_fuzz.cc) parses
// exactly what the HTTP door does.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace judge {

template <typename M>
absl::StatusOr<M> ParseJsonBody(std::string_view body) {
  M message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      body.empty() ? "{}" : google::protobuf::StringPiece(body.data(), body.size()), &message,
      options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the body is not a ", M::descriptor()->full_name(), " in JSON: ", status.ToString()));
  }
  return message;
}

}  // namespace judge
