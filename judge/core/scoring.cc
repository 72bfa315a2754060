#include "judge/core/scoring.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace judge {
namespace {

using judge::v1::Verdict;

// worst_error's order: the judge's precedence (a hostile program worst).
int Badness(Verdict v) {
  switch (v) {
    case judge::v1::VERDICT_ACCEPTED:
      return 0;
    case judge::v1::VERDICT_WRONG_ANSWER:
      return 1;
    case judge::v1::VERDICT_RUNTIME_ERROR:
      return 2;
    case judge::v1::VERDICT_OUTPUT_LIMIT_EXCEEDED:
      return 3;
    case judge::v1::VERDICT_MEMORY_LIMIT_EXCEEDED:
      return 4;
    case judge::v1::VERDICT_TIME_LIMIT_EXCEEDED:
      return 5;
    case judge::v1::VERDICT_SECURITY_VIOLATION:
      return 6;
    default:
      return 7;
  }
}

struct Outcome {
  Verdict verdict = judge::v1::VERDICT_ACCEPTED;
  double points = 0;
  bool ran = false;
};

class Tree {
 public:
  // `points_of`: a test's verdict and points by name (absent: it did not run).
  Tree(const LoadedChallenge& ch, std::map<std::string, Outcome> tests)
      : ch_(ch), tests_(std::move(tests)) {
    for (const LoadedTest& t : ch.tests) {
      std::string folder = GradingFolder(t.name);
      children_[folder].insert({t.name.substr(folder.empty() ? 0 : folder.size() + 1), t.name});
      // Every folder up to data/ itself.
      while (!folder.empty()) {
        const size_t slash = folder.rfind('/');
        const std::string parent = slash == std::string::npos ? "" : folder.substr(0, slash);
        children_[parent].insert({folder.substr(parent.empty() ? 0 : parent.size() + 1),
                                  "/" + folder});  // "/" marks a folder
        folder = parent;
      }
    }
  }

  Outcome Folder(const std::string& path) const {
    const judge::v1::GradingNode node = GradingNodeFor(ch_.manifest, path);
    const auto has = [&](const char* flag) {
      return std::find(node.flags().begin(), node.flags().end(), flag) != node.flags().end();
    };
    std::vector<Outcome> results;
    auto it = children_.find(path);
    if (it != children_.end()) {
      for (const auto& [name, key] : it->second) {
        if (path.empty() && name == "sample" && has("ignore_sample")) continue;
        Outcome o;
        if (key[0] == '/') {
          o = Folder(key.substr(1));
        } else if (auto t = tests_.find(key); t != tests_.end()) {
          o = t->second;
        }
        if (!o.ran) continue;
        results.push_back(o);
        if (o.verdict != judge::v1::VERDICT_ACCEPTED && !node.continue_on_reject()) break;
      }
    }
    Outcome out;
    out.ran = !results.empty();
    if (results.empty()) return out;
    // The verdict.
    Verdict first = judge::v1::VERDICT_ACCEPTED, worst = judge::v1::VERDICT_ACCEPTED;
    bool any_accepted = false;
    for (const Outcome& o : results) {
      if (o.verdict == judge::v1::VERDICT_ACCEPTED) any_accepted = true;
      if (first == judge::v1::VERDICT_ACCEPTED) first = o.verdict;
      if (Badness(o.verdict) > Badness(worst)) worst = o.verdict;
    }
    out.verdict = has("always_accept")                            ? judge::v1::VERDICT_ACCEPTED
                  : has("accept_if_any_accepted") && any_accepted ? judge::v1::VERDICT_ACCEPTED
                  : has("worst_error")                            ? worst
                                                                  : first;
    // The points.
    double sum = 0, low = results[0].points, high = results[0].points;
    for (const Outcome& o : results) {
      sum += o.points;
      low = std::min(low, o.points);
      high = std::max(high, o.points);
    }
    out.points = has("avg") ? sum / results.size() : has("min") ? low : has("max") ? high : sum;
    if (node.has_range()) {
      out.points = std::clamp(out.points, node.range_low(), node.range_high());
    }
    return out;
  }

 private:
  const LoadedChallenge& ch_;
  std::map<std::string, Outcome> tests_;
  // folder -> its children by name: a test's full name, or "/" + a subfolder's path.
  std::map<std::string, std::set<std::pair<std::string, std::string>>> children_;
};

}  // namespace

std::string GradingFolder(const std::string& test_name) {
  const size_t slash = test_name.rfind('/');
  return slash == std::string::npos ? "" : test_name.substr(0, slash);
}

judge::v1::GradingNode GradingNodeFor(const judge::v1::Challenge& manifest,
                                      const std::string& folder) {
  for (const judge::v1::GradingNode& n : manifest.grading()) {
    if (n.path() == folder) return n;
  }
  judge::v1::GradingNode n;
  n.set_path(folder);
  n.set_accept_score(1);
  n.set_reject_score(0);
  return n;
}

void ScoreByGrading(const LoadedChallenge& ch, judge::v1::Submission* graded) {
  std::map<std::string, Outcome> ran, best;
  for (const judge::v1::TestResult& t : graded->tests()) {
    ran[t.name()] = {t.verdict(), t.points(), true};
  }
  for (const LoadedTest& t : ch.tests) {
    best[t.name] = {judge::v1::VERDICT_ACCEPTED, t.accept_score, true};
  }
  const Outcome got = Tree(ch, std::move(ran)).Folder("");
  const Outcome most = Tree(ch, std::move(best)).Folder("");
  if (got.ran) graded->set_verdict(got.verdict);
  graded->set_points(got.ran ? got.points : 0);
  graded->set_max_points(most.points);
  graded->set_score(static_cast<uint32_t>(std::max(0.0, std::round(graded->points()))));
  graded->set_max_score(static_cast<uint32_t>(std::max(0.0, std::round(most.points))));
}

}  // namespace judge
