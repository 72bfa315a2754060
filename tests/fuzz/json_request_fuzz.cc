// What the HTTP door decodes from a client: a JSON body as judge.v1.SubmitRequest and
// RunLiveRequest (protobuf's JSON mapping, unknown fields refused), printed back and parsed
// again to the same message.
#include <cstdint>
#include <string>

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "judge/v1/judge.pb.h"

template <typename M>
void RoundTrip(const std::string& json) {
  M message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(json, &message, options).ok()) return;
  std::string printed;
  if (!google::protobuf::util::MessageToJsonString(message, &printed).ok()) __builtin_trap();
  M again;
  if (!google::protobuf::util::JsonStringToMessage(printed, &again, options).ok()) __builtin_trap();
  if (!google::protobuf::util::MessageDifferencer::Equals(message, again)) __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string json(reinterpret_cast<const char*>(data), size);
  RoundTrip<judge::v1::SubmitRequest>(json);
  RoundTrip<judge::v1::RunLiveRequest>(json);
  RoundTrip<judge::v1::BackupRequest>(json);
  return 0;
}
