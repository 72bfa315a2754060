// judgectl: the judge's command-line client.
//   judgectl [--server HOST:PORT] [--token T] [--json] [--verbose] COMMAND ...  (global options
//   may also follow the command)
//   challenges | show ID | submit --challenge ID --language LANG [--candidate C] [--wait] FILE
//   watch ID | get ID | list [--candidate C] [--challenge ID] | live --challenge ID --language LANG
//   FILE similar --challenge ID [--candidate C] [--min-score S]
// --server and --token default to $JUDGE_SERVER and $JUDGE_TOKEN. Exit status: 0 when the command
// worked; 1 when --wait, watch or live ends with a verdict other than ACCEPTED; 2 on a usage,
// connection or server error (one line on stderr).
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpc/support/log.h"
#include "grpcpp/grpcpp.h"
#include "judge/core/archive.h"
#include "judge/v1/judge.grpc.pb.h"

namespace {

namespace pb = judge::v1;

struct Global {
  std::string server;
  std::string token;
  bool json = false;
  bool tls = false;
  bool verbose = false;
  std::string ca_file;
};

std::string Short(pb::Verdict v) {
  std::string name = pb::Verdict_Name(v);
  return name.size() > 8 ? name.substr(8) : name;  // drop VERDICT_
}
std::string Short(pb::SubmissionState s) {
  std::string name = pb::SubmissionState_Name(s);
  return name.size() > 17 ? name.substr(17) : name;  // drop SUBMISSION_STATE_
}

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = false;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  return out;
}

int RpcFail(const grpc::Status& s) {
  // gRPC's codes are absl's, number for number.
  std::cerr << "judgectl: "
            << absl::StatusCodeToString(static_cast<absl::StatusCode>(s.error_code())) << ": "
            << s.error_message() << "\n";
  return 2;
}

int UsageFail(const std::string& message) {
  std::cerr << "judgectl: " << message << "\n";
  return 2;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

class Client {
 public:
  explicit Client(const Global& g) : g_(g) {
    std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
    if (g.tls) {
      grpc::SslCredentialsOptions ssl;
      if (!g.ca_file.empty()) ReadFile(g.ca_file, &ssl.pem_root_certs);
      creds = grpc::SslCredentials(ssl);
    }
    stub_ = pb::JudgeService::NewStub(grpc::CreateChannel(g.server, creds));
  }
  void Prepare(grpc::ClientContext* ctx, int timeout_s = 30) const {
    if (!g_.token.empty()) ctx->AddMetadata("authorization", "Bearer " + g_.token);
    if (timeout_s > 0) {
      ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_s));
    }
  }
  pb::JudgeService::Stub* stub() { return stub_.get(); }

 private:
  const Global& g_;
  std::unique_ptr<pb::JudgeService::Stub> stub_;
};

// A failed hidden test's heads, for interviewers (the server sends them to no candidate).
void PrintDetail(const pb::TestResult& t) {
  if (!t.has_detail()) return;
  auto block = [](const char* what, const std::string& text) {
    std::printf("       %s:\n", what);
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::printf("         | %s\n", text.substr(start, end - start).c_str());
      start = end + 1;
    }
  };
  block("input", t.detail().input());
  block("expected", t.detail().expected());
  block("got", t.detail().output());
}

void PrintSubmission(const pb::Submission& s) {
  std::printf("submission %s\n  candidate %s, challenge %s, language %s, mode %s\n", s.id().c_str(),
              s.candidate_id().empty() ? "-" : s.candidate_id().c_str(), s.challenge_id().c_str(),
              s.language().c_str(),
              s.mode() == pb::SUBMISSION_MODE_LIVE       ? "live"
              : s.mode() == pb::SUBMISSION_MODE_PRACTICE ? "practice run (samples)"
                                                         : "take-home");
  std::printf("  state %s", Short(s.state()).c_str());
  if (s.state() == pb::SUBMISSION_STATE_FINISHED && s.use_custom_stdin()) {
    // Nothing was checked on custom input: say how the run ended, not a verdict or a score.
    const pb::TestResult* run = s.tests_size() > 0 ? &s.tests(0) : nullptr;
    if (s.verdict() == pb::VERDICT_ACCEPTED) {
      std::printf(", ran on custom input: exited normally");
    } else {
      std::printf(", ran on custom input: %s", Short(s.verdict()).c_str());
    }
    if (run != nullptr) {
      std::printf(" in %u ms cpu, %u ms wall, %lu KiB", run->cpu_ms(), run->wall_ms(),
                  static_cast<unsigned long>(run->memory_kib()));
    }
  } else if (s.state() == pb::SUBMISSION_STATE_FINISHED) {
    std::printf(", verdict %s, score %u/%u", Short(s.verdict()).c_str(), s.score(), s.max_score());
  }
  std::printf("\n");
  if (!s.message().empty()) std::printf("  %s\n", s.message().c_str());
  if (!s.compile_output().empty())
    std::printf("compiler output:\n%s\n", s.compile_output().c_str());
  for (const pb::TestResult& t : s.tests()) {
    if (s.use_custom_stdin()) break;  // its one run is in the line above
    std::printf("  [%2u] %-32s %-22s %6u ms %8lu KiB %s\n", t.index(), t.name().c_str(),
                Short(t.verdict()).c_str(), t.cpu_ms(), static_cast<unsigned long>(t.memory_kib()),
                t.message().c_str());
    if (!t.trap().empty()) std::printf("       trap: %s\n", t.trap().c_str());
    PrintDetail(t);
  }
  if (s.use_custom_stdin()) {
    std::printf("stdout:\n%s", s.custom_stdout().c_str());
    if (!s.custom_stderr().empty()) std::printf("stderr:\n%s", s.custom_stderr().c_str());
  }
}

