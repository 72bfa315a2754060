// Prometheus' text exposition format, one metric family at a time. Debian has no
// prometheus-cpp; every renderer (the engine's counters, the doors, the cluster, the webhook
// sender) writes through this one helper, so the format is written once.
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace judge {

class PromText {
 public:
  // "# HELP <name> <help>" and "# TYPE <name> <type>" (counter, gauge, histogram).
  PromText& Family(absl::string_view name, absl::string_view type, absl::string_view help) {
    absl::StrAppend(&text_, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
    return *this;
  }
  // "<name> <value>", or "<name>{<label>="<label_value>"[,<label2>="<value2>"]} <value>".
  template <typename V>
  PromText& Sample(absl::string_view name, V value, absl::string_view label = {},
                   absl::string_view label_value = {}, absl::string_view label2 = {},
                   absl::string_view label2_value = {}) {
    if (label.empty()) {
      absl::StrAppend(&text_, name, " ", value, "\n");
    } else if (label2.empty()) {
      absl::StrAppend(&text_, name, "{", label, "=\"", label_value, "\"} ", value, "\n");
    } else {
      absl::StrAppend(&text_, name, "{", label, "=\"", label_value, "\",", label2, "=\"",
                      label2_value, "\"} ", value, "\n");
    }
    return *this;
  }
  // A family of one unlabelled sample.
  template <typename V>
  PromText& One(absl::string_view name, absl::string_view type, absl::string_view help, V value) {
    return Family(name, type, help).Sample(name, value);
  }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

}  // namespace judge
