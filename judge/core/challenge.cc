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

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "judge/core/checker.h"
#include "judge/core/language.h"
#include "judge/core/scoring.h"

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

const Language* LoadedChallenge::LanguageFor(const std::string& language) const {
  auto it = harness_languages.find(language);
  return it != harness_languages.end() ? &it->second : FindLanguage(language);
}

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

namespace {

// Reads and checks one challenge directory, one named step at a time; every error names the
// file, the field and what is wrong.
class Loader {
 public:
  explicit Loader(std::string dir_in)
      : dir_in_(std::move(dir_in)), file_(dir_in_ + "/challenge.textproto") {}

  absl::StatusOr<std::shared_ptr<const LoadedChallenge>> Run() {
    for (absl::Status (Loader::*step)() :
         {&Loader::ParseManifest, &Loader::CheckHeader, &Loader::CheckLimits, &Loader::CheckChecker,
          &Loader::LoadTests, &Loader::LoadGrading, &Loader::NameHiddenTests,
          &Loader::ReadStatement, &Loader::LoadScaling, &Loader::LoadHarnesses}) {
      if (absl::Status s = (this->*step)(); !s.ok()) return s;
    }
    return std::shared_ptr<const LoadedChallenge>(std::move(ch_));
  }

 private:
  absl::Status Bad(const std::string& field, const std::string& why) const {
    return absl::InvalidArgumentError(absl::StrCat(file_, ": ", field, ": ", why));
  }
  absl::Status InFile(const absl::Status& s) const {
    return absl::InvalidArgumentError(absl::StrCat(file_, ": ", s.message()));
  }

  absl::Status ParseManifest() {
    char real[PATH_MAX];
    if (realpath(dir_in_.c_str(), real) == nullptr) {
      return absl::NotFoundError(absl::StrCat(dir_in_, ": ", strerror(errno)));
    }
    ch_->dir = real;
    absl::StatusOr<std::string> text = ReadTextFile(ch_->dir + "/challenge.textproto", 1 << 20);
    if (!text.ok()) return InFile(text.status());
    // Collect parser errors with their line and column.
    struct Collector : google::protobuf::io::ErrorCollector {
      std::string first;
      void AddError(int line, int column, const std::string& message) override {
        if (first.empty()) first = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
      }
    } collector;
    google::protobuf::TextFormat::Parser parser;
    parser.RecordErrorsTo(&collector);
    if (!parser.ParseFromString(*text, &ch_->manifest)) {
      return absl::InvalidArgumentError(absl::StrCat(file_, ": ", collector.first));
    }
    return absl::OkStatus();
  }

  // Id, title and languages (the languages offered must read their tests the same way).
  absl::Status CheckHeader() {
    const judge::v1::Challenge& m = ch_->manifest;
    std::string base = ch_->dir.substr(ch_->dir.rfind('/') + 1);
    if (!ValidId(m.id())) return Bad("id", "must be 1-64 of a-z, 0-9, '-' or '_'");
    if (m.id() != base) {
      return Bad("id", absl::StrCat("\"", m.id(), "\" differs from the directory \"", base, "\""));
    }
    if (m.title().empty()) return Bad("title", "is required");
    if (m.languages().empty()) return Bad("languages", "at least one language is required");
    std::set<TestInput> inputs;  // how the languages offered read a test
    for (int i = 0; i < m.languages_size(); ++i) {
      const Language* lang = FindLanguage(m.languages(i));
      if (lang == nullptr) {
        std::string known;
        for (const Language& l : Languages()) {
          absl::StrAppend(&known, known.empty() ? "" : ", ", l.id);
        }
        return Bad(absl::StrCat("languages[", i, "]"),
                   absl::StrCat("unknown language \"", m.languages(i), "\" (known: ", known, ")"));
      }
      if (!langs_.insert(m.languages(i)).second) {
        return Bad(absl::StrCat("languages[", i, "]"), "listed twice");
      }
      inputs.insert(lang->input);
    }
    // A test is either an input on stdin or a fixture: one challenge cannot offer both kinds.
    if (inputs.size() > 1) {
      return Bad("languages", "languages that read a fixture (sql) cannot be mixed with others");
    }
    fixtures_ = inputs.count(TestInput::kFixture) > 0;
    return absl::OkStatus();
  }