// Reads a stream of events to the end, showing progress; returns the exit status.
std::atomic<bool> g_interrupted{false};  // Ctrl-C during `live`

int FollowStream(grpc::ClientReaderInterface<pb::SubmissionEvent>* reader, bool json) {
  pb::SubmissionEvent ev;
  pb::Submission final;
  bool finished = false;
  while (reader->Read(&ev)) {
    if (json) {
      std::printf("%s\n", Json(ev).c_str());
    } else if (ev.state() == pb::SUBMISSION_STATE_QUEUED) {
      std::fprintf(stderr, "queued %s\n", ev.submission_id().c_str());
    } else if (ev.state() == pb::SUBMISSION_STATE_COMPILING) {
      std::fprintf(stderr, "compiling...\n");
    } else if (ev.state() == pb::SUBMISSION_STATE_RUNNING && ev.has_test()) {
      std::fprintf(stderr, "test %u/%u %-32s %s %u ms\n", ev.test().index(), ev.tests_total(),
                   ev.test().name().c_str(), Short(ev.test().verdict()).c_str(),
                   ev.test().cpu_ms());
    }
    if (ev.state() == pb::SUBMISSION_STATE_FINISHED) {
      final = ev.submission();
      finished = true;
    }
  }
  grpc::Status s = reader->Finish();
  if (!s.ok() && g_interrupted) {
    std::fprintf(stderr, "judgectl: stopped; the run is cancelled on the server\n");
    return 130;
  }
  if (!s.ok()) return RpcFail(s);
  if (!finished) return UsageFail("the stream ended before a verdict");
  if (!json) PrintSubmission(final);
  return final.verdict() == pb::VERDICT_ACCEPTED ? 0 : 1;  // custom input: the run ended normally
}

// Every subcommand's arguments, as parsed.
struct Args {
  std::string id, challenge, language, candidate, file, request_id, stdin_file, dir, notes;
  bool wait = false, show_source = false, strict = false;
  uint32_t page_size = 20;
  std::string page_token;
  double min_score = 0;
};

int WatchCmd(Client& client, const Global& g, const Args& a);

// The source FILE and its language: --language, else the one whose extension FILE has (the
// server's language table says which: ListLanguages). A usage error when either cannot be had.
int ReadSource(Client& client, Args& a, std::string* source) {
  if (!ReadFile(a.file, source)) return UsageFail("cannot read " + a.file + ": " + strerror(errno));
  if (!a.language.empty()) return 0;
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  pb::ListLanguagesResponse resp;
  grpc::Status s = client.stub()->ListLanguages(&ctx, pb::ListLanguagesRequest(), &resp);
  if (!s.ok()) return RpcFail(s);
  const size_t dot = a.file.rfind('.');
  const std::string ext = dot == std::string::npos || a.file.find('/', dot) != std::string::npos
                              ? ""
                              : a.file.substr(dot);
  std::string known;
  for (const pb::LanguageInfo& l : resp.languages()) {
    for (const std::string& e : l.extensions()) {
      if (e == ext) {
        a.language = l.id();
        return 0;
      }
      absl::StrAppend(&known, known.empty() ? "" : " ", e);
    }
  }
  return UsageFail("--language is required: " + a.file + "'s extension names no language (" +
                   known + " do)");
}

