// A sandbox, compile cache and grader in a temp dir, for tests that grade real submissions.
#pragma once

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "judge/core/grader.h"
#include "tests/test_support.h"

namespace judge_test {

struct TestJudge {
  std::string dir;
  std::unique_ptr<sandbox::Sandbox> sandbox;
  std::unique_ptr<judge::Compiler> compiler;
  std::unique_ptr<judge::Grader> grader;

  ~TestJudge() {
    grader.reset();
    compiler.reset();
    sandbox.reset();
    RemoveTree(dir);
  }
};

// nullptr (with a test failure recorded) when something cannot be set up.
inline std::unique_ptr<TestJudge> MakeTestJudge(const std::string& prefix, size_t cache_entries) {
  auto j = std::make_unique<TestJudge>();
  j->dir = MakeTempDir(prefix);
  if (j->dir.empty()) {
    ADD_FAILURE() << "cannot make a temp dir";
    return nullptr;
  }
  auto sb = MakeSandbox(j->dir, 2);
  if (!sb.ok()) {
    ADD_FAILURE() << sb.status();
    return nullptr;
  }
  j->sandbox = std::move(*sb);
  j->compiler = std::make_unique<judge::Compiler>(j->sandbox.get(), j->dir + "/cache", cache_entries);
  if (absl::Status s = j->compiler->Init(); !s.ok()) {
    ADD_FAILURE() << s;
    return nullptr;
  }
  j->grader = std::make_unique<judge::Grader>(j->sandbox.get(), j->compiler.get(),
                                              judge::GraderOptions{SQL_RUNNER});
  return j;
}

}  // namespace judge_test