  // The class form: one harness per offered language, each with its files and stub read now
  // (bounded), the candidate's file name apart from the harness's own.
  absl::Status LoadHarnesses() {
    const judge::v1::Challenge& m = ch_->manifest;
    if (m.harnesses().empty()) return absl::OkStatus();
    if (fixtures_) return Bad("harnesses", "sql reads a fixture: it has no class form");
    for (int i = 0; i < m.harnesses_size(); ++i) {
      const judge::v1::Harness& h = m.harnesses(i);
      const std::string hf = absl::StrCat("harnesses[", i, "]");
      if (!langs_.count(h.language())) {
        return Bad(hf + ".language", absl::StrCat("\"", h.language().substr(0, 32),
                                                  "\" is not one of the challenge's languages"));
      }
      if (ch_->harness_languages.count(h.language())) {
        return Bad(hf + ".language", absl::StrCat(h.language(), " has two harnesses"));
      }
      if (!SimpleFileName(h.source_name())) {
        return Bad(hf + ".source_name", "must be a plain file name (letters, digits, . _ -)");
      }
      Language lang = *FindLanguage(h.language());
      lang.source_name = h.source_name();
      lang.source_name_for = nullptr;
      std::set<std::string> names = {h.source_name()};
      for (int f = 0; f < h.files_size(); ++f) {
        const std::string ff = absl::StrCat(hf, ".files[", f, "]");
        absl::StatusOr<std::string> path = ResolveInside(ch_->dir, h.files(f), ff);
        if (!path.ok()) return InFile(path.status());
        const std::string name = path->substr(path->rfind('/') + 1);
        if (!names.insert(name).second) {
          return Bad(ff, absl::StrCat("a second file named ", name, " in the compile box"));
        }
        absl::StatusOr<std::string> text = ReadTextFile(*path, 4 << 20);
        if (!text.ok()) return InFile(text.status());
        lang.extra_files.emplace_back(name, *std::move(text));
      }
      if (!h.compile_argv().empty())
        lang.compile_argv.assign(h.compile_argv().begin(), h.compile_argv().end());
      if (!h.artifact().empty()) lang.artifact = h.artifact();
      if (!h.run_argv().empty()) lang.run_argv.assign(h.run_argv().begin(), h.run_argv().end());
      if (!h.entry().empty()) {
        lang.fixed_entry = h.entry();
        lang.entry_for = nullptr;
      }
      if (lang.compile_argv.empty()) {
        return Bad(hf + ".compile_argv",
                   "the class form needs a compile step (the artifact holds "
                   "the harness and the candidate's file)");
      }
      if (h.stub().empty()) return Bad(hf + ".stub", "is required (the editor's starter)");
      absl::StatusOr<std::string> stub_path = ResolveInside(ch_->dir, h.stub(), hf + ".stub");
      if (!stub_path.ok()) return InFile(stub_path.status());
      absl::StatusOr<std::string> stub = ReadTextFile(*stub_path, 64 << 10);
      if (!stub.ok()) return InFile(stub.status());
      ch_->stubs[h.language()] = *std::move(stub);
      ch_->harness_languages.emplace(h.language(), std::move(lang));
    }
    for (const std::string& l : langs_) {
      if (!ch_->harness_languages.count(l)) {
        return Bad("harnesses", absl::StrCat("language ", l,
                                             " has no harness (a class-form "
                                             "challenge needs one in every language it offers)"));
      }
    }
    return absl::OkStatus();
  }