// judgectl submit --challenge ID [--language L] [--candidate C] [--request-id R] [--wait] FILE
// A folder's files (not its subfolders), for a submission of several files; its language from
// their extensions unless --language says.
int ReadFolder(Client& client, Args& a, pb::SubmitRequest* req) {
  DIR* d = opendir(a.file.c_str());
  if (d == nullptr) return UsageFail("cannot read " + a.file + ": " + strerror(errno));
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    struct stat st;
    if (name[0] == '.' || stat((a.file + "/" + name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      continue;
    }
    names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  if (names.empty()) return UsageFail(a.file + " holds no file");
  std::set<std::string> languages;
  std::map<std::string, std::string> by_extension;
  if (a.language.empty()) {
    grpc::ClientContext ctx;
    client.Prepare(&ctx);
    pb::ListLanguagesResponse resp;
    grpc::Status s = client.stub()->ListLanguages(&ctx, pb::ListLanguagesRequest(), &resp);
    if (!s.ok()) return RpcFail(s);
    for (const pb::LanguageInfo& l : resp.languages()) {
      for (const std::string& e : l.extensions()) by_extension[e] = l.id();
    }
  }
  for (const std::string& name : names) {
    pb::SourceFile* f = req->add_files();
    f->set_name(name);
    if (!ReadFile(a.file + "/" + name, f->mutable_content())) {
      return UsageFail("cannot read " + a.file + "/" + name + ": " + strerror(errno));
    }
    const size_t dot = name.rfind('.');
    if (dot != std::string::npos) {
      if (auto it = by_extension.find(name.substr(dot)); it != by_extension.end()) {
        languages.insert(it->second);
      }
    }
  }
  if (a.language.empty()) {
    if (languages.size() != 1) {
      return UsageFail(a.file +
                       (languages.empty() ? " holds no file of a known language"
                                          : " holds files of several languages") +
                       "; pass --language");
    }
    a.language = *languages.begin();
  }
  return 0;
}

int SubmitCmd(Client& client, const Global& g, Args a) {
  pb::SubmitRequest req;
  struct stat st;
  if (stat(a.file.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    // A folder: a submission of several files (the judge picks the entry).
    if (int rc = ReadFolder(client, a, &req); rc != 0) return rc;
  } else {
    std::string source;
    if (int rc = ReadSource(client, a, &source); rc != 0) return rc;
    req.set_source(source);
  }
  req.set_challenge_id(a.challenge);
  req.set_language(a.language);
  req.set_candidate_id(a.candidate);
  req.set_request_id(a.request_id);
  pb::Submission resp;
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  grpc::Status s = client.stub()->Submit(&ctx, req, &resp);
  if (!s.ok()) return RpcFail(s);
  if (!a.wait) {
    if (g.json) {
      std::printf("%s\n", Json(resp).c_str());
    } else {
      std::printf("%s\n", resp.id().c_str());
    }
    return 0;
  }
  a.id = resp.id();
  return WatchCmd(client, g, a);
}

// judgectl live --challenge ID [--language L] [--candidate C] [--stdin FILE] FILE
int LiveCmd(Client& client, const Global& g, Args a) {
  std::string source;
  if (int rc = ReadSource(client, a, &source); rc != 0) return rc;
  pb::RunLiveRequest req;
  req.set_challenge_id(a.challenge);
  req.set_language(a.language);
  req.set_source(source);
  req.set_candidate_id(a.candidate);
  if (!a.stdin_file.empty()) {
    std::string input;
    if (!ReadFile(a.stdin_file, &input)) {
      return UsageFail("cannot read " + a.stdin_file + ": " + strerror(errno));
    }
    req.set_use_custom_stdin(true);
    req.set_custom_stdin(input);
  }
  grpc::ClientContext ctx;
  client.Prepare(&ctx, 0);
  // Ctrl-C cancels the call, and the server stops the run (it would hold a worker for nobody).
  // SIGINT was blocked before gRPC started its threads (main): one thread waits for it.
  std::atomic<bool> done{false};
  std::thread on_interrupt([&] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    int sig = 0;
    sigwait(&set, &sig);
    if (sig == SIGINT && !done) {
      g_interrupted = true;
      ctx.TryCancel();
    }
  });
  auto reader = client.stub()->RunLive(&ctx, req);
  const int rc = FollowStream(reader.get(), g.json);
  done = true;
  pthread_kill(on_interrupt.native_handle(), SIGUSR1);
  on_interrupt.join();
  return rc;
}

// judgectl challenges
int ListChallengesCmd(Client& client, const Global& g, const Args& a) {
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  pb::ListChallengesResponse resp;
  grpc::Status s = client.stub()->ListChallenges(&ctx, pb::ListChallengesRequest(), &resp);
  if (!s.ok()) return RpcFail(s);
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
    return 0;
  }
  for (const auto& c : resp.challenges()) {
    std::string langs;
    for (const auto& l : c.languages()) langs += (langs.empty() ? "" : ",") + l;
    std::printf("%-20s %-50s %s\n", c.id().c_str(), c.title().c_str(), langs.c_str());
  }
  return 0;
}

// judgectl languages
int LanguagesCmd(Client& client, const Global& g, const Args&) {
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  pb::ListLanguagesResponse resp;
  grpc::Status s = client.stub()->ListLanguages(&ctx, pb::ListLanguagesRequest(), &resp);
  if (!s.ok()) return RpcFail(s);
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
    return 0;
  }
  for (const pb::LanguageInfo& l : resp.languages()) {
    std::string exts;
    for (const std::string& e : l.extensions()) absl::StrAppend(&exts, exts.empty() ? "" : " ", e);
    std::printf("%-12s %-16s %s\n", l.id().c_str(), exts.c_str(), l.display().c_str());
  }
  return 0;
}

// judgectl show ID
int ShowCmd(Client& client, const Global& g, const Args& a) {
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  pb::GetChallengeRequest req;
  req.set_challenge_id(a.id);
  pb::ChallengeDetail resp;
  grpc::Status s = client.stub()->GetChallenge(&ctx, req, &resp);
  if (!s.ok()) return RpcFail(s);
  if (!a.language.empty()) {
    for (const pb::LanguageLimits& l : resp.language_limits()) {
      if (l.language() != a.language) continue;
      if (l.stub().empty()) {
        return UsageFail(absl::StrCat(a.id,
                                      " is not a class-form challenge: write a whole program "
                                      "that reads stdin (judgectl show ",
                                      a.id, ")"));
      }
      std::printf("%s", l.stub().c_str());
      return 0;
    }
    return UsageFail(absl::StrCat(a.id, " does not take language \"", a.language, "\""));
  }
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
    return 0;
  }
  std::printf(
      "%s\n\nlimits: %u ms cpu, %lu KiB memory; %zu sample(s), %u hidden test(s), %u points\n",
      resp.statement().c_str(), resp.limits().cpu_time_ms(),
      static_cast<unsigned long>(resp.limits().memory_kib()),
      static_cast<size_t>(resp.samples_size()), resp.hidden_tests(), resp.max_score());
  for (const pb::LanguageLimits& l : resp.language_limits()) {
    if (l.stub().empty()) continue;
    std::printf("class form: in %s write %s (judgectl show %s --stub %s > %s)\n",
                l.language().c_str(), l.source_name().c_str(), a.id.c_str(), l.language().c_str(),
                l.source_name().c_str());
  }
  return 0;
}

// judgectl get ID [--source]
int GetCmd(Client& client, const Global& g, const Args& a) {
  pb::GetSubmissionRequest req;
  req.set_submission_id(a.id);
  pb::Submission resp;
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  grpc::Status s = client.stub()->GetSubmission(&ctx, req, &resp);
  if (!s.ok()) return RpcFail(s);
  if (g.json) {
    if (!a.show_source) resp.clear_source();
    std::printf("%s\n", Json(resp).c_str());
    return 0;
  }
  PrintSubmission(resp);
  if (a.show_source && resp.has_source_dropped_at()) {
    std::printf("source: dropped on %s (retention)\n",
                google::protobuf::util::TimeUtil::ToString(resp.source_dropped_at()).c_str());
  } else if (a.show_source) {
    std::printf("source:\n%s\n", resp.source().c_str());
  }
  return 0;
}

