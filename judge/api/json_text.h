// JSON text the front door writes by hand around protobuf's: a message in protobuf's JSON
// mapping with every primitive field (`score: 0`, not missing), and a string quoted and escaped
// as JSON. One place for both, for the HTTP answers and the pad's frames.
#pragma once

#include <string>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace judge {

inline std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return "{}";
  return out;
}

inline std::string JsonQuote(const std::string& s) {
  google::protobuf::Value v;
  v.set_string_value(s);
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(v, &out);
  return out;
}

}  // namespace judge