  static bool SimpleFileName(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] == '.') return false;
    for (char c : name) {
      if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
        return false;
    }
    return true;
  }

  absl::Status CheckLimits() {
    const judge::v1::Challenge& m = ch_->manifest;
    for (const auto& [lang, mult] : m.time_multiplier()) {
      if (!langs_.count(lang)) {
        return Bad("time_multiplier", absl::StrCat("language \"", lang, "\" is not offered"));
      }
      if (!(mult > 0 && mult <= 20)) return Bad("time_multiplier", "must be in (0, 20]");
    }
    if (m.limits().cpu_time_ms() == 0 || m.limits().cpu_time_ms() > 60000) {
      return Bad("limits.cpu_time_ms", "must be 1..60000");
    }
    if (m.limits().memory_kib() < 1024 || m.limits().memory_kib() > (8u << 20)) {
      return Bad("limits.memory_kib", "must be 1024..8388608");
    }
    if (m.limits().output_kib() == 0) return Bad("limits.output_kib", "must be > 0");
    return absl::OkStatus();
  }

  absl::Status CheckChecker() {
    const judge::v1::Checker& c = ch_->manifest.checker();
    if (ch_->manifest.interactive() && c.kind() != judge::v1::CHECKER_KIND_OUTPUT_VALIDATOR) {
      return Bad("interactive", "needs a checker of kind CHECKER_KIND_OUTPUT_VALIDATOR");
    }
    if (ch_->manifest.passes() > 1 &&
        (c.kind() != judge::v1::CHECKER_KIND_OUTPUT_VALIDATOR || ch_->manifest.interactive())) {
      return Bad("passes",
                 "needs a checker of kind CHECKER_KIND_OUTPUT_VALIDATOR (and no interactive)");
    }
    if (ch_->manifest.passes() > 20) return Bad("passes", "at most 20");
    if (ch_->manifest.interactive() && (fixtures_ || !ch_->manifest.harnesses().empty())) {
      return Bad("interactive", "is for programs that read stdin (no sql, no class form)");
    }
    switch (c.kind()) {
      case judge::v1::CHECKER_KIND_EXACT:
      case judge::v1::CHECKER_KIND_TOKENS:
        return absl::OkStatus();
      case judge::v1::CHECKER_KIND_FLOAT:
        if (c.abs_epsilon() < 0 || c.rel_epsilon() < 0) {
          return Bad("checker", "epsilons must be >= 0");
        }
        return absl::OkStatus();
      case judge::v1::CHECKER_KIND_SQL_RESULT:
        if (!fixtures_) return Bad("checker.kind", "sql_result needs language sql");
        return absl::OkStatus();
      case judge::v1::CHECKER_KIND_PROGRAM: {
        absl::StatusOr<std::string> p = ResolveInside(ch_->dir, c.program(), "checker.program");
        if (!p.ok()) return InFile(p.status());
        ch_->checker_source = *p;
        return absl::OkStatus();
      }
      case judge::v1::CHECKER_KIND_DEFAULT_VALIDATOR: {
        absl::StatusOr<judge::v1::Checker> flagged = WithValidatorFlags(c, c.flags());
        if (!flagged.ok()) return Bad("checker.flags", std::string(flagged.status().message()));
        if (flagged->abs_epsilon() < 0 || flagged->rel_epsilon() < 0) {
          return Bad("checker", "epsilons must be >= 0");
        }
        return absl::OkStatus();
      }
      case judge::v1::CHECKER_KIND_OUTPUT_VALIDATOR:
        return LoadValidator(c);
      default:
        return Bad("checker.kind", "must be set");
    }
  }

  // An output validator: its main file and the files compiled with it, as a language variant
  // (like a harness: the other files sit beside the main one in the compile box).
  absl::Status LoadValidator(const judge::v1::Checker& c) {
    const std::string id = c.language().empty() ? "cpp" : c.language();
    const Language* base = FindLanguage(id);
    if (base == nullptr || base->input == TestInput::kFixture) {
      return Bad("checker.language", absl::StrCat("\"", id.substr(0, 32),
                                                  "\" cannot build a validator (c, cpp, python3, "
                                                  "java, ... read their input on stdin)"));
    }
    absl::StatusOr<std::string> p = ResolveInside(ch_->dir, c.program(), "checker.program");
    if (!p.ok()) return InFile(p.status());
    ch_->checker_source = *p;
    Language lang = *base;
    std::set<std::string> names = {lang.source_name};
    for (int f = 0; f < c.files_size(); ++f) {
      const std::string ff = absl::StrCat("checker.files[", f, "]");
      absl::StatusOr<std::string> path = ResolveInside(ch_->dir, c.files(f), ff);
      if (!path.ok()) return InFile(path.status());
      std::string name = path->substr(path->rfind('/') + 1);
      if (!names.insert(name).second) {
        return Bad(ff, absl::StrCat("a second file named ", name, " in the compile box"));
      }
      absl::StatusOr<std::string> text = ReadTextFile(*path, 4 << 20);
      if (!text.ok()) return InFile(text.status());
      // Further C and C++ sources are compiled and linked with the main one.
      if ((id == "cpp" || id == "c") &&
          (absl::EndsWith(name, ".cpp") || absl::EndsWith(name, ".cc") ||
           absl::EndsWith(name, ".cxx") || absl::EndsWith(name, ".c"))) {
        lang.compile_argv.push_back(name);
      }
      lang.extra_files.emplace_back(std::move(name), *std::move(text));
    }
    ch_->validator_language = std::make_shared<Language>(std::move(lang));
    return absl::OkStatus();
  }

  // A scoring problem's grading nodes: known flags; the most points there are.
  absl::Status LoadGrading() {
    const judge::v1::Challenge& m = ch_->manifest;
    if (!m.scoring()) {
      if (!m.grading().empty()) return Bad("grading", "is for a scoring challenge (scoring: true)");
      return absl::OkStatus();
    }
    static const std::set<std::string> kFlags = {
        "first_error", "worst_error", "always_accept", "accept_if_any_accepted", "sum",
        "avg",         "min",         "max",           "ignore_sample"};
    for (int i = 0; i < m.grading_size(); ++i) {
      for (const std::string& f : m.grading(i).flags()) {
        if (!kFlags.count(f)) {
          return Bad(absl::StrCat("grading[", i, "].flags"),
                     absl::StrCat("unknown grader flag \"", f.substr(0, 32), "\""));
        }
      }
      if (m.grading(i).has_range() && m.grading(i).range_low() > m.grading(i).range_high()) {
        return Bad(absl::StrCat("grading[", i, "].range"), "low is above high");
      }
    }
    judge::v1::Submission all;
    for (const LoadedTest& t : ch_->tests) {
      judge::v1::TestResult* r = all.add_tests();
      r->set_name(t.name);
      r->set_verdict(judge::v1::VERDICT_ACCEPTED);
      r->set_points(t.accept_score);
    }
    ScoreByGrading(*ch_, &all);
    ch_->max_score = all.max_score();
    return absl::OkStatus();
  }

  absl::Status LoadTests() {
    const judge::v1::Challenge& m = ch_->manifest;
    if (m.groups().empty()) return Bad("groups", "at least one test group is required");
    std::set<std::string> names, group_names;
    for (int g = 0; g < m.groups_size(); ++g) {
      const auto& group = m.groups(g);
      std::string gf = absl::StrCat("groups[", g, "]");
      if (group.name().empty()) return Bad(gf + ".name", "is required");
      if (!group_names.insert(group.name()).second) {
        return Bad(gf + ".name", "duplicate group " + group.name());
      }
      if (group.tests().empty()) return Bad(gf + ".tests", "a group needs tests");
      ch_->group_points[group.name()] = group.points();
      ch_->max_score += group.points();
      for (int t = 0; t < group.tests_size(); ++t) {
        const std::string tf = absl::StrCat(gf, ".tests[", t, "]");
        if (group.tests(t).name().empty()) return Bad(tf + ".name", "is required");
        if (!names.insert(group.tests(t).name()).second) {
          return Bad(tf + ".name", "duplicate test " + group.tests(t).name());
        }
        absl::StatusOr<LoadedTest> lt = LoadTest(group, group.tests(t), tf);
        if (!lt.ok()) return lt.status();
        ch_->tests.push_back(*std::move(lt));
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<LoadedTest> LoadTest(const judge::v1::TestGroup& group,
                                      const judge::v1::Test& test, const std::string& tf) const {
    LoadedTest lt;
    lt.name = test.name();
    lt.group = group.name();
    lt.sample = test.sample();
    lt.trap = test.trap().empty() ? group.trap() : test.trap();
    if (ch_->manifest.scoring()) {
      const judge::v1::GradingNode node = GradingNodeFor(ch_->manifest, GradingFolder(lt.name));
      lt.accept_score = node.accept_score();
      lt.reject_score = node.reject_score();
    }
    const judge::v1::Checker& c = ch_->manifest.checker();
    lt.validator_flags.assign(c.flags().begin(), c.flags().end());
    lt.validator_flags.insert(lt.validator_flags.end(), group.validator_flags().begin(),
                              group.validator_flags().end());
    lt.checker = c;
    if (c.kind() == judge::v1::CHECKER_KIND_DEFAULT_VALIDATOR) {
      absl::StatusOr<judge::v1::Checker> flagged = WithValidatorFlags(c, c.flags());
      if (flagged.ok()) flagged = WithValidatorFlags(*flagged, group.validator_flags());
      if (!flagged.ok()) {
        return Bad(tf.substr(0, tf.find(".tests")) + ".validator_flags",
                   std::string(flagged.status().message()));
      }
      lt.checker = *std::move(flagged);
    }
    const auto& verdict_names =
        !test.trap_verdicts().empty() ? test.trap_verdicts() : group.trap_verdicts();
    for (const std::string& name : verdict_names) {
      judge::v1::Verdict v;
      if (!judge::v1::Verdict_Parse("VERDICT_" + name, &v) || v == judge::v1::VERDICT_UNSPECIFIED ||
          v == judge::v1::VERDICT_ACCEPTED) {
        return Bad(tf + ".trap_verdicts", "unknown verdict " + name.substr(0, 40));
      }
      lt.trap_verdicts.push_back(v);
    }
    if (lt.trap_verdicts.empty()) lt.trap_verdicts.push_back(judge::v1::VERDICT_WRONG_ANSWER);
    if (fixtures_) {
      absl::StatusOr<std::string> fx = ResolveInside(ch_->dir, test.fixture(), tf + ".fixture");
      if (!fx.ok()) return InFile(fx.status());
      lt.fixture_path = *fx;
      lt.input_path = *fx;  // what a sample shows as its input
    } else {
      absl::StatusOr<std::string> in = ResolveInside(ch_->dir, test.input(), tf + ".input");
      if (!in.ok()) return InFile(in.status());
      lt.input_path = *in;
    }
    absl::StatusOr<std::string> ans = ResolveInside(ch_->dir, test.answer(), tf + ".answer");
    if (!ans.ok()) return InFile(ans.status());
    lt.answer_path = *ans;
    return lt;
  }

  // What a candidate sees instead of hidden tests' and all-hidden groups' names.
  absl::Status NameHiddenTests() {
    const judge::v1::Challenge& m = ch_->manifest;
    if (m.show_hidden_test_names()) return absl::OkStatus();
    uint32_t hidden_tests = 0, hidden_groups = 0;
    for (const auto& group : m.groups()) {
      bool all_hidden = true;
      for (const auto& test : group.tests()) {
        all_hidden &= !test.sample();
        if (!test.sample()) {
          ch_->candidate_names[test.name()] = absl::StrCat("hidden-", ++hidden_tests);
        }
      }
      if (all_hidden && !ch_->candidate_names.count(group.name())) {
        ch_->candidate_names[group.name()] = absl::StrCat("hidden-group-", ++hidden_groups);
      }
    }
    return absl::OkStatus();
  }

  absl::Status ReadStatement() {
    absl::StatusOr<std::string> statement = ReadTextFile(ch_->dir + "/statement.md", 1 << 20);
    if (!statement.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(dir_in_, "/statement.md: ", statement.status().message()));
    }
    ch_->statement = *statement;
    return absl::OkStatus();
  }

  absl::Status LoadScaling() {
    const judge::v1::Challenge& m = ch_->manifest;
    if (!m.has_scaling() || m.scaling().sizes_size() == 0) return absl::OkStatus();
    const std::string& pattern = m.scaling().input();
    if (pattern.find("{n}") == std::string::npos) {
      return Bad("scaling.input", "must contain {n}, which stands for the size");
    }
    uint64_t last = 0;
    for (int i = 0; i < m.scaling().sizes_size(); ++i) {
      const uint64_t n = m.scaling().sizes(i);
      if (n <= last) {
        return Bad(absl::StrCat("scaling.sizes[", i, "]"), "sizes must be ascending and positive");
      }
      last = n;
      absl::StatusOr<std::string> in =
          ResolveInside(ch_->dir, absl::StrReplaceAll(pattern, {{"{n}", std::to_string(n)}}),
                        absl::StrCat("scaling.input for n = ", n));
      if (!in.ok()) return InFile(in.status());
      ch_->scaling.push_back({n, *in});
    }
    return absl::OkStatus();
  }

  const std::string dir_in_, file_;
  std::shared_ptr<LoadedChallenge> ch_ = std::make_shared<LoadedChallenge>();
  std::set<std::string> langs_;
  bool fixtures_ = false;
};

}  // namespace

absl::StatusOr<std::shared_ptr<const LoadedChallenge>> LoadChallenge(const std::string& dir_in) {
  return Loader(dir_in).Run();
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