// judgectl list [--candidate C] [--challenge ID]
int ListCmd(Client& client, const Global& g, const Args& a) {
  pb::ListSubmissionsRequest req;
  req.set_candidate_id(a.candidate);
  req.set_challenge_id(a.challenge);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);
  pb::ListSubmissionsResponse resp;
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  grpc::Status s = client.stub()->ListSubmissions(&ctx, req, &resp);
  if (!s.ok()) return RpcFail(s);
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
    return 0;
  }
  for (const auto& sub : resp.submissions()) {
    // A run on custom input checked nothing: no score to show.
    const std::string score = sub.use_custom_stdin() ? "custom input"
                                                     : std::to_string(sub.score()) + "/" +
                                                           std::to_string(sub.max_score());
    std::printf("%s  %-16s %-18s %-8s %-9s %-22s %-12s %s\n", sub.id().c_str(),
                sub.candidate_id().empty() ? "-" : sub.candidate_id().c_str(),
                sub.challenge_id().c_str(), sub.language().c_str(), Short(sub.state()).c_str(),
                sub.state() == pb::SUBMISSION_STATE_FINISHED ? Short(sub.verdict()).c_str() : "-",
                score.c_str(),
                google::protobuf::util::TimeUtil::ToString(sub.created_at()).c_str());
  }
  if (!resp.next_page_token().empty()) {
    std::printf("next page: --page-token %s\n", resp.next_page_token().c_str());
  }
  return 0;
}

// judgectl report ID
int ReportCmd(Client& client, const Global& g, const Args& a) {
  pb::GetReportRequest req;
  req.set_submission_id(a.id);
  pb::SubmissionReport resp;
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  grpc::Status s = client.stub()->GetReport(&ctx, req, &resp);
  if (!s.ok()) return RpcFail(s);
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
    return 0;
  }
  const pb::Submission& sub = resp.submission();
  std::printf("submission %s: candidate %s, %s in %s\n", sub.id().c_str(),
              sub.candidate_id().c_str(), sub.challenge_id().c_str(), sub.language().c_str());
  std::printf("verdict %s, score %u/%u", Short(sub.verdict()).c_str(), sub.score(),
              sub.max_score());
  if (resp.cpu_ratio() > 0) std::printf("; CPU %.2fx the reference's", resp.cpu_ratio());
  std::printf("\n");
  if (!resp.note().empty()) std::printf("(%s)\n", resp.note().c_str());
  auto growth = [](const pb::GrowthEstimate& g) {
    char buf[128];
    if (g.fitted()) {
      std::snprintf(buf, sizeof buf, "n^%.2f (95%%: %.2f to %.2f)", g.exponent(), g.low(),
                    g.high());
      return std::string(buf) + (g.note().empty() ? "" : "; " + g.note());
    }
    return g.note().empty() ? std::string("not measured") : g.note();
  };
  if (resp.has_growth()) {
    std::printf("CPU growth over the scaling series: %s\n  the reference's: %s\n",
                growth(resp.growth()).c_str(), growth(resp.reference_growth()).c_str());
  }
  for (const pb::ReportTest& rt : resp.tests()) {
    const pb::TestResult& t = rt.test();
    std::printf("  [%2u] %-32s %-22s %6u ms", t.index(), t.name().c_str(),
                Short(t.verdict()).c_str(), t.cpu_ms());
    if (rt.reference_cpu_ms() > 0 || rt.cpu_ratio() > 0) {
      std::printf("  reference %u ms (%.1fx)", rt.reference_cpu_ms(), rt.cpu_ratio());
    }
    std::printf("\n");
    if (!t.trap().empty()) std::printf("       trap: %s\n", t.trap().c_str());
    PrintDetail(t);
  }
  for (const pb::SimilarPair& p : resp.similar()) {
    const bool first = p.submission_a() == sub.id();
    std::printf("similar (%.2f) to %s's %s\n", p.score(),
                (first ? p.candidate_b() : p.candidate_a()).c_str(),
                (first ? p.submission_b() : p.submission_a()).c_str());
  }
  if (resp.similar_size() == 0) std::printf("no similar submissions by other candidates\n");
  return 0;
}

// judgectl similar --challenge ID [--candidate C] [--min-score S]
int SimilarCmd(Client& client, const Global& g, const Args& a) {
  pb::ListSimilarSubmissionsRequest req;
  req.set_challenge_id(a.challenge);
  req.set_candidate_id(a.candidate);
  req.set_min_score(a.min_score);
  pb::ListSimilarSubmissionsResponse resp;
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  grpc::Status s = client.stub()->ListSimilarSubmissions(&ctx, req, &resp);
  if (!s.ok()) return RpcFail(s);
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
    return 0;
  }
  auto ranges = [](const google::protobuf::RepeatedPtrField<pb::LineRange>& rs) {
    std::string out;
    for (const auto& r : rs) {
      out += (out.empty() ? "" : ",") + std::to_string(r.first()) +
             (r.last() != r.first() ? "-" + std::to_string(r.last()) : "");
    }
    return out;
  };
  for (const auto& p : resp.pairs()) {
    std::printf("%.2f  %s %s (lines %s)  ~  %s %s (lines %s)  [%s]\n", p.score(),
                p.candidate_a().c_str(), p.submission_a().c_str(), ranges(p.lines_a()).c_str(),
                p.candidate_b().c_str(), p.submission_b().c_str(), ranges(p.lines_b()).c_str(),
                p.language().c_str());
  }
  if (resp.pairs_size() == 0) std::printf("no similar submissions\n");
  return 0;
}

