// Similarity on a corpus the test builds from the challenges' own solutions:
//  - disguised copies of every reference (identifiers renamed, reformatted, blocks reordered,
//    comments added, dead code inserted, and all of these at once) must score at or above the
//    threshold: recall >= 0.9;
//  - independently written solutions (every pair in the same language to different challenges,
//    and the C against the C++ solutions of one challenge) must score below it: false
//    positives <= 5%.
// And on a larger corpus whose disguises were written apart from the measure: the copies
// tests/similarity/disguise.py makes of every solution (references, wrong-* and tle-* alike), at
// test time: recall >= 0.95, and false positives <= 5% both between independent solutions and
// between disguised copies and the solutions independent of their original.
// Prints precision and recall.
#include "judge/core/similarity.h"

#include <dirent.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "judge/core/language.h"
#include "tests/e2e/source_header.h"

namespace judge {
namespace {

using judge_test::LanguageOf;

constexpr double kThreshold = kSimilarFromScore;
SimilarityOptions Options() { return SimilarityOptions(); }

struct Source {
  std::string challenge, file, language, text;
};

std::vector<Source> Solutions() {
  std::vector<Source> out;
  for (const char* ch : {"sql-null-trap", "ttl-lru-cache", "slow-query-digest"}) {
    std::string dir = std::string(CHALLENGES_DIR) + "/" + ch + "/solutions";
    DIR* d = opendir(dir.c_str());
    if (!d) continue;
    while (dirent* e = readdir(d)) {
      std::string f = e->d_name;
      if (f[0] == '.' || LanguageOf(f).empty()) continue;
      std::ifstream in(dir + "/" + f);
      std::stringstream ss;
      ss << in.rdbuf();
      out.push_back({ch, f, LanguageOf(f), ss.str()});
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end(), [](const Source& a, const Source& b) {
    return a.challenge + a.file < b.challenge + b.file;
  });
  return out;
}

std::string Comment(const std::string& language) {
  return language == "python3" ? "# " : language == "sql" ? "-- " : "// ";
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

std::string Indent(const std::string& line) {
  return line.substr(
      0, line.find_first_not_of(" \t") == std::string::npos ? 0 : line.find_first_not_of(" \t"));
}

// The disguises a copier would use.
std::string Rename(const Source& s) {
  std::regex ident("\\b([a-z][A-Za-z0-9]*_?[A-Za-z0-9_]*)\\b");
  std::string out;
  std::map<std::string, std::string> names;
  auto begin = std::sregex_iterator(s.text.begin(), s.text.end(), ident);
  size_t at = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::string word = (*it)[1];
    out += s.text.substr(at, it->position() - at);
    // Names of the candidate's own: long enough not to be a keyword or a library call.
    static const std::set<std::string> kReserved = {
        "while",     "return",  "static",   "public",     "private",   "class",    "import",
        "const",     "struct",  "function", "continue",   "break",     "switch",   "case",
        "default",   "else",    "elif",     "from",       "void",      "long",     "char",
        "bool",      "boolean", "double",   "float",      "final",     "throws",   "throw",
        "catch",     "finally", "extends",  "implements", "interface", "package",  "func",
        "range",     "defer",   "match",    "loop",       "impl",      "true",     "false",
        "null",      "none",    "self",     "this",       "main",      "print",    "println",
        "printf",    "string",  "unsigned", "sizeof",     "typedef",   "struct",   "enum",
        "lambda",    "yield",   "raise",    "except",     "with",      "pass",     "where",
        "select",    "join",    "left",     "group",      "order",     "having",   "limit",
        "distinct",  "union",   "exists",   "between",    "like",      "then",     "when",
        "coalesce",  "ifnull",  "count",    "cast",       "auto",      "template", "typename",
        "namespace", "using",   "delete"};
    if (word.size() >= 4 && word.find("std") == std::string::npos && !kReserved.count(word)) {
      if (!names.count(word)) names[word] = "q" + std::to_string(names.size()) + "x";
      out += names[word];
    } else {
      out += word;
    }
    at = it->position() + it->length();
  }
  return out + s.text.substr(at);
}

std::string Reformat(const Source& s) {
  std::vector<std::string> out;
  for (std::string line : Lines(s.text)) {
    std::string ind = Indent(line), body = line.substr(ind.size());
    if (s.language != "python3") ind = std::string(ind.size() / 2, '\t');  // tabs, half as many
    body = std::regex_replace(body, std::regex(" *([=+<>*,]) *"), " $1 ");
    out.push_back(ind + body);
    if (line.find('{') != std::string::npos || line.find(':') == line.size() - 1) out.push_back("");
  }
  return Join(out);
}

std::string Reorder(const Source& s) {
  // Blocks separated by blank lines, the first kept first, the rest in reverse.
  std::vector<std::string> blocks;
  std::string current;
  for (const std::string& line : Lines(s.text)) {
    if (line.find_first_not_of(" \t") == std::string::npos && !current.empty() &&
        (s.language != "python3" || true)) {
      blocks.push_back(current);
      current.clear();
    } else {
      current += line + "\n";
    }
  }
  if (!current.empty()) blocks.push_back(current);
  if (blocks.size() > 2) std::reverse(blocks.begin() + 1, blocks.end());
  std::string out;
  for (const std::string& b : blocks) out += b + "\n";
  return out;
}

std::string Comments(const Source& s) {
  std::vector<std::string> out;
  int i = 0;
  for (const std::string& line : Lines(s.text)) {
    if (++i % 3 == 0)
      out.push_back(Indent(line) + Comment(s.language) + "keep going, step " + std::to_string(i));
    out.push_back(line);
  }
  return Join(out);
}

std::string DeadCode(const Source& s) {
  std::vector<std::string> out;
  int i = 0;
  for (const std::string& line : Lines(s.text)) {
    out.push_back(line);
    if (++i % 8 != 0) continue;
    const std::string ind = Indent(line);
    if (s.language == "python3") {
      if (line.find_last_of(":") == line.size() - 1) continue;
      out.push_back(ind + "_unused" + std::to_string(i) + " = " + std::to_string(i) + " * 2");
    } else if (s.language == "sql") {
      out.push_back(ind + "AND " + std::to_string(i) + " = " + std::to_string(i));
    } else if (s.language == "go") {
      out.push_back(ind + "_ = " + std::to_string(i));
    } else if (s.language == "rust") {
      out.push_back(ind + "let _unused" + std::to_string(i) + " = " + std::to_string(i) + ";");
    } else {
      out.push_back(ind + "int unused" + std::to_string(i) + " = " + std::to_string(i) + ";");
    }
  }
  return Join(out);
}

TEST(SimilarityTest, RenamingAndFormattingChangeNothing) {
  const std::string a =
      "int main() {\n  int total = 0;\n  for (int i = 0; i < 10; ++i) {\n"
      "    total += i * i;  // squares\n  }\n  printf(\"%d\\n\", total);\n}\n";
  const std::string b =
      "/* mine */ int main(){int s=0;for(int k=0;k<10;++k){s+=k*k;}\n"
      "printf(\"%d\\n\",s);}\n";
  auto fa = Fingerprints("c", a), fb = Fingerprints("c", b);
  EXPECT_DOUBLE_EQ(Compare(fa, fb).score, 1.0);
  EXPECT_EQ(DecodeFingerprints(EncodeFingerprints(fa)).size(), fa.size());
  EXPECT_EQ(DecodeFingerprints(EncodeFingerprints(fa))[0].hash, fa[0].hash);
}

TEST(SimilarityTest, DisguisedCopiesAreFoundAndIndependentWorkIsNot) {
  const std::vector<Source> all = Solutions();
  ASSERT_FALSE(all.empty());
  int copies = 0, copies_found = 0;
  std::vector<std::string> missed;
  for (const Source& s : all) {
    if (s.file.rfind("reference.", 0) != 0) continue;
    const auto original = Fingerprints(s.language, s.text, Options());
    std::map<std::string, std::string> disguised = {
        {"renamed", Rename(s)},     {"reformatted", Reformat(s)}, {"reordered", Reorder(s)},
        {"commented", Comments(s)}, {"dead code", DeadCode(s)},
    };
    Source mixed = s;
    for (auto step : {Rename, Reformat, Reorder, Comments, DeadCode}) mixed.text = step(mixed);
    disguised["all at once"] = mixed.text;
    for (const auto& [how, text] : disguised) {
      const double score = Compare(original, Fingerprints(s.language, text, Options())).score;
      ++copies;
      if (score >= kThreshold) {
        ++copies_found;
      } else {
        missed.push_back(s.challenge + "/" + s.file + " " + how + ": " + std::to_string(score));
      }
    }
  }
  // Independent: every pair of solutions in the same language to different challenges, and the
  // C against the C++ solutions of the same challenge.
  int independent = 0, false_positives = 0;
  double highest = 0;
  std::vector<std::string> flagged;
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = i + 1; j < all.size(); ++j) {
      const Source &a = all[i], &b = all[j];
      // C and C++ are lexed alike: the C and the C++ cache were written apart (open addressing
      // and an intrusive list against std containers), the hardest independent pairs here.
      auto family = [](const std::string& l) { return l == "c" ? std::string("cpp") : l; };
      if (family(a.language) != family(b.language)) continue;
      // Within a challenge and a language, the solutions are one author's variants (wrong-* and
      // tle-* are the reference with a trap or a slow part put in): copies, not independent.
      if (a.challenge == b.challenge && a.language == b.language) continue;
      ++independent;
      const double score = Compare(Fingerprints(a.language, a.text, Options()),
                                   Fingerprints(b.language, b.text, Options()))
                               .score;
      highest = std::max(highest, score);
      if (score >= kThreshold) {
        ++false_positives;
        flagged.push_back(a.challenge + "/" + a.file + " ~ " + b.challenge + "/" + b.file + ": " +
                          std::to_string(score));
      }
    }
  }
  const double recall = static_cast<double>(copies_found) / copies;
  const double fp_rate = independent ? static_cast<double>(false_positives) / independent : 0;
  const double precision = static_cast<double>(copies_found) / (copies_found + false_positives);
  std::printf(
      "similarity at threshold %.2f: recall %.3f (%d of %d disguised copies), false "
      "positives %.3f (%d of %d independent pairs, the highest scoring %.3f), precision "
      "%.3f\n",
      kThreshold, recall, copies_found, copies, fp_rate, false_positives, independent, highest,
      precision);
  for (const std::string& m : missed) std::printf("  missed: %s\n", m.c_str());
  for (const std::string& f : flagged) std::printf("  flagged: %s\n", f.c_str());
  EXPECT_GE(recall, 0.9);
  EXPECT_LE(fp_rate, 0.05);
  EXPECT_GE(independent, 10);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Independent: solutions in the same language to different challenges, and C against C++ (the
// same challenge's included: written apart). Within a challenge and a language, the solutions
// are one author's variants; across other languages, ports.
bool Independent(const Source& a, const Source& b) {
  auto family = [](const std::string& l) { return l == "c" ? std::string("cpp") : l; };
  if (family(a.language) != family(b.language)) return false;
  return a.challenge != b.challenge || a.language != b.language;
}

TEST(SimilarityTest, CopiesDisguisedByAScriptAreFound) {
  char tmpl[] = "/tmp/similarity-disguise-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string out = tmpl;
  const char* seed = getenv("SIMILARITY_DISGUISE_SEED");  // to try other corpora by hand
  const std::string command = std::string("python3 ") + DISGUISE_PY + " --challenges " +
                              CHALLENGES_DIR + " --out " + out + " --seed " + (seed ? seed : "1") +
                              " >/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  // Every solution of every challenge, keyed by "challenge/file".
  std::map<std::string, Source> solutions;
  std::map<std::string, std::vector<Fingerprint>> prints;
  std::vector<std::string> copy_key, copy_how;
  std::vector<std::vector<Fingerprint>> copy_prints;
  std::ifstream manifest(out + "/manifest.tsv");
  for (std::string line; std::getline(manifest, line);) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string x; std::getline(fields, x, '\t');) f.push_back(x);
    if (f.size() != 4) continue;
    const std::string key = f[0] + "/" + f[1];
    if (!solutions.count(key)) {
      Source s{f[0], f[1], LanguageOf(f[1]),
               ReadFile(std::string(CHALLENGES_DIR) + "/" + key.substr(0, key.find('/')) +
                        "/solutions/" + f[1])};
      prints[key] = Fingerprints(s.language, s.text, Options());
      solutions[key] = s;
    }
    copy_key.push_back(key);
    copy_how.push_back(f[2]);
    copy_prints.push_back(Fingerprints(solutions[key].language, ReadFile(f[3]), Options()));
  }
  ASSERT_EQ(std::system(("rm -rf " + out).c_str()), 0);
  ASSERT_GE(copy_key.size(), 200u);

