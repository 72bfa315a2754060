// Submissions of several files (a problem package's submissions/<verdict>/<folder>/, judgectl
// submit DIR, SubmitRequest.files): which file is the entry, and the language that compiles the
// others beside it. C, C++, Java, Python 3, Go and Rust take several files.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "judge/core/language.h"
#include "judge/v1/judge.pb.h"

namespace judge {

using SourceFiles = google::protobuf::RepeatedPtrField<judge::v1::SourceFile>;

// Whether C, C++, Go or Rust text defines `main` (followed by "(", spaces allowed); scanned by
// hand, never by a regex (hostile input).
bool DefinesMain(const std::string& text, const std::string& word = "main");

// The index of the entry among `files` in `language`: main.py, else the only .py, for Python;
// the one source defining main (C, C++, Go, Rust's fn main, Java's static void main).
// InvalidArgument says why none or several qualify, or that the language takes one file.
[[nodiscard]] absl::StatusOr<int> ChooseMain(const std::string& language, const SourceFiles& files);

// `base` compiling `others` beside the entry (their names checked: plain, unique, not the
// entry's own name in the compile box).
[[nodiscard]] absl::StatusOr<Language> WithFiles(const Language& base, const SourceFiles& others);

}  // namespace judge
