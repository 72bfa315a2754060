#include "judge/core/challenge.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "judge/core/language.h"

namespace judge {
namespace {

// A relative path with no "..", no absolute start, resolving (links included) inside `dir`.
absl::StatusOr<std::string> ResolveInside(const std::string& dir, const std::string& rel,
                                          const std::string& where) {
  if (rel.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": empty path"));
  if (rel[0] == '/') {
    return absl::InvalidArgumentError(absl::StrCat(where, ": absolute path not allowed: ", rel));
  }
  for (absl::string_view part : absl::StrSplit(rel, '/')) {
    if (part == "..") {
      return absl::InvalidArgumentError(absl::StrCat(where, ": \"..\" not allowed: ", rel));
    }
  }
  std::string joined = dir + "/" + rel;
  char real[PATH_MAX];
  if (realpath(joined.c_str(), real) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": ", rel, ": ", strerror(errno),
        absl::StrContains(rel, "gen/") ? " (generated at build time: run the build)" : ""));
  }
  std::string resolved = real;
  if (!absl::StartsWith(resolved, dir + "/")) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", rel, " is a link leaving the challenge directory"));
  }
  struct stat st {};
  if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", rel, " is not a regular file"));
  }
  return resolved;
}

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

}  // namespace

double LoadedChallenge::TimeMultiplier(const std::string& language) const {
  auto it = manifest.time_multiplier().find(language);
  if (it != manifest.time_multiplier().end() && it->second > 0) return it->second;
  const Language* lang = FindLanguage(language);
  return lang ? lang->default_time_multiplier : 1.0;
}

LoadedChallenge::RunLimits LoadedChallenge::LimitsFor(const std::string& language) const {
  const judge::v1::Limits& lim = manifest.limits();
  const double mult = TimeMultiplier(language);
  RunLimits out;
  out.cpu_time_ms = static_cast<uint64_t>(lim.cpu_time_ms() * mult);
  out.wall_time_ms = static_cast<uint64_t>(
      (lim.wall_time_ms() ? lim.wall_time_ms() : DefaultWallTimeMs(lim.cpu_time_ms())) * mult);
  out.memory_kib = lim.memory_kib();
  out.output_kib = lim.output_kib();
  out.processes = lim.processes() ? lim.processes() : 64;
  return out;
}

namespace {

void HideInTest(const LoadedChallenge& ch, judge::v1::TestResult* t) {
  auto test = ch.candidate_names.find(t->name());
  if (test != ch.candidate_names.end()) {
    t->set_name(test->second);
    t->clear_message();  // hidden tests carry none; never let one through
  }
  t->clear_trap();  // for interviewers only
  t->clear_detail();
  auto group = ch.candidate_names.find(t->group());
  if (group != ch.candidate_names.end()) {
    // A hidden group of one test: its alias ("hidden-group-1" beside "hidden-1") adds nothing.
    const size_t size = std::count_if(ch.tests.begin(), ch.tests.end(),
                                      [&](const LoadedTest& lt) { return lt.group == t->group(); });
    if (size == 1) {
      t->clear_group();
    } else {
      t->set_group(group->second);
    }
  }
}

}  // namespace

void HideTestNames(const LoadedChallenge& ch, judge::v1::Submission* submission) {
  for (judge::v1::TestResult& t : *submission->mutable_tests()) HideInTest(ch, &t);
  // "test <name>: blocked syscall socket"
  const std::string& message = submission->message();
  if (absl::StartsWith(message, "test ")) {
    size_t colon = message.find(':');
    auto it =
        ch.candidate_names.find(message.substr(5, colon == std::string::npos ? 0 : colon - 5));
    if (it != ch.candidate_names.end()) {
      submission->set_message(absl::StrCat("test ", it->second, message.substr(colon)));
    }
  }
}

void HideTestNames(const LoadedChallenge& ch, judge::v1::SubmissionEvent* event) {
  if (event->has_test()) HideInTest(ch, event->mutable_test());
  if (event->has_submission()) HideTestNames(ch, event->mutable_submission());
}

absl::StatusOr<std::string> ReadTextFile(const std::string& path, uint64_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return absl::NotFoundError(absl::StrCat(path, ": ", strerror(errno)));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": larger than ", max_bytes, " bytes"));
  }
  std::string out(st.st_size, '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += n;
  }
  close(fd);
  out.resize(done);
  return out;
}