  int found = 0;
  std::map<std::string, std::pair<int, int>> by_how;  // found, all
  std::vector<std::string> missed;
  for (size_t i = 0; i < copy_key.size(); ++i) {
    const double score = Compare(prints[copy_key[i]], copy_prints[i]).score;
    ++by_how[copy_how[i]].second;
    if (score >= kThreshold) {
      ++found;
      ++by_how[copy_how[i]].first;
    } else {
      missed.push_back(copy_key[i] + " " + copy_how[i] + ": " + std::to_string(score));
    }
  }
  // False positives: independent originals, and each copy against the solutions independent of
  // its original.
  int independent = 0, fp = 0, copy_independent = 0, copy_fp = 0;
  double highest = 0, copy_highest = 0;
  std::vector<std::string> flagged;
  for (auto a = solutions.begin(); a != solutions.end(); ++a) {
    for (auto b = std::next(a); b != solutions.end(); ++b) {
      if (!Independent(a->second, b->second)) continue;
      ++independent;
      const double score = Compare(prints[a->first], prints[b->first]).score;
      highest = std::max(highest, score);
      if (score >= kThreshold) {
        ++fp;
        flagged.push_back(a->first + " ~ " + b->first + ": " + std::to_string(score));
      }
    }
  }
  for (size_t i = 0; i < copy_key.size(); ++i) {
    for (const auto& [key, s] : solutions) {
      if (!Independent(solutions[copy_key[i]], s)) continue;
      ++copy_independent;
      const double score = Compare(copy_prints[i], prints[key]).score;
      copy_highest = std::max(copy_highest, score);
      if (score >= kThreshold) {
        ++copy_fp;
        flagged.push_back(copy_key[i] + " (" + copy_how[i] + ") ~ " + key + ": " +
                          std::to_string(score));
      }
    }
  }
  const double recall = static_cast<double>(found) / static_cast<double>(copy_key.size());
  const double fp_rate = independent ? static_cast<double>(fp) / independent : 0;
  const double copy_fp_rate =
      copy_independent ? static_cast<double>(copy_fp) / copy_independent : 0;
  std::printf(
      "script-disguised copies at threshold %.2f: recall %.3f (%d of %zu), false "
      "positives %.3f (%d of %d independent pairs, the highest %.3f), copies against "
      "independent solutions %.3f (%d of %d, the highest %.3f)\n",
      kThreshold, recall, found, copy_key.size(), fp_rate, fp, independent, highest, copy_fp_rate,
      copy_fp, copy_independent, copy_highest);
  for (const auto& [how, n] : by_how)
    std::printf("  %-9s %d of %d\n", how.c_str(), n.first, n.second);
  for (const std::string& m : missed) std::printf("  missed: %s\n", m.c_str());
  for (const std::string& f : flagged) std::printf("  flagged: %s\n", f.c_str());
  EXPECT_GE(recall, 0.95);
  for (const auto& [how, n] : by_how) EXPECT_GE(n.first, 0.9 * n.second) << how;
  EXPECT_LE(fp_rate, 0.05);
  EXPECT_LE(copy_fp_rate, 0.05);
  EXPECT_GE(independent, 10);
}

}  // namespace
}  // namespace judge