// judgectl challenges import DIR|ARCHIVE [--id ID] [--strict]
int ImportCmd(Client& client, const Global& g, const Args& a) {
  struct stat st;
  if (stat(a.file.c_str(), &st) != 0)
    return UsageFail("cannot read " + a.file + ": " + strerror(errno));
  std::string archive;
  std::string name = a.file;
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  name = name.substr(name.rfind('/') + 1);
  if (S_ISDIR(st.st_mode)) {
    // A folder is sent as a .tar.gz of it, under its own name.
    absl::StatusOr<std::string> packed = judge::PackFolder(a.file, name);
    if (!packed.ok()) return UsageFail(std::string(packed.status().message()));
    archive = *std::move(packed);
  } else if (!ReadFile(a.file, &archive)) {
    return UsageFail("cannot read " + a.file + ": " + strerror(errno));
  }
  if (!g.json) {
    std::fprintf(stderr,
                 "importing %s (%.1f MiB); the judge validates it and judges its "
                 "submissions/, which can take minutes...\n",
                 a.file.c_str(), static_cast<double>(archive.size()) / (1 << 20));
  }
  grpc::ClientContext ctx;
  client.Prepare(&ctx, 0);  // no deadline: verification takes as long as the package's submissions
  pb::ImportChallengeResponse resp;
  std::unique_ptr<grpc::ClientWriter<pb::ImportChallengeChunk>> writer(
      client.stub()->ImportChallenge(&ctx, &resp));
  constexpr size_t kChunk = 1 << 20;
  for (size_t off = 0; off == 0 || off < archive.size(); off += kChunk) {
    pb::ImportChallengeChunk chunk;
    if (off == 0) {
      chunk.set_challenge_id(a.id);
      chunk.set_strict(a.strict);
      chunk.set_file_name(name);
    }
    chunk.set_data(archive.substr(off, kChunk));
    if (!writer->Write(chunk)) break;  // the judge refused early: Finish says why
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) return RpcFail(s);
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
    return resp.verified() ? 0 : 1;
  }
  const pb::ChallengeSummary& c = resp.challenge().summary();
  std::printf("imported %s version %u: %s\n", c.id().c_str(), resp.version(), c.title().c_str());
  std::printf("time limit %u ms (%s); %u tests (%u hidden); %.1f MiB, %.1f MiB new\n",
              resp.time_limit_ms(), resp.time_limit_source().c_str(),
              resp.challenge().samples_size() + resp.challenge().hidden_tests(),
              resp.challenge().hidden_tests(),
              static_cast<double>(resp.package_bytes()) / (1 << 20),
              static_cast<double>(resp.new_bytes()) / (1 << 20));
  int failed = 0;
  for (const pb::SubmissionCheck& ch : resp.checks()) {
    failed += !ch.ok();
    const std::string points =
        ch.has_expected_points() ? absl::StrCat(" ", ch.points(), " points") : std::string();
    std::printf("  %s  %-45s %-10s expected %-20s got %-20s %5u ms%s%s%s\n",
                ch.ok() ? "ok  " : "FAIL", ch.path().c_str(), ch.language().c_str(),
                Short(ch.expected()).c_str(), Short(ch.got()).c_str(), ch.max_cpu_ms(),
                points.c_str(), ch.note().empty() ? "" : "  ", ch.note().substr(0, 120).c_str());
  }
  for (const std::string& w : resp.warnings()) std::printf("warning: %s\n", w.c_str());
  if (resp.checks().empty()) {
    std::printf("no submissions/ to verify\n");
  } else if (failed) {
    std::printf(
        "verification failed: %d of %d submissions did not get their folder's verdict "
        "(--strict refuses such a package)\n",
        failed, resp.checks_size());
    return 1;
  } else {
    std::printf("verified: all %d submissions got their folder's verdict\n", resp.checks_size());
  }
  return 0;
}

// judgectl admin rejudge --challenge ID
int RejudgeCmd(Client& client, const Global& g, const Args& a) {
  pb::RejudgeChallengeRequest req;
  req.set_challenge_id(a.challenge);
  pb::RejudgeChallengeResponse resp;
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  grpc::Status s = client.stub()->RejudgeChallenge(&ctx, req, &resp);
  if (!s.ok()) return RpcFail(s);
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
  } else {
    std::printf("%u submissions of %s queued to be judged again on version %u\n", resp.queued(),
                a.challenge.c_str(), resp.version());
  }
  return 0;
}

// judgectl admin backup DIR
int BackupCmd(Client& client, const Global& g, const Args& a) {
  pb::BackupRequest req;
  req.set_dir(a.dir);
  pb::BackupResponse resp;
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  grpc::Status s = client.stub()->Backup(&ctx, req, &resp);
  if (!s.ok()) return RpcFail(s);
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
    return 0;
  }
  std::printf("backup %u in %s: %llu submissions, %.1f MiB\n", resp.backup_id(), resp.dir().c_str(),
              static_cast<unsigned long long>(resp.submissions()),
              static_cast<double>(resp.size_bytes()) / (1 << 20));
  return 0;
}

// judgectl admin erase-candidate ID
int EraseCmd(Client& client, const Global& g, const Args& a) {
  pb::EraseCandidateRequest req;
  req.set_candidate_id(a.candidate);
  pb::EraseCandidateResponse resp;
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  grpc::Status s = client.stub()->EraseCandidate(&ctx, req, &resp);
  if (!s.ok()) return RpcFail(s);
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
    return 0;
  }
  std::printf("candidate %s: %u submissions erased\n", resp.candidate_id().c_str(),
              resp.submissions_erased());
  return 0;
}

// judgectl watch ID (and submit --wait)
int WatchCmd(Client& client, const Global& g, const Args& a) {
  pb::WatchSubmissionRequest req;
  req.set_submission_id(a.id);
  grpc::ClientContext ctx;
  client.Prepare(&ctx, 0);
  auto reader = client.stub()->WatchSubmission(&ctx, req);
  return FollowStream(reader.get(), g.json);
}