absl::StatusOr<std::shared_ptr<const LoadedChallenge>> LoadChallenge(const std::string& dir_in) {
  char real[PATH_MAX];
  if (realpath(dir_in.c_str(), real) == nullptr) {
    return absl::NotFoundError(absl::StrCat(dir_in, ": ", strerror(errno)));
  }
  auto ch = std::make_shared<LoadedChallenge>();
  ch->dir = real;
  const std::string file = dir_in + "/challenge.textproto";
  absl::StatusOr<std::string> text = ReadTextFile(ch->dir + "/challenge.textproto", 1 << 20);
  if (!text.ok())
    return absl::InvalidArgumentError(absl::StrCat(file, ": ", text.status().message()));

  // Collect parser errors with their line and column.
  struct Collector : google::protobuf::io::ErrorCollector {
    std::string first;
    void AddError(int line, int column, const std::string& message) override {
      if (first.empty()) first = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
    }
  } collector;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  if (!parser.ParseFromString(*text, &ch->manifest)) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": ", collector.first));
  }
  const judge::v1::Challenge& m = ch->manifest;
  auto bad = [&](const std::string& field, const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": ", field, ": ", why));
  };
  std::string base = ch->dir.substr(ch->dir.rfind('/') + 1);
  if (!ValidId(m.id())) return bad("id", "must be 1-64 of a-z, 0-9, '-' or '_'");
  if (m.id() != base)
    return bad("id", absl::StrCat("\"", m.id(), "\" differs from the directory \"", base, "\""));
  if (m.title().empty()) return bad("title", "is required");
  if (m.languages().empty()) return bad("languages", "at least one language is required");
  std::set<std::string> langs;
  std::set<TestInput> inputs;  // how the languages offered read a test
  for (int i = 0; i < m.languages_size(); ++i) {
    const Language* lang = FindLanguage(m.languages(i));
    if (lang == nullptr) {
      std::string known;
      for (const Language& l : Languages())
        absl::StrAppend(&known, known.empty() ? "" : ", ", l.id);
      return bad(absl::StrCat("languages[", i, "]"),
                 absl::StrCat("unknown language \"", m.languages(i), "\" (known: ", known, ")"));
    }
    if (!langs.insert(m.languages(i)).second)
      return bad(absl::StrCat("languages[", i, "]"), "listed twice");
    inputs.insert(lang->input);
  }
  // A test is either an input on stdin or a fixture: one challenge cannot offer both kinds.
  if (inputs.size() > 1) {
    return bad("languages", "languages that read a fixture (sql) cannot be mixed with others");
  }
  const bool fixtures = inputs.count(TestInput::kFixture) > 0;
  for (const auto& [lang, mult] : m.time_multiplier()) {
    if (!langs.count(lang))
      return bad("time_multiplier", absl::StrCat("language \"", lang, "\" is not offered"));
    if (!(mult > 0 && mult <= 20)) return bad("time_multiplier", "must be in (0, 20]");
  }
  if (m.limits().cpu_time_ms() == 0 || m.limits().cpu_time_ms() > 60000) {
    return bad("limits.cpu_time_ms", "must be 1..60000");
  }
  if (m.limits().memory_kib() < 1024 || m.limits().memory_kib() > (8u << 20)) {
    return bad("limits.memory_kib", "must be 1024..8388608");
  }
  if (m.limits().output_kib() == 0) return bad("limits.output_kib", "must be > 0");
  switch (m.checker().kind()) {
    case judge::v1::CHECKER_KIND_EXACT:
    case judge::v1::CHECKER_KIND_TOKENS:
      break;
    case judge::v1::CHECKER_KIND_FLOAT:
      if (m.checker().abs_epsilon() < 0 || m.checker().rel_epsilon() < 0) {
        return bad("checker", "epsilons must be >= 0");
      }
      break;
    case judge::v1::CHECKER_KIND_SQL_RESULT:
      if (!fixtures) return bad("checker.kind", "sql_result needs language sql");
      break;
    case judge::v1::CHECKER_KIND_PROGRAM: {
      absl::StatusOr<std::string> p =
          ResolveInside(ch->dir, m.checker().program(), "checker.program");
      if (!p.ok())
        return absl::InvalidArgumentError(absl::StrCat(file, ": ", p.status().message()));
      ch->checker_source = *p;
      break;
    }
    default:
      return bad("checker.kind", "must be set");
  }
  if (m.groups().empty()) return bad("groups", "at least one test group is required");
  std::set<std::string> names, group_names;
  for (int g = 0; g < m.groups_size(); ++g) {
    const auto& group = m.groups(g);
    std::string gf = absl::StrCat("groups[", g, "]");
    if (group.name().empty()) return bad(gf + ".name", "is required");
    if (!group_names.insert(group.name()).second)
      return bad(gf + ".name", "duplicate group " + group.name());
    if (group.tests().empty()) return bad(gf + ".tests", "a group needs tests");
    ch->group_points[group.name()] = group.points();
    ch->max_score += group.points();
    for (int t = 0; t < group.tests_size(); ++t) {
      const auto& test = group.tests(t);
      std::string tf = absl::StrCat(gf, ".tests[", t, "]");
      if (test.name().empty()) return bad(tf + ".name", "is required");
      if (!names.insert(test.name()).second)
        return bad(tf + ".name", "duplicate test " + test.name());
      LoadedTest lt;
      lt.name = test.name();
      lt.group = group.name();
      lt.sample = test.sample();
      lt.trap = test.trap().empty() ? group.trap() : test.trap();
      const auto& verdict_names =
          !test.trap_verdicts().empty() ? test.trap_verdicts() : group.trap_verdicts();
      for (const std::string& name : verdict_names) {
        judge::v1::Verdict v;
        if (!judge::v1::Verdict_Parse("VERDICT_" + name, &v) ||
            v == judge::v1::VERDICT_UNSPECIFIED || v == judge::v1::VERDICT_ACCEPTED) {
          return bad(tf + ".trap_verdicts", "unknown verdict " + name.substr(0, 40));
        }
        lt.trap_verdicts.push_back(v);
      }
      if (lt.trap_verdicts.empty()) lt.trap_verdicts.push_back(judge::v1::VERDICT_WRONG_ANSWER);
      if (fixtures) {
        absl::StatusOr<std::string> fx = ResolveInside(ch->dir, test.fixture(), tf + ".fixture");
        if (!fx.ok())
          return absl::InvalidArgumentError(absl::StrCat(file, ": ", fx.status().message()));
        lt.fixture_path = *fx;
        lt.input_path = *fx;  // what a sample shows as its input
      } else {
        absl::StatusOr<std::string> in = ResolveInside(ch->dir, test.input(), tf + ".input");
        if (!in.ok())
          return absl::InvalidArgumentError(absl::StrCat(file, ": ", in.status().message()));
        lt.input_path = *in;
      }
      absl::StatusOr<std::string> ans = ResolveInside(ch->dir, test.answer(), tf + ".answer");
      if (!ans.ok())
        return absl::InvalidArgumentError(absl::StrCat(file, ": ", ans.status().message()));
      lt.answer_path = *ans;
      ch->tests.push_back(std::move(lt));
    }
  }
  if (!m.show_hidden_test_names()) {
    uint32_t hidden_tests = 0, hidden_groups = 0;
    for (const auto& group : m.groups()) {
      bool all_hidden = true;
      for (const auto& test : group.tests()) {
        all_hidden &= !test.sample();
        if (!test.sample())
          ch->candidate_names[test.name()] = absl::StrCat("hidden-", ++hidden_tests);
      }
      if (all_hidden && !ch->candidate_names.count(group.name())) {
        ch->candidate_names[group.name()] = absl::StrCat("hidden-group-", ++hidden_groups);
      }
    }
  }
  absl::StatusOr<std::string> statement = ReadTextFile(ch->dir + "/statement.md", 1 << 20);
  if (!statement.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir_in, "/statement.md: ", statement.status().message()));
  }
  ch->statement = *statement;
  if (m.has_scaling() && m.scaling().sizes_size() > 0) {
    const std::string& pattern = m.scaling().input();
    if (pattern.find("{n}") == std::string::npos) {
      return bad("scaling.input", "must contain {n}, which stands for the size");
    }
    uint64_t last = 0;
    for (int i = 0; i < m.scaling().sizes_size(); ++i) {
      const uint64_t n = m.scaling().sizes(i);
      if (n <= last)
        return bad(absl::StrCat("scaling.sizes[", i, "]"), "sizes must be ascending and positive");
      last = n;
      absl::StatusOr<std::string> in =
          ResolveInside(ch->dir, absl::StrReplaceAll(pattern, {{"{n}", std::to_string(n)}}),
                        absl::StrCat("scaling.input for n = ", n));
      if (!in.ok())
        return absl::InvalidArgumentError(absl::StrCat(file, ": ", in.status().message()));
      ch->scaling.push_back({n, *in});
    }
  }
  return std::shared_ptr<const LoadedChallenge>(std::move(ch));
}

absl::StatusOr<std::vector<std::shared_ptr<const LoadedChallenge>>> LoadChallenges(
    const std::string& root) {
  DIR* d = opendir(root.c_str());
  if (d == nullptr) {
    return absl::NotFoundError(absl::StrCat("challenges directory ", root, ": ", strerror(errno)));
  }
  std::vector<std::string> dirs;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name[0] == '.') continue;
    if (access((root + "/" + name + "/challenge.textproto").c_str(), F_OK) == 0) {
      dirs.push_back(name);
    }
  }
  closedir(d);
  std::sort(dirs.begin(), dirs.end());
  std::vector<std::shared_ptr<const LoadedChallenge>> out;
  for (const std::string& name : dirs) {
    absl::StatusOr<std::shared_ptr<const LoadedChallenge>> ch = LoadChallenge(root + "/" + name);
    if (!ch.ok()) return ch.status();
    out.push_back(*ch);
  }
  if (out.empty()) return absl::NotFoundError(absl::StrCat("no challenges found in ", root));
  return out;
}

}  // namespace judge
