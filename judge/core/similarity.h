// Similar submissions, as MOSS finds them (Schleimer, Wilkerson and Aiken, "Winnowing: local
// algorithms for document fingerprinting", SIGMOD 2003): a source becomes a stream of normalized
// tokens (identifiers and types, numbers and strings abstracted; only the language's own keywords
// kept; declaration words and modifiers, comments, docstrings, brackets, braces, semicolons,
// negation and whitespace dropped; comparisons one token, `x++`, `x += 1` and `x = x + 1` alike),
// every k consecutive tokens are hashed, and winnowing keeps the smallest hash of every window of
// w hashes. Two sources that share a run of at least k + w - 1 tokens are guaranteed to share a
// fingerprint; renaming, reformatting and comments change nothing, and reordering functions,
// swapping if/else under a negated condition, for as while and dead code each change only the
// k-grams across the places they touch. No storage here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace judge {

struct Fingerprint {
  uint64_t hash;
  uint32_t line;  // 1-based line of the k-gram's first token
};

struct SimilarityOptions {
  // Measured on the challenges' solutions (tests/core/similarity_test.cc): k = 8, w = 8 finds
  // 96 of 96 of its hand-made disguised copies and 725 of 725 of those tests/similarity/
  // disguise.py makes (seed 1) at score 0.5, while independent code scores at most 0.2 (k = 7:
  // 0.25; k = 10 misses 3 of the 96).
  int k = 8;  // tokens per k-gram: shorter shared runs are noise (boilerplate, idioms)
  int w = 8;  // winnowing window
};

// The fingerprints of `source` in `language` (a language id; C-like, Python and SQL lexing).
std::vector<Fingerprint> Fingerprints(const std::string& language, const std::string& source,
                                      const SimilarityOptions& options = {});

// The score from which two submissions are reported as similar (ListSimilarSubmissions' default
// min_score, reports): measured in tests/core/similarity_test.cc.
inline constexpr double kSimilarFromScore = 0.5;

struct LineRange {
  uint32_t first, last;  // 1-based, inclusive
};

struct Match {
  double score = 0;                         // shared fingerprints / the smaller set's, 0..1
  std::vector<LineRange> lines_a, lines_b;  // where the shared fingerprints are
};

// How much of two fingerprint sets is shared; matched lines merged into ranges.
Match Compare(const std::vector<Fingerprint>& a, const std::vector<Fingerprint>& b);

// Serialized fingerprints (for the store): 12 bytes each, little-endian.
std::string EncodeFingerprints(const std::vector<Fingerprint>& prints);
std::vector<Fingerprint> DecodeFingerprints(const std::string& bytes);

}  // namespace judge