// One unary call: the context, the call, its error as the one-line reason (exit 2).
template <typename Req, typename Resp>
int Call(Client& client,
         grpc::Status (pb::JudgeService::Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
         const Req& req, Resp* resp) {
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  grpc::Status s = (client.stub()->*method)(&ctx, req, resp);
  return s.ok() ? 0 : RpcFail(s);
}

std::string Short(pb::SessionState s) {
  return s == pb::SESSION_STATE_ENDED ? "ended" : s == pb::SESSION_STATE_OPEN ? "open" : "?";
}

void PrintSession(const pb::Session& s, bool with_document) {
  std::printf("session %s  %s\n", s.id().c_str(), Short(s.state()).c_str());
  std::printf("  challenge %s, candidate %s, language %s, version %u\n", s.challenge_id().c_str(),
              s.candidate_id().c_str(), s.language().c_str(), s.version());
  std::printf("  join: the judge's page at %s (the candidate signs in with its own token)\n",
              s.join_url().c_str());
  std::string who;
  for (const std::string& p : s.participants()) who += (who.empty() ? "" : ", ") + p;
  std::printf("  on the pad now: %s\n", who.empty() ? "nobody" : who.c_str());
  if (s.has_candidate_joined_at()) {
    std::printf("  candidate joined at %s\n",
                google::protobuf::util::TimeUtil::ToString(s.candidate_joined_at()).c_str());
  }
  if (!s.notes().empty()) std::printf("  notes:\n%s\n", s.notes().c_str());
  if (with_document) std::printf("--- pad ---\n%s\n--- end ---\n", s.document().c_str());
}

// judgectl session create --challenge C --candidate X [--language L] [FILE]
int SessionCreateCmd(Client& client, const Global& g, const Args& a) {
  pb::CreateSessionRequest req;
  req.set_challenge_id(a.challenge);
  req.set_candidate_id(a.candidate);
  req.set_language(a.language);
  if (!a.file.empty()) {
    std::string text;
    if (!ReadFile(a.file, &text))
      return UsageFail("cannot read " + a.file + ": " + strerror(errno));
    req.set_document(text);
  }
  pb::Session resp;
  if (int rc = Call(client, &pb::JudgeService::Stub::CreateSession, req, &resp)) return rc;
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
  } else {
    PrintSession(resp, false);
  }
  return 0;
}

// judgectl session get ID
int SessionGetCmd(Client& client, const Global& g, const Args& a) {
  pb::GetSessionRequest req;
  req.set_session_id(a.id);
  pb::Session resp;
  if (int rc = Call(client, &pb::JudgeService::Stub::GetSession, req, &resp)) return rc;
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
  } else {
    PrintSession(resp, true);
  }
  return 0;
}

// "edit +12 -3": characters inserted and deleted by a ChangeSet's JSON.
std::string EditSummary(const std::string& changes) {
  google::protobuf::ListValue parts;
  if (!google::protobuf::util::JsonStringToMessage(changes, &parts).ok()) return "edit";
  size_t inserted = 0, deleted = 0;
  for (const google::protobuf::Value& p : parts.values()) {
    if (!p.has_list_value() || p.list_value().values_size() == 0) continue;
    deleted += static_cast<size_t>(p.list_value().values(0).number_value());
    for (int i = 1; i < p.list_value().values_size(); ++i) {
      inserted += p.list_value().values(i).string_value().size() + (i > 1 ? 1 : 0);
    }
  }
  return "edit +" + std::to_string(inserted) + " -" + std::to_string(deleted);
}

// judgectl session timeline ID: one line a step.
int SessionTimelineCmd(Client& client, const Global& g, const Args& a) {
  pb::GetSessionTimelineRequest req;
  req.set_session_id(a.id);
  pb::SessionTimeline resp;
  if (int rc = Call(client, &pb::JudgeService::Stub::GetSessionTimeline, req, &resp)) return rc;
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
    return 0;
  }
  for (const pb::SessionEvent& e : resp.events()) {
    std::string what;
    switch (e.kind_case()) {
      case pb::SessionEvent::kChanges:
        what = EditSummary(e.changes());
        break;
      case pb::SessionEvent::kLanguage:
        what = "language " + e.language();
        break;
      case pb::SessionEvent::kJoined:
        what = "joined";
        break;
      case pb::SessionEvent::kLeft:
        what = "left";
        break;
      case pb::SessionEvent::kTabHidden:
        what = "left the tab";
        break;
      case pb::SessionEvent::kTabVisible:
        what = "back on the tab";
        break;
      case pb::SessionEvent::kRunStarted:
        what = "run " + e.run_started();
        break;
      case pb::SessionEvent::kRunFinished:
        what = "run " + e.run_finished().id() + " " + Short(e.run_finished().verdict());
        break;
      case pb::SessionEvent::kEnded:
        what = "ended the session";
        break;
      default:
        what = "?";
    }
    std::printf("%5llu  %s  v%-5u %-11s %s\n", static_cast<unsigned long long>(e.seq()),
                google::protobuf::util::TimeUtil::ToString(e.at()).c_str(), e.version(),
                e.who().c_str(), what.c_str());
  }
  return 0;
}

// judgectl session list [--candidate X]
int SessionListCmd(Client& client, const Global& g, const Args& a) {
  pb::ListSessionsRequest req;
  req.set_candidate_id(a.candidate);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);
  pb::ListSessionsResponse resp;
  if (int rc = Call(client, &pb::JudgeService::Stub::ListSessions, req, &resp)) return rc;
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
    return 0;
  }
  for (const pb::Session& s : resp.sessions()) {
    std::printf("%s  %-16s %-18s %-8s %-6s v%-5u %s\n", s.id().c_str(), s.candidate_id().c_str(),
                s.challenge_id().c_str(), s.language().c_str(), Short(s.state()).c_str(),
                s.version(), google::protobuf::util::TimeUtil::ToString(s.created_at()).c_str());
  }
  if (!resp.next_page_token().empty()) {
    std::printf("next page: --page-token %s\n", resp.next_page_token().c_str());
  }
  return 0;
}

