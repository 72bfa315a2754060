// What the HTTP door decodes from a client: a JSON body as judge.v1.SubmitRequest,
// RunLiveRequest and BackupRequest, through the door's own parser (judge/http/json_body.h:
// protobuf's JSON mapping, unknown fields refused, an empty body read as {}). A body it accepts
// prints back and parses again to the same message; a body it refuses gets INVALID_ARGUMENT.
#include <cstdint>
#include <string>

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "judge/http/json_body.h"
#include "judge/v1/judge.pb.h"

template <typename M>
void RoundTrip(const std::string& json) {
  absl::StatusOr<M> message = judge::ParseJsonBody<M>(json);
  if (!message.ok()) {
    if (message.status().code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
    return;
  }
  std::string printed;
  if (!google::protobuf::util::MessageToJsonString(*message, &printed).ok()) __builtin_trap();
  absl::StatusOr<M> again = judge::ParseJsonBody<M>(printed);
  if (!again.ok()) __builtin_trap();
  if (!google::protobuf::util::MessageDifferencer::Equals(*message, *again)) __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string json(reinterpret_cast<const char*>(data), size);
  RoundTrip<judge::v1::SubmitRequest>(json);
  RoundTrip<judge::v1::RunLiveRequest>(json);
  RoundTrip<judge::v1::BackupRequest>(json);
  return 0;
}
