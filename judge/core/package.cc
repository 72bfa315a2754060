#include "judge/core/package.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/text_format.h"
#include "judge/core/challenge.h"
#include "judge/core/checker.h"
#include "judge/core/language.h"
#include "judge/core/multi_file.h"
#include "judge/v1/challenge.pb.h"
#include "yaml-cpp/yaml.h"

namespace judge {
namespace {

using judge::v1::Verdict;

absl::Status Bad(const std::string& where, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", why));
}

struct Entry {
  std::string name;
  bool dir = false;
};

// The entries of a folder, sorted by name; links and anything but files and folders are
// errors (a package holds files and folders only).
absl::StatusOr<std::vector<Entry>> List(const std::string& root, const std::string& rel) {
  const std::string path = rel.empty() ? root : root + "/" + rel;
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return absl::NotFoundError(absl::StrCat(rel, ": not a folder"));
  std::vector<Entry> out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (lstat((path + "/" + name).c_str(), &st) != 0 ||
        !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
      closedir(d);
      return Bad(rel.empty() ? name : rel + "/" + name, "not a regular file or folder");
    }
    out.push_back({name, S_ISDIR(st.st_mode)});
  }
  closedir(d);
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return out;
}

bool IsFile(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
bool IsDir(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string Join(const std::string& a, const std::string& b) {
  return a.empty() ? b : absl::StrCat(a, "/", b);
}

// YAML errors as the format's author would want them: the file, the line, the reason.
std::string YamlWhere(const std::string& file, const YAML::Mark& mark) {
  return mark.line >= 0 ? absl::StrCat(file, ": line ", mark.line + 1) : file;
}

absl::StatusOr<YAML::Node> LoadYaml(const std::string& root, const std::string& rel) {
  absl::StatusOr<std::string> text = ReadTextFile(root + "/" + rel, 1 << 20);
  if (!text.ok()) return Bad(rel, std::string(text.status().message()));
  try {
    YAML::Node node = YAML::Load(*text);
    if (node.IsNull()) return YAML::Node(YAML::NodeType::Map);
    if (!node.IsMap()) return Bad(rel, "must be a mapping of keys to values");
    return node;
  } catch (const YAML::Exception& e) {
    return Bad(YamlWhere(rel, e.mark), e.msg);
  }
}

absl::Status OnlyKeys(const YAML::Node& map, const std::string& where,
                      const std::set<std::string>& known) {
  for (const auto& kv : map) {
    std::string key;
    try {
      key = kv.first.as<std::string>();
    } catch (const YAML::Exception&) {
      return Bad(where, "a key that is not a string");
    }
    if (absl::StartsWith(key, "x-")) continue;  // the format's extension keys
    if (!known.count(key)) {
      return Bad(where, absl::StrCat("unknown key \"", key.substr(0, 40),
                                     "\" (known: ", absl::StrJoin(known, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<double> Number(const YAML::Node& node, const std::string& where, double low,
                              double high) {
  try {
    double v = node.as<double>();
    if (!(v >= low && v <= high)) {
      return Bad(where, absl::StrCat("must be between ", low, " and ", high));
    }
    return v;
  } catch (const YAML::Exception&) {
    return Bad(where, "must be a number");
  }
}

absl::StatusOr<std::string> Text(const YAML::Node& node, const std::string& where) {
  try {
    if (node.IsScalar()) return node.as<std::string>();
  } catch (const YAML::Exception&) {
  }
  return Bad(where, "must be text");
}

std::vector<std::string> Words(const std::string& s) {
  return absl::StrSplit(s, absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
}

// A submissions/ folder's verdicts (legacy and 2023-07 names).
const std::map<std::string, std::vector<Verdict>>& FolderVerdicts() {
  static const auto* m = new std::map<std::string, std::vector<Verdict>>{
      {"accepted", {judge::v1::VERDICT_ACCEPTED}},
      {"wrong_answer", {judge::v1::VERDICT_WRONG_ANSWER}},
      {"time_limit_exceeded", {judge::v1::VERDICT_TIME_LIMIT_EXCEEDED}},
      {"run_time_error", {judge::v1::VERDICT_RUNTIME_ERROR}},
      {"runtime_error", {judge::v1::VERDICT_RUNTIME_ERROR}},
      {"rejected",
       {judge::v1::VERDICT_WRONG_ANSWER, judge::v1::VERDICT_TIME_LIMIT_EXCEEDED,
        judge::v1::VERDICT_RUNTIME_ERROR, judge::v1::VERDICT_MEMORY_LIMIT_EXCEEDED,
        judge::v1::VERDICT_OUTPUT_LIMIT_EXCEEDED}},
      {"brute_force",
       {judge::v1::VERDICT_TIME_LIMIT_EXCEEDED, judge::v1::VERDICT_RUNTIME_ERROR,
        judge::v1::VERDICT_MEMORY_LIMIT_EXCEEDED}},
  };
  return *m;
}

// The tag's names (problemtools' @EXPECTED_RESULTS@: ACCEPTED, WRONG_ANSWER, ...).
bool TagVerdict(std::string name, Verdict* out) {
  name = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(name));
  if (name == "RUN_TIME_ERROR" || name == "RTE") name = "RUNTIME_ERROR";
  if (name == "AC") name = "ACCEPTED";
  if (name == "WA") name = "WRONG_ANSWER";
  if (name == "TLE") name = "TIME_LIMIT_EXCEEDED";
  return judge::v1::Verdict_Parse("VERDICT_" + name, out) && *out != judge::v1::VERDICT_UNSPECIFIED;
}

// problemtools' tags ("@EXPECTED_RESULTS@: ACCEPTED, WRONG_ANSWER", "@EXPECTED_SCORE@: 30"):
// the rest of the tag's line (at most 200 bytes, up to what no verdict or number holds), or
// nothing.
std::optional<std::string> TagLine(const std::string& source, const std::string& kTag) {
  size_t at = source.find(kTag);
  if (at == std::string::npos) return std::nullopt;
  at += kTag.size();
  size_t end = source.find('\n', at);
  std::string rest =
      source.substr(at, std::min<size_t>(end == std::string::npos ? 200 : end - at, 200));
  rest = std::string(absl::StripAsciiWhitespace(rest));
  if (!rest.empty() && rest[0] == ':') rest = rest.substr(1);
  // Anything after the names (a comment's closing */) is not a verdict.
  size_t stop = rest.find_first_not_of(
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_, \t0123456789.+-");
  if (stop != std::string::npos) rest.resize(stop);
  return rest;
}

class Converter {
 public:
  Converter(std::string dir, std::string id) : dir_(std::move(dir)), id_(std::move(id)) {}

  absl::StatusOr<ConvertedPackage> Run() {
    if (IsFile(dir_ + "/challenge.textproto")) return OwnForm();
    if (!IsFile(dir_ + "/problem.yaml")) {
      return Bad("package",
                 "neither problem.yaml (a problem package) nor challenge.textproto (the judge's "
                 "own form) at its top");
    }
    out_.format = "problem package";
    m_.set_id(id_);
    m_.set_source_format(out_.format);
    for (absl::Status (Converter::*step)() :
         {&Converter::ReadProblemYaml, &Converter::ReadTimeLimit, &Converter::ReadData,
          &Converter::ReadValidator, &Converter::ReadStatement, &Converter::ReadSubmissions,
          &Converter::Write}) {
      if (absl::Status s = (this->*step)(); !s.ok()) return s;
    }
    return out_;
  }

 private:
  absl::StatusOr<ConvertedPackage> OwnForm() {
    out_.format = "challenge.textproto";
    absl::StatusOr<std::string> text = ReadTextFile(dir_ + "/challenge.textproto", 1 << 20);
    if (!text.ok()) return Bad("challenge.textproto", std::string(text.status().message()));
    if (!google::protobuf::TextFormat::ParseFromString(*text, &m_)) {
      // The loader says where; an id only needs setting when the text parses.
      return LoaderSays();
    }
    m_.set_id(id_);
    m_.set_source_format(out_.format);
    std::string written;
    google::protobuf::TextFormat::PrintToString(m_, &written);
    if (absl::Status s = WriteFile("challenge.textproto", written); !s.ok()) return s;
    if (IsDir(dir_ + "/submissions")) {
      if (absl::Status s = ReadSubmissions(); !s.ok()) return s;
    }
    out_.time_limit_ms = m_.limits().cpu_time_ms();
    out_.time_limit_source = "challenge.textproto";
    return out_;
  }

  absl::StatusOr<ConvertedPackage> LoaderSays() {
    absl::StatusOr<std::shared_ptr<const LoadedChallenge>> loaded = LoadChallenge(dir_);
    if (!loaded.ok()) return loaded.status();
    return Bad("challenge.textproto", "does not parse");
  }

  absl::Status ReadProblemYaml() {
    absl::StatusOr<YAML::Node> y = LoadYaml(dir_, "problem.yaml");
    if (!y.ok()) return y.status();
    yaml_ = *y;
    if (absl::Status s = OnlyKeys(yaml_, "problem.yaml",
                                  {"problem_format_version",
                                   "type",
                                   "name",
                                   "uuid",
                                   "version",
                                   "author",
                                   "credits",
                                   "source",
                                   "source_url",
                                   "license",
                                   "rights_owner",
                                   "embargo_until",
                                   "limits",
                                   "validation",
                                   "validator_flags",
                                   "keywords",
                                   "languages",
                                   "grading",
                                   "constants",
                                   "allow_file_writing"});
        !s.ok()) {
      return s;
    }
    modern_ = yaml_["problem_format_version"].IsDefined();
    // name: text, or one per language (English first).
    const YAML::Node name = yaml_["name"];
    std::string title = id_;
    if (name.IsScalar()) {
      title = name.as<std::string>();
    } else if (name.IsMap() && name.size() > 0) {
      title = name["en"].IsDefined() ? name["en"].as<std::string>()
                                     : name.begin()->second.as<std::string>();
    }
    m_.set_title(title.substr(0, 200));
    m_.set_summary(absl::StrCat("Imported problem package ", id_));
    // type: pass-fail, scoring, interactive, multi-pass (submit-answer is not run yet).
    std::vector<std::string> types;
    if (yaml_["type"].IsSequence()) {
      for (const auto& t : yaml_["type"]) types.push_back(t.as<std::string>());
    } else if (yaml_["type"].IsDefined()) {
      types = Words(yaml_["type"].as<std::string>());
    }
    for (const std::string& t : types) {
      if (t == "pass-fail") continue;
      if (t == "interactive") {
        interactive_ = true;
        continue;
      }
      if (t == "scoring") {
        scoring_ = true;
        continue;
      }
      if (t == "multi-pass") {
        multipass_ = true;
        continue;
      }
      if (t == "submit-answer") {
        return absl::UnimplementedError(
            absl::StrCat("problem.yaml: type: ", t,
                         " problems are not judged by this judge yet (pass-fail, scoring and "
                         "interactive are)"));
      }
      return Bad("problem.yaml: type", absl::StrCat("unknown type \"", t.substr(0, 40), "\""));
    }
    if (yaml_["validation"].IsDefined()) {
      absl::StatusOr<std::string> v = Text(yaml_["validation"], "problem.yaml: validation");
      if (!v.ok()) return v.status();
      std::vector<std::string> words = Words(*v);
      if (words.empty() || (words[0] != "default" && words[0] != "custom")) {
        return Bad("problem.yaml: validation", "must be default or custom [interactive|score]");
      }
      custom_ = words[0] == "custom";
      for (size_t i = 1; i < words.size(); ++i) {
        if (words[i] == "interactive" && custom_) {
          interactive_ = true;
          continue;
        }
        if (words[i] == "score" && custom_) {
          continue;  // the validator writes score.txt; the grader reads it for any problem
        }
        if (words[i] == "multi-pass" && custom_) {
          multipass_ = true;
          continue;
        }
        if (words[i] == "multi-pass") {
          return absl::UnimplementedError(
              absl::StrCat("problem.yaml: validation: custom ", words[i],
                           " is not judged by this judge yet (default, custom, custom "
                           "interactive and custom score are)"));
        }
        return Bad("problem.yaml: validation", absl::StrCat("unknown word \"", words[i], "\""));
      }
    }
    if (yaml_["validator_flags"].IsDefined()) {
      absl::StatusOr<std::string> f =
          Text(yaml_["validator_flags"], "problem.yaml: validator_flags");
      if (!f.ok()) return f.status();
      flags_ = Words(*f);
      if (absl::Status s = CheckDefaultFlags(flags_, "problem.yaml: validator_flags"); !s.ok()) {
        return s;
      }
    }
    // In the 2023-07 draft there is no `validation` key: the folder is the custom validator.
    if (modern_ && !yaml_["validation"].IsDefined() &&
        (IsDir(dir_ + "/output_validator") || IsDir(dir_ + "/output_validators"))) {
      custom_ = true;
    }
    if (yaml_["languages"].IsDefined()) {
      out_.warnings.push_back(
          "problem.yaml: languages is not applied: every language of the judge is offered");
    }
    return ReadLimits();
  }

  absl::Status ReadLimits() {
    // Defaults: the format's (memory 2048 MiB in 2023-07, 1024 MiB before; output 8 MiB).
    judge::v1::Limits* lim = m_.mutable_limits();
    lim->set_memory_kib((modern_ ? 2048 : 1024) << 10);
    lim->set_output_kib(8 << 10);
    lim->set_cpu_time_ms(1000);  // until the time limit is known
    out_.ac_to_time_limit = modern_ ? 2.0 : 5.0;
    const YAML::Node l = yaml_["limits"];
    if (!l.IsDefined() || l.IsNull()) return absl::OkStatus();
    if (!l.IsMap()) return Bad("problem.yaml: limits", "must be a mapping");
    if (absl::Status s = OnlyKeys(l, "problem.yaml: limits",
                                  {"time_multiplier", "time_safety_margin", "time_multipliers",
                                   "time_limit", "time_resolution", "memory", "output", "code",
                                   "compilation_time", "compilation_memory", "validation_time",
                                   "validation_memory", "validation_output", "validation_passes"});
        !s.ok()) {
      return s;
    }
    if (l["memory"].IsDefined()) {
      absl::StatusOr<double> mib = Number(l["memory"], "problem.yaml: limits.memory", 1, 8192);
      if (!mib.ok()) return mib.status();
      lim->set_memory_kib(static_cast<uint64_t>(*mib * 1024));
    }
    if (l["output"].IsDefined()) {
      absl::StatusOr<double> mib = Number(l["output"], "problem.yaml: limits.output", 1, 1024);
      if (!mib.ok()) return mib.status();
      lim->set_output_kib(static_cast<uint64_t>(*mib * 1024));
    }
    if (l["time_multiplier"].IsDefined()) {
      absl::StatusOr<double> m =
          Number(l["time_multiplier"], "problem.yaml: limits.time_multiplier", 1, 100);
      if (!m.ok()) return m.status();
      out_.ac_to_time_limit = *m;
    }
    if (l["time_multipliers"].IsDefined()) {
      const YAML::Node tm = l["time_multipliers"];
      if (absl::Status s = OnlyKeys(tm, "problem.yaml: limits.time_multipliers",
                                    {"ac_to_time_limit", "time_limit_to_tle"});
          !s.ok()) {
        return s;
      }
      if (tm["ac_to_time_limit"].IsDefined()) {
        absl::StatusOr<double> m =
            Number(tm["ac_to_time_limit"], "problem.yaml: limits.time_multipliers.ac_to_time_limit",
                   1, 100);
        if (!m.ok()) return m.status();
        out_.ac_to_time_limit = *m;
      }
    }
    if (l["time_limit"].IsDefined()) {
      absl::StatusOr<double> s =
          Number(l["time_limit"], "problem.yaml: limits.time_limit", 0.01, 60);
      if (!s.ok()) return s.status();
      out_.time_limit_ms = static_cast<uint32_t>(std::ceil(*s * 1000));
      out_.time_limit_source = "limits.time_limit in problem.yaml";
    }
    if (l["validation_passes"].IsDefined()) {
      absl::StatusOr<double> p =
          Number(l["validation_passes"], "problem.yaml: limits.validation_passes", 2, 20);
      if (!p.ok()) return p.status();
      passes_ = static_cast<uint32_t>(*p);
    }
    if (l["code"].IsDefined()) {
      out_.warnings.push_back(
          "problem.yaml: limits.code is not applied: the judge's own source limit is");
    }
    return absl::OkStatus();
  }

  absl::Status ReadTimeLimit() {
    if (IsFile(dir_ + "/.timelimit")) {
      absl::StatusOr<std::string> text = ReadTextFile(dir_ + "/.timelimit", 4096);
      if (!text.ok()) return Bad(".timelimit", std::string(text.status().message()));
      std::string t(absl::StripAsciiWhitespace(*text));
      char* end = nullptr;
      double s = std::strtod(t.c_str(), &end);
      if (t.empty() || end != t.c_str() + t.size() || !(s > 0 && s <= 60)) {
        return Bad(".timelimit", "must hold one number of seconds, more than 0 and at most 60");
      }
      out_.time_limit_ms = static_cast<uint32_t>(std::ceil(s * 1000));
      out_.time_limit_source = ".timelimit";
    }
    // DOMjudge's packages state it in domjudge-problem.ini (timelimit = 2).
    if (out_.time_limit_ms == 0 && IsFile(dir_ + "/domjudge-problem.ini")) {
      absl::StatusOr<std::string> ini = ReadTextFile(dir_ + "/domjudge-problem.ini", 64 << 10);
      if (!ini.ok()) return Bad("domjudge-problem.ini", std::string(ini.status().message()));
      for (absl::string_view line : absl::StrSplit(*ini, '\n')) {
        std::vector<std::string> kv = absl::StrSplit(line, absl::MaxSplits('=', 1));
        if (kv.size() != 2 || absl::StripAsciiWhitespace(kv[0]) != "timelimit") continue;
        std::string v(absl::StripAsciiWhitespace(kv[1]));
        if (v.size() >= 2 && (v[0] == '\'' || v[0] == '"')) v = v.substr(1, v.size() - 2);
        char* end = nullptr;
        const double s = std::strtod(v.c_str(), &end);
        if (v.empty() || end != v.c_str() + v.size() || !(s > 0 && s <= 60)) {
          return Bad("domjudge-problem.ini", "timelimit must be a number of seconds in (0, 60]");
        }
        out_.time_limit_ms = static_cast<uint32_t>(std::ceil(s * 1000));
        out_.time_limit_source = "timelimit in domjudge-problem.ini";
      }
    }
    if (out_.time_limit_ms) m_.mutable_limits()->set_cpu_time_ms(out_.time_limit_ms);
    return absl::OkStatus();
  }

  // The default validator's flags are checked here, where the author wrote them (a custom
  // validator's are its own business).
  absl::Status CheckDefaultFlags(const std::vector<std::string>& flags, const std::string& where) {
    if (custom_) return absl::OkStatus();
    google::protobuf::RepeatedPtrField<std::string> field(flags.begin(), flags.end());
    absl::StatusOr<judge::v1::Checker> c = WithValidatorFlags(judge::v1::Checker(), field);
    if (!c.ok()) return Bad(where, std::string(c.status().message()));
    return absl::OkStatus();
  }

  // testdata.yaml of a folder, over what it inherits.
  struct Settings {
    std::vector<std::string> output_validator_flags;
    bool on_reject_continue = false;
    // Scoring problems (the legacy format's keys).
    std::vector<std::string> grader_flags;
    double accept_score = 1, reject_score = 0;
    bool has_range = false;
    double range_low = 0, range_high = 0;
  };

  absl::StatusOr<double> ScoreValue(const YAML::Node& node, const std::string& where) {
    absl::StatusOr<std::string> t = Text(node, where);
    if (!t.ok()) return t.status();
    char* end = nullptr;
    const double v = std::strtod(t->c_str(), &end);
    if (t->empty() || end != t->c_str() + t->size()) return Bad(where, "must be a number");
    return v;
  }

  // The grading node of a folder (relative to data/) with its settings.
  void AddGradingNode(const std::string& rel, const Settings& s) {
    if (!scoring_) return;
    judge::v1::GradingNode* n = m_.add_grading();
    n->set_path(rel == "data" ? "" : rel.substr(5));
    for (const std::string& f : s.grader_flags) n->add_flags(f);
    n->set_accept_score(s.accept_score);
    n->set_reject_score(s.reject_score);
    n->set_has_range(s.has_range);
    n->set_range_low(s.range_low);
    n->set_range_high(s.range_high);
    n->set_continue_on_reject(s.on_reject_continue);
  }

  absl::StatusOr<Settings> Apply(const std::string& rel, Settings s) {
    const std::string file = rel + "/testdata.yaml";
    if (!IsFile(dir_ + "/" + file)) return s;
    absl::StatusOr<YAML::Node> y = LoadYaml(dir_, file);
    if (!y.ok()) return y.status();
    if (absl::Status st = OnlyKeys(*y, file,
                                   {"on_reject", "grading", "grader_flags", "input_validator_flags",
                                    "output_validator_flags", "accept_score", "reject_score",
                                    "range", "scoring", "static_validation", "full_feedback",
                                    "max_score", "input_validator_args", "output_validator_args"});
        !st.ok()) {
      return st;
    }
    for (const char* key : {"output_validator_flags", "output_validator_args"}) {
      if ((*y)[key].IsDefined()) {
        const YAML::Node value = (*y)[key];
        // Text (legacy), or a list of arguments (2023-07).
        std::string joined;
        if (value.IsSequence()) {
          for (const auto& arg : value) {
            absl::StatusOr<std::string> a = Text(arg, absl::StrCat(file, ": ", key));
            if (!a.ok()) return a.status();
            absl::StrAppend(&joined, joined.empty() ? "" : " ", *a);
          }
        } else {
          absl::StatusOr<std::string> f = Text(value, absl::StrCat(file, ": ", key));
          if (!f.ok()) return f.status();
          joined = *f;
        }
        s.output_validator_flags = Words(joined);
        if (absl::Status st = CheckDefaultFlags(s.output_validator_flags, file + ": " + key);
            !st.ok()) {
          return st;
        }
      }
    }
    if ((*y)["on_reject"].IsDefined()) {
      absl::StatusOr<std::string> v = Text((*y)["on_reject"], file + ": on_reject");
      if (!v.ok()) return v.status();
      if (*v != "break" && *v != "continue") return Bad(file + ": on_reject", "break or continue");
      s.on_reject_continue = *v == "continue";
    }
    if (!scoring_) {
      for (const char* key : {"grading", "grader_flags", "accept_score", "reject_score", "range",
                              "scoring", "max_score"}) {
        if ((*y)[key].IsDefined()) {
          out_.warnings.push_back(absl::StrCat(
              file, ": ", key, " is for scoring problems; a pass-fail problem ignores it"));
        }
      }
      return s;
    }
    for (const char* key : {"scoring", "max_score"}) {
      if ((*y)[key].IsDefined()) {
        return absl::UnimplementedError(absl::StrCat(
            file, ": ", key,
            " (the 2023-07 draft's scoring) is not judged by this judge yet; the legacy "
            "grading keys are (grader_flags, accept_score, reject_score, range, on_reject)"));
      }
    }
    if ((*y)["grading"].IsDefined()) {
      absl::StatusOr<std::string> g = Text((*y)["grading"], file + ": grading");
      if (!g.ok()) return g.status();
      if (*g != "default") {
        return absl::UnimplementedError(
            absl::StrCat(file, ": grading: ", g->substr(0, 30),
                         ": custom graders are not run by this judge yet (default is)"));
      }
    }
    if ((*y)["grader_flags"].IsDefined()) {
      absl::StatusOr<std::string> f = Text((*y)["grader_flags"], file + ": grader_flags");
      if (!f.ok()) return f.status();
      static const std::set<std::string> kFlags = {
          "first_error", "worst_error", "always_accept", "accept_if_any_accepted", "sum",
          "avg",         "min",         "max",           "ignore_sample"};
      s.grader_flags = Words(*f);
      for (const std::string& flag : s.grader_flags) {
        if (!kFlags.count(flag)) {
          return Bad(file + ": grader_flags",
                     absl::StrCat("unknown flag \"", flag.substr(0, 30),
                                  "\" (known: ", absl::StrJoin(kFlags, ", "), ")"));
        }
      }
    }
    for (const auto& [key, field] :
         {std::pair<const char*, double*>{"accept_score", &s.accept_score},
          {"reject_score", &s.reject_score}}) {
      if ((*y)[key].IsDefined()) {
        absl::StatusOr<double> v = ScoreValue((*y)[key], absl::StrCat(file, ": ", key));
        if (!v.ok()) return v.status();
        *field = *v;
      }
    }
    if ((*y)["range"].IsDefined()) {
      absl::StatusOr<std::string> r = Text((*y)["range"], file + ": range");
      if (!r.ok()) return r.status();
      std::vector<std::string> ends = Words(*r);
      char* e1 = nullptr;
      char* e2 = nullptr;
      if (ends.size() != 2) return Bad(file + ": range", "must be two numbers, low and high");
      const double low = std::strtod(ends[0].c_str(), &e1);
      const double high = std::strtod(ends[1].c_str(), &e2);
      if (*e1 != '\0' || *e2 != '\0' || low > high) {
        return Bad(file + ": range", "must be two numbers, low and high");
      }
      s.has_range = true;
      s.range_low = low;
      s.range_high = high;
    }
    return s;
  }

  // One folder of data/: its own tests make a group; its subfolders follow, in name order.
  absl::Status ReadDataDir(const std::string& rel, Settings inherited, bool sample) {
    absl::StatusOr<Settings> settings = Apply(rel, inherited);
    if (!settings.ok()) return settings.status();
    if (settings->on_reject_continue) continue_ = true;
    AddGradingNode(rel, *settings);
    absl::StatusOr<std::vector<Entry>> entries = List(dir_, rel);
    if (!entries.ok()) return entries.status();
    std::set<std::string> files;
    for (const Entry& e : *entries) {
      if (!e.dir) files.insert(e.name);
    }
    judge::v1::TestGroup group;
    group.set_name(rel.substr(5));  // without "data/"
    group.set_points(sample ? 0 : 1);
    for (const std::string& f : settings->output_validator_flags) group.add_validator_flags(f);
    for (const std::string& f : files) {
      if (absl::EndsWith(f, ".ans") && !files.count(f.substr(0, f.size() - 4) + ".in")) {
        // An answer with no input is allowed only for an interactive sample's transcript.
        return Bad(Join(rel, f),
                   absl::StrCat("has no ", Join(rel, f.substr(0, f.size() - 4)), ".in beside it"));
      }
      if (!absl::EndsWith(f, ".in")) continue;
      const std::string base = f.substr(0, f.size() - 3);
      if (!files.count(base + ".ans") && interactive_) {
        // An interactive test's answer is the validator's to use; none is an empty one.
        if (absl::Status s = WriteFile(Join(rel, base + ".ans"), ""); !s.ok()) return s;
        files.insert(base + ".ans");
      }
      if (!files.count(base + ".ans")) {
        return Bad(Join(rel, f), absl::StrCat("has no ", Join(rel, base), ".ans beside it"));
      }
      judge::v1::Test* t = group.add_tests();
      t->set_name(Join(rel.substr(5), base));
      t->set_input(Join(rel, f));
      t->set_answer(Join(rel, base + ".ans"));
      t->set_sample(sample);
    }
    if (group.tests_size() > 0) {
      tests_ += group.tests_size();
      *m_.add_groups() = std::move(group);
    }
    for (const Entry& e : *entries) {
      if (e.dir) {
        if (absl::Status s = ReadDataDir(Join(rel, e.name), *settings, sample); !s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  absl::Status ReadData() {
    if (!IsDir(dir_ + "/data")) return Bad("data", "missing: a package keeps its tests in data/");
    if (!IsDir(dir_ + "/data/secret")) {
      return Bad("data/secret", "missing: a package needs its secret tests");
    }
    absl::StatusOr<Settings> top = Apply("data", Settings{});
    if (!top.ok()) return top.status();
    if (top->on_reject_continue) continue_ = true;
    AddGradingNode("data", *top);
    if (IsDir(dir_ + "/data/sample")) {
      if (absl::Status s = ReadDataDir("data/sample", *top, true); !s.ok()) return s;
    }
    const int before = m_.groups_size();
    if (absl::Status s = ReadDataDir("data/secret", *top, false); !s.ok()) return s;
    if (m_.groups_size() == before) {
      return Bad("data/secret", "holds no test (a test is a NAME.in with its NAME.ans)");
    }
    // A scoring problem runs every test: its folders decide what counts (on_reject per folder).
    m_.set_stop_on_first_failure(!continue_ && !scoring_);
    m_.set_scoring(scoring_);
    return absl::OkStatus();
  }

  absl::Status ReadValidator() {
    // Legacy output_validators/ holds one validator (a folder or a file); 2023-07 has
    // output_validator/ (the folder is the validator).
    std::string rel;
    if (IsDir(dir_ + "/output_validator")) {
      rel = "output_validator";
    } else if (IsDir(dir_ + "/output_validators")) {
      absl::StatusOr<std::vector<Entry>> entries = List(dir_, "output_validators");
      if (!entries.ok()) return entries.status();
      if (entries->size() > 1) {
        return Bad("output_validators", "holds more than one validator (one folder or file)");
      }
      if (entries->size() == 1) rel = Join("output_validators", (*entries)[0].name);
    }
    judge::v1::Checker* c = m_.mutable_checker();
    if (interactive_ && multipass_) {
      return absl::UnimplementedError(
          "problem.yaml: type: interactive and multi-pass together are not judged by this judge "
          "yet (each alone is)");
    }
    if (interactive_) {
      custom_ = true;  // an interactive problem's validator is what it talks to
      m_.set_interactive(true);
    }
    if (multipass_) {
      custom_ = true;  // the validator writes each next pass's input
      m_.set_passes(passes_);
    }
    if (rel.empty()) {
      if (interactive_) {
        return Bad("problem.yaml: validation",
                   "an interactive problem needs its validator in output_validators/ (or "
                   "output_validator/)");
      }
      if (custom_) {
        return Bad("problem.yaml: validation",
                   "custom, but the package has no output_validators/ (or output_validator/)");
      }
      c->set_kind(judge::v1::CHECKER_KIND_DEFAULT_VALIDATOR);
      for (const std::string& f : flags_) c->add_flags(f);
      return absl::OkStatus();
    }
    if (!custom_) {
      out_.warnings.push_back(absl::StrCat(
          rel, " is not used: problem.yaml's validation is default (set it to custom)"));
      c->set_kind(judge::v1::CHECKER_KIND_DEFAULT_VALIDATOR);
      for (const std::string& f : flags_) c->add_flags(f);
      return absl::OkStatus();
    }
    c->set_kind(judge::v1::CHECKER_KIND_OUTPUT_VALIDATOR);
    for (const std::string& f : flags_) c->add_flags(f);
    std::vector<std::string> files;
    if (IsFile(dir_ + "/" + rel)) {
      files.push_back(rel);
    } else {
      absl::StatusOr<std::vector<Entry>> entries = List(dir_, rel);
      if (!entries.ok()) return entries.status();
      for (const Entry& e : *entries) {
        if (e.dir) return Bad(Join(rel, e.name), "a validator's files sit in one folder");
        files.push_back(Join(rel, e.name));
      }
    }
    // The main file: a source that defines main (C, C++), else the one source of its language.
    std::string main, language;
    std::vector<std::string> sources;
    for (const std::string& f : files) {
      const std::string lang = LanguageOfFile(f);
      if (lang.empty()) continue;
      if (!language.empty() && lang != language) {
        return Bad(rel, absl::StrCat("mixes ", language, " and ", lang, " sources"));
      }
      language = lang;
      sources.push_back(f);
    }
    if (sources.empty()) {
      return Bad(rel, "holds no source the judge compiles (.cpp, .cc, .c, .py, .java, ...)");
    }
    if (sources.size() == 1) {
      main = sources[0];
    } else {
      for (const std::string& f : sources) {
        absl::StatusOr<std::string> text = ReadTextFile(dir_ + "/" + f, 4 << 20);
        if (text.ok() && DefinesMain(*text)) {
          if (!main.empty()) return Bad(rel, absl::StrCat("both ", main, " and ", f, " have main"));
          main = f;
        }
      }
      if (main.empty()) return Bad(rel, "no source defines main");
    }
    c->set_language(language);
    c->set_program(main);
    for (const std::string& f : files) {
      if (f != main) c->add_files(f);
    }
    return absl::OkStatus();
  }

  absl::Status ReadStatement() {
    std::string statement;
    for (const char* folder : {"statement", "problem_statement"}) {
      const std::string rel = folder;
      if (!IsDir(dir_ + "/" + rel)) continue;
      absl::StatusOr<std::vector<Entry>> entries = List(dir_, rel);
      if (!entries.ok()) return entries.status();
      std::string md, tex;
      for (const Entry& e : *entries) {
        if (e.dir || !absl::StartsWith(e.name, "problem")) continue;
        const bool english = e.name == "problem.en.md" || e.name == "problem.md" ||
                             e.name == "problem.en.tex" || e.name == "problem.tex";
        if (absl::EndsWith(e.name, ".md") && (md.empty() || english)) md = Join(rel, e.name);
        if (absl::EndsWith(e.name, ".tex") && (tex.empty() || english)) tex = Join(rel, e.name);
      }
      if (!md.empty()) {
        absl::StatusOr<std::string> text = ReadTextFile(dir_ + "/" + md, 1 << 20);
        if (!text.ok()) return Bad(md, std::string(text.status().message()));
        statement = *text;
        if (!absl::StartsWith(absl::StripLeadingAsciiWhitespace(statement), "#")) {
          statement = absl::StrCat("# ", m_.title(), "\n\n", statement);
        }
        break;
      }
      if (!tex.empty()) {
        absl::StatusOr<std::string> text = ReadTextFile(dir_ + "/" + tex, 1 << 20);
        if (!text.ok()) return Bad(tex, std::string(text.status().message()));
        statement = absl::StrCat("# ", m_.title(),
                                 "\n\n*This statement is LaTeX; the judge shows its source "
                                 "(no converter is installed).*\n\n```latex\n",
                                 *text, "\n```\n");
        out_.warnings.push_back(absl::StrCat(tex, ": LaTeX is shown as its source"));
        break;
      }
    }
    if (statement.empty()) {
      statement = absl::StrCat("# ", m_.title(), "\n\n(The package has no statement.)\n");
      out_.warnings.push_back("no statement (problem_statement/problem.en.md or .tex)");
    }
    statement_ = std::move(statement);
    return absl::OkStatus();
  }

  absl::Status ReadSubmissions() {
    if (!IsDir(dir_ + "/submissions")) return absl::OkStatus();
    absl::StatusOr<std::vector<Entry>> folders = List(dir_, "submissions");
    if (!folders.ok()) return folders.status();
    for (const Entry& folder : *folders) {
      const std::string rel = Join("submissions", folder.name);
      if (!folder.dir) continue;
      auto verdicts = FolderVerdicts().find(folder.name);
      if (verdicts == FolderVerdicts().end()) {
        out_.warnings.push_back(absl::StrCat(rel, ": not a verdict's folder, not verified"));
        continue;
      }
      absl::StatusOr<std::vector<Entry>> entries = List(dir_, rel);
      if (!entries.ok()) return entries.status();
      for (const Entry& e : *entries) {
        const std::string path = Join(rel, e.name);
        PackageSubmission sub;
        sub.path = path;
        if (e.dir) {
          // Several files: their one language, the entry as the source, the others beside it.
          absl::Status several = ReadSeveral(path, &sub);
          if (!several.ok()) {
            out_.warnings.push_back(absl::StrCat(path, "/: not verified: ", several.message()));
            continue;
          }
        } else {
          sub.language = LanguageOfFile(e.name);
          if (sub.language.empty()) {
            out_.warnings.push_back(
                absl::StrCat(path, ": no language of the judge's, not verified"));
            continue;
          }
          absl::StatusOr<std::string> text = ReadTextFile(dir_ + "/" + path, 1 << 20);
          if (!text.ok()) return Bad(path, std::string(text.status().message()));
          sub.source = *std::move(text);
        }
        if (std::optional<std::string> score = TagLine(sub.source, "@EXPECTED_SCORE@")) {
          char* end = nullptr;
          const double v = std::strtod(score->c_str(), &end);
          if (score->empty() || end == score->c_str()) {
            return Bad(path, "@EXPECTED_SCORE@: not a number");
          }
          sub.expected_score = v;
        }
        if (std::optional<std::string> tag = TagLine(sub.source, "@EXPECTED_RESULTS@")) {
          for (absl::string_view name : absl::StrSplit(*tag, ',', absl::SkipWhitespace())) {
            Verdict v;
            if (!TagVerdict(std::string(name), &v)) {
              return Bad(path, absl::StrCat("@EXPECTED_RESULTS@: unknown verdict \"",
                                            std::string(name).substr(0, 30), "\""));
            }
            sub.expected.push_back(v);
          }
        }
        if (sub.expected.empty()) sub.expected = verdicts->second;
        out_.submissions.push_back(std::move(sub));
      }
    }
    return absl::OkStatus();
  }

  absl::Status ReadSeveral(const std::string& path, PackageSubmission* sub) {
    absl::StatusOr<std::vector<Entry>> entries = List(dir_, path);
    if (!entries.ok()) return entries.status();
    SourceFiles files;
    for (const Entry& f : *entries) {
      if (f.dir) return absl::InvalidArgumentError("a folder inside it");
      const std::string lang = LanguageOfFile(f.name);
      if (!lang.empty() && !sub->language.empty() && lang != sub->language) {
        return absl::InvalidArgumentError(
            absl::StrCat("mixes ", sub->language, " and ", lang, " files"));
      }
      if (!lang.empty()) sub->language = lang;
      absl::StatusOr<std::string> text = ReadTextFile(dir_ + "/" + path + "/" + f.name, 1 << 20);
      if (!text.ok()) return text.status();
      judge::v1::SourceFile* file = files.Add();
      file->set_name(f.name);
      file->set_content(*std::move(text));
    }
    if (sub->language.empty()) return absl::InvalidArgumentError("no language of the judge's");
    if (files.size() > 32) return absl::InvalidArgumentError("more than 32 files");
    absl::StatusOr<int> entry = ChooseMain(sub->language, files);
    if (!entry.ok()) return entry.status();
    sub->source = files[*entry].content();
    for (int i = 0; i < files.size(); ++i) {
      if (i != *entry) *sub->files.Add() = files[i];
    }
    return absl::OkStatus();
  }

  absl::Status WriteFile(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) return absl::InternalError(absl::StrCat("cannot write ", path));
    return absl::OkStatus();
  }

  absl::Status Write() {
    // Every language of the judge that reads stdin.
    for (const Language& l : Languages()) {
      if (l.input == TestInput::kStdin) m_.add_languages(l.id);
    }
    m_.set_show_hidden_test_names(false);
    std::string text;
    google::protobuf::TextFormat::PrintToString(m_, &text);
    text = absl::StrCat("# Converted from the problem package ", id_,
                        " at import; the package's own files are beside it.\n", text);
    if (absl::Status s = WriteFile("challenge.textproto", text); !s.ok()) return s;
    return WriteFile("statement.md", statement_);
  }

  std::string dir_, id_;
  judge::v1::Challenge m_;
  ConvertedPackage out_;
  YAML::Node yaml_;
  bool modern_ = false, custom_ = false, continue_ = false, interactive_ = false, scoring_ = false,
       multipass_ = false;
  uint32_t passes_ = 2;  // limits.validation_passes
  std::vector<std::string> flags_;
  std::string statement_;
  int tests_ = 0;
};

}  // namespace

std::string LanguageOfFile(const std::string& name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return "";
  const std::string ext = absl::AsciiStrToLower(name.substr(dot));
  if (ext == ".c++" || ext == ".cp" || ext == ".hpp") return ext == ".hpp" ? "" : "cpp";
  for (const Language& l : Languages()) {
    if (l.input != TestInput::kStdin) continue;
    for (const std::string& e : l.extensions) {
      if (e == ext) return l.id;
    }
  }
  return "";
}

absl::StatusOr<ConvertedPackage> ConvertPackage(const std::string& dir, const std::string& id) {
  // yaml-cpp throws on a value of an unexpected shape (a list where text was expected, ...):
  // that is the package's fault, said as such, never the judge's end.
  try {
    return Converter(dir, id).Run();
  } catch (const YAML::Exception& e) {
    return Bad(YamlWhere("problem.yaml or testdata.yaml", e.mark),
               absl::StrCat("a value of an unexpected shape (", e.msg, ")"));
  } catch (const std::exception& e) {
    return Bad("package", e.what());
  }
}

absl::Status EditManifest(const std::string& dir,
                          const std::function<void(judge::v1::Challenge*)>& edit) {
  const std::string path = dir + "/challenge.textproto";
  absl::StatusOr<std::string> text = ReadTextFile(path, 1 << 20);
  if (!text.ok()) return text.status();
  judge::v1::Challenge m;
  if (!google::protobuf::TextFormat::ParseFromString(*text, &m)) {
    return absl::InternalError(absl::StrCat(path, ": does not parse"));
  }
  edit(&m);
  std::string out;
  google::protobuf::TextFormat::PrintToString(m, &out);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << "# Imported; see the package's own files beside it.\n" << out;
  f.close();
  if (!f) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace judge