// judgectl session end ID
int SessionEndCmd(Client& client, const Global& g, const Args& a) {
  pb::EndSessionRequest req;
  req.set_session_id(a.id);
  pb::Session resp;
  if (int rc = Call(client, &pb::JudgeService::Stub::EndSession, req, &resp)) return rc;
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
  } else {
    std::printf("session %s ended at version %u; the pad is read-only\n", resp.id().c_str(),
                resp.version());
  }
  return 0;
}

// judgectl session notes ID (--set TEXT | --file F)
int SessionNotesCmd(Client& client, const Global& g, const Args& a) {
  pb::SetSessionNotesRequest req;
  req.set_session_id(a.id);
  std::string notes = a.notes;
  if (!a.file.empty() && !ReadFile(a.file, &notes)) {
    return UsageFail("cannot read " + a.file + ": " + strerror(errno));
  }
  req.set_notes(notes);
  pb::Session resp;
  if (int rc = Call(client, &pb::JudgeService::Stub::SetSessionNotes, req, &resp)) return rc;
  if (g.json) {
    std::printf("%s\n", Json(resp).c_str());
  } else {
    std::printf("notes of session %s saved (%zu bytes)\n", resp.id().c_str(), resp.notes().size());
  }
  return 0;
}

using Command = int (*)(Client&, const Global&, const Args&);

// Every subcommand, its options into `a`, and the function that runs it.
std::vector<std::pair<CLI::App*, Command>> DeclareCommands(CLI::App& app, Args& a) {
  auto* challenges = app.add_subcommand("challenges", "List the challenges (or import one)");
  auto* c_import = challenges->add_subcommand(
      "import",
      "Import a challenge (admin and platform tokens): a problem package (Kattis/ICPC format) or "
      "a challenge.textproto folder, as a folder, .zip or .tar.gz; verified against its own "
      "submissions/");
  c_import->add_option("PACKAGE", a.file, "The package's folder or archive")->required();
  c_import->add_option("--id", a.id, "The challenge's id (default: the package folder's name)");
  c_import->add_flag("--strict", a.strict,
                     "Refuse the package (nothing stored) unless every submission gets the "
                     "verdict its folder names");
  auto* languages =
      app.add_subcommand("languages", "List the languages: id, file extensions, toolchain");
  auto* show = app.add_subcommand("show", "Show a challenge: statement, limits, samples");
  show->add_option("ID", a.id, "Challenge id")->required();
  show->add_option("--stub", a.language,
                   "Print only the starter of a class-form challenge in this language (the "
                   "class to implement), e.g. > solution.py");
  auto* submit = app.add_subcommand("submit", "Submit a solution");
  submit->add_option("--challenge", a.challenge, "Challenge id")->required();
  submit->add_option("--language", a.language,
                     "A language id (judgectl languages; default: from FILE's extension)");
  submit->add_option("--candidate", a.candidate, "Candidate id (platform and admin tokens)");
  submit->add_option("--request-id", a.request_id, "Makes a retried submit return the same one");
  submit->add_flag("--wait", a.wait, "Follow judging and exit 1 unless ACCEPTED");
  submit
      ->add_option("FILE", a.file,
                   "Source file, or a folder of files (c, cpp, java, python3, go, rust: the "
                   "judge picks the entry)")
      ->required();
  auto* watch = app.add_subcommand("watch", "Follow a submission until its verdict");
  watch->add_option("ID", a.id, "Submission id")->required();
  auto* get = app.add_subcommand("get", "Show a submission and its results");
  get->add_option("ID", a.id, "Submission id")->required();
  get->add_flag("--source", a.show_source, "Print the source too");
  auto* list = app.add_subcommand("list", "List submissions, newest first");
  list->add_option("--candidate", a.candidate, "Only this candidate's");
  list->add_option("--challenge", a.challenge, "Only this challenge's");
  list->add_option("--page-size", a.page_size, "1..100")->capture_default_str();
  list->add_option("--page-token", a.page_token, "From a previous page");
  auto* live = app.add_subcommand(
      "live",
      "Run code now, ahead of the queue: an interviewer's live run, or a candidate's practice run "
      "on the samples (or --stdin); Ctrl-C stops it on the server");
  live->add_option("--challenge", a.challenge, "Challenge id")->required();
  live->add_option("--language", a.language,
                   "A language id (judgectl languages; default: from FILE's extension)");
  live->add_option("--candidate", a.candidate, "Whose code this is");
  live->add_option("--stdin", a.stdin_file, "Run once on this input instead of the tests");
  live->add_option("FILE", a.file, "Source file")->required();
  auto* report = app.add_subcommand("report", "What an interviewer learns of a submission");
  report->add_option("ID", a.id, "Submission id")->required();
  auto* similar =
      app.add_subcommand("similar", "Pairs of similar submissions by different candidates");
  similar->add_option("--challenge", a.challenge, "Challenge id")->required();
  similar->add_option("--candidate", a.candidate, "Only pairs involving this candidate");
  similar->add_option("--min-score", a.min_score, "0..1 (default 0.5)");
  auto* admin = app.add_subcommand("admin", "Operating the judge (admin and platform tokens)");
  admin->require_subcommand(1);
  auto* rejudge = admin->add_subcommand(
      "rejudge", "Judge every take-home submission of a challenge again, on its current version");
  rejudge->add_option("--challenge", a.challenge, "Challenge id")->required();
  auto* backup = admin->add_subcommand("backup", "A consistent backup of the store, while judging");
  backup->add_option("DIR", a.dir, "Absolute path on the judge's host (judged --restore-from DIR)")
      ->required();
  auto* erase = admin->add_subcommand(
      "erase-candidate", "Delete every submission, source and record of a candidate, for good");
  erase->add_option("ID", a.candidate, "Candidate id")->required();
  auto* session = app.add_subcommand(
      "session", "Live interview sessions: one pad for interviewer and candidate (the page)");
  session->require_subcommand(1);
  auto* s_create =
      session->add_subcommand("create", "Open a session for a challenge and candidate");
  s_create->add_option("--challenge", a.challenge, "Challenge id")->required();
  s_create->add_option("--candidate", a.candidate, "The candidate who may join")->required();
  s_create->add_option("--language", a.language,
                       "The pad's language (default: the challenge's first)");
  s_create->add_option("FILE", a.file,
                       "The pad's starting text (default: the language's template)");
  auto* s_get = session->add_subcommand("get", "Show a session and its pad's text now");
  s_get->add_option("ID", a.id, "Session id")->required();
  auto* s_timeline =
      session->add_subcommand("timeline", "Every step of a session: edits, runs, joins, tab marks");
  s_timeline->add_option("ID", a.id, "Session id")->required();
  auto* s_list = session->add_subcommand("list", "List sessions, newest first");
  s_list->add_option("--candidate", a.candidate, "Only this candidate's");
  s_list->add_option("--page-size", a.page_size, "1..100")->capture_default_str();
  s_list->add_option("--page-token", a.page_token, "From a previous page");
  auto* s_end = session->add_subcommand("end", "End a session: its pad becomes read-only");
  s_end->add_option("ID", a.id, "Session id")->required();
  auto* s_notes = session->add_subcommand("notes", "Set the interviewer's private notes");
  s_notes->add_option("ID", a.id, "Session id")->required();
  auto* notes_text = s_notes->add_option("--set", a.notes, "The notes (Markdown)");
  s_notes->add_option("--file", a.file, "Read the notes from this file")->excludes(notes_text);
  return {
      {c_import, ImportCmd},
      {challenges, ListChallengesCmd},
      {languages, LanguagesCmd},
      {show, ShowCmd},
      {submit,
       [](Client& c, const Global& gl, const Args& args) { return SubmitCmd(c, gl, args); }},
      {live, [](Client& c, const Global& gl, const Args& args) { return LiveCmd(c, gl, args); }},
      {watch, WatchCmd},
      {get, GetCmd},
      {list, ListCmd},
      {report, ReportCmd},
      {similar, SimilarCmd},
      {rejudge, RejudgeCmd},
      {backup, BackupCmd},
      {erase, EraseCmd},
      {s_create, SessionCreateCmd},
      {s_get, SessionGetCmd},
      {s_timeline, SessionTimelineCmd},
      {s_list, SessionListCmd},
      {s_end, SessionEndCmd},
      {s_notes, SessionNotesCmd},
  };
}

}  // namespace

int main(int argc, char** argv) {
  // Ctrl-C during `live` is handled by a thread of its own (LiveCmd); blocked here, before any
  // thread starts, so that every thread inherits the mask. Elsewhere it ends us as usual.
  sigset_t interrupt;
  sigemptyset(&interrupt);
  sigaddset(&interrupt, SIGINT);
  sigaddset(&interrupt, SIGUSR1);
  const bool wants_live = argc > 1 && std::find_if(argv + 1, argv + argc, [](const char* a) {
                                        return std::string(a) == "live";
                                      }) != argv + argc;
  if (wants_live) pthread_sigmask(SIG_BLOCK, &interrupt, nullptr);
  Global g;
  const char* env_server = std::getenv("JUDGE_SERVER");
  const char* env_token = std::getenv("JUDGE_TOKEN");
  g.server = env_server ? env_server : "127.0.0.1:50051";
  g.token = env_token ? env_token : "";
  Args a;
  CLI::App app{"judgectl: talk to a judged server (judge.v1.JudgeService)", "judgectl"};
  app.add_option("--server", g.server, "HOST:PORT (default $JUDGE_SERVER or 127.0.0.1:50051)");
  app.add_option("--token", g.token, "Bearer token (default $JUDGE_TOKEN)");
  app.add_flag("--json", g.json, "Print protobuf's JSON mapping");
  app.add_flag("--tls", g.tls, "Use TLS");
  app.add_option("--ca", g.ca_file, "PEM root certificates for --tls");
  app.require_subcommand(1);
  // Global options work after the subcommand too (judgectl submit ... --json).
  app.fallthrough();
  app.footer("Exit status: 0 ok; 1 a verdict other than ACCEPTED (--wait, watch, live); 2 error.");

  app.add_flag("--verbose", g.verbose, "Let gRPC's own log lines through (TLS handshakes, ...)");
  const std::vector<std::pair<CLI::App*, Command>> commands = DeclareCommands(app, a);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help prints and succeeds; a usage error prints its reason and exits 2, as every error.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (!g.verbose) gpr_set_log_function([](gpr_log_func_args*) {});  // one line per error: ours
  if (g.token.empty()) return UsageFail("no token: pass --token or set JUDGE_TOKEN");
  // A token read from a file often ends with a newline; gRPC aborts on one in metadata.
  while (!g.token.empty() && (g.token.back() == '\n' || g.token.back() == '\r')) g.token.pop_back();
  for (char c : g.token) {
    if (c <= ' ' || c > '~') {
      return UsageFail("the token holds whitespace or a control character (check $JUDGE_TOKEN)");
    }
  }
  Client client(g);

  for (const auto& [command, run] : commands) {
    if (*command) return run(client, g, a);
  }
  return UsageFail("no command (see --help)");
}
