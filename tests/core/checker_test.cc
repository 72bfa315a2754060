#include "judge/core/checker.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "judge/core/sha256.h"
#include "judge/core/sql_format.h"

namespace judge {
namespace {

TEST(ExactChecker, IgnoresTrailingWhitespaceAndFinalBlankLines) {
  EXPECT_TRUE(CheckExact("1\n2\n", "1  \n2\t\n\n\n").accepted);
  EXPECT_TRUE(CheckExact("1\n2\n", "1\n2").accepted);  // missing final newline
  EXPECT_TRUE(CheckExact("1\r\n2\r\n", "1\n2\n").accepted);
}

TEST(ExactChecker, ReportsTheFirstDifferingLine) {
  CheckOutcome c = CheckExact("a\nb\nc\n", "a\nx\nc\n");
  EXPECT_FALSE(c.accepted);
  EXPECT_EQ(c.message, "line 2: expected \"b\", got \"x\"");
  EXPECT_FALSE(CheckExact("a\n", " a\n").accepted);  // leading space matters
  EXPECT_EQ(CheckExact("a\nb\n", "a\n").message,
            "output ends after 1 lines; expected 2 (next: \"b\")");
  EXPECT_EQ(CheckExact("a\n", "a\nb\n").message, "extra output at line 2: \"b\"");
}

TEST(ExactChecker, EmptyOutputAndNulAndInvalidUtf8AndHugeLines) {
  EXPECT_TRUE(CheckExact("", "").accepted);
  EXPECT_TRUE(CheckExact("\n\n", "").accepted);
  EXPECT_FALSE(CheckExact("0\n", "").accepted);
  std::string nul("1\0002\n", 4);
  CheckOutcome c = CheckExact("12\n", nul);
  EXPECT_FALSE(c.accepted);
  EXPECT_NE(c.message.find("\\x00"), std::string::npos);
  c = CheckExact("ok\n", "\xff\xfe\n");
  EXPECT_FALSE(c.accepted);
  EXPECT_NE(c.message.find("\\xff"), std::string::npos);
  std::string huge(50 << 20, 'x');
  c = CheckExact("x\n", huge);
  EXPECT_FALSE(c.accepted);
  EXPECT_LT(c.message.size(), 400u);  // capped excerpt
}

TEST(TokensChecker, ComparesWhitespaceSeparatedTokens) {
  EXPECT_TRUE(CheckTokens("1 2\n3\n", "1\n2 3").accepted);
  EXPECT_FALSE(CheckTokens("1 2 3", "1 2").accepted);
  EXPECT_EQ(CheckTokens("1 2", "1 3").message, "token 2: expected \"2\", got \"3\"");
  EXPECT_TRUE(CheckTokens("", "  \n ").accepted);
}

TEST(FloatChecker, UsesAbsoluteOrRelativeEpsilon) {
  EXPECT_TRUE(CheckFloat("1.0 2.5", "1.0000001 2.5", 1e-6, 0).accepted);
  EXPECT_FALSE(CheckFloat("1.0", "1.001", 1e-6, 0).accepted);
  EXPECT_TRUE(CheckFloat("1000000", "1000001", 0, 1e-5).accepted);
  EXPECT_FALSE(CheckFloat("1.0", "nan", 1, 1).accepted);
  EXPECT_FALSE(CheckFloat("1.0", "abc", 1, 1).accepted);
  EXPECT_TRUE(CheckFloat("yes 1.5", "yes 1.5", 0, 0).accepted);
  EXPECT_FALSE(CheckFloat("yes", "no", 1, 1).accepted);
  // Infinities and NaN, in any case, equal only themselves.
  EXPECT_TRUE(CheckFloat("inf -inf nan", "inf -inf nan", 1e-6, 1e-6).accepted);
  EXPECT_TRUE(CheckFloat("inf -inf nan", "INF -Infinity NaN", 1e-6, 1e-6).accepted);
  EXPECT_FALSE(CheckFloat("inf", "-inf", 1e-6, 1e-6).accepted);
  EXPECT_FALSE(CheckFloat("inf", "1e308", 1e-6, 1e-6).accepted);
  EXPECT_FALSE(CheckFloat("nan", "0", 1e-6, 1e-6).accepted);
  EXPECT_FALSE(CheckFloat("1e308", "inf", 1e-6, 1e-6).accepted);
}

std::string Sql(std::initializer_list<std::string> lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

TEST(SqlResultChecker, NullEqualsOnlyNull) {
  std::string want = Sql({"#cols\ta", "N"});
  EXPECT_TRUE(CheckSqlResult(want, Sql({"#cols\ta", "N"}), true).accepted);
  EXPECT_FALSE(CheckSqlResult(want, Sql({"#cols\ta", "I0"}), true).accepted);
  EXPECT_FALSE(CheckSqlResult(want, Sql({"#cols\ta", "T"}), true).accepted);
  EXPECT_FALSE(CheckSqlResult(Sql({"#cols\ta", "I0"}), Sql({"#cols\ta", "N"}), true).accepted);
}

TEST(SqlResultChecker, NumbersWithinToleranceTextExactNeverTextForNumber) {
  std::string want = Sql({"#cols\tx", "R200"});
  EXPECT_TRUE(CheckSqlResult(want, Sql({"#cols\tx", "I200"}), true).accepted);
  EXPECT_TRUE(CheckSqlResult(want, Sql({"#cols\tx", "R200.0000001"}), true).accepted);
  EXPECT_FALSE(CheckSqlResult(want, Sql({"#cols\tx", "R200.001"}), true).accepted);
  EXPECT_FALSE(CheckSqlResult(want, Sql({"#cols\tx", "T200"}), true).accepted);
  EXPECT_FALSE(
      CheckSqlResult(Sql({"#cols\tx", "R33.333333333333336"}), Sql({"#cols\tx", "I33"}), true)
          .accepted);  // integer division
  EXPECT_FALSE(
      CheckSqlResult(Sql({"#cols\tx", "TBerlin"}), Sql({"#cols\tx", "Tberlin"}), true).accepted);
}

TEST(SqlResultChecker, ColumnsCountAndCaseInsensitiveNames) {
  std::string want = Sql({"#cols\tid\tname", "I1\tTAnn"});
  EXPECT_TRUE(CheckSqlResult(want, Sql({"#cols\tID\tName", "I1\tTAnn"}), true).accepted);
  EXPECT_EQ(CheckSqlResult(want, Sql({"#cols\tid", "I1"}), true).message,
            "expected 2 columns, got 1");
  EXPECT_FALSE(CheckSqlResult(want, Sql({"#cols\tid\tnom", "I1\tTAnn"}), true).accepted);
}

TEST(SqlResultChecker, OrderedOrMultiset) {
  std::string want = Sql({"#cols\tx", "I1", "I2", "I2"});
  std::string swapped = Sql({"#cols\tx", "I2", "I1", "I2"});
  EXPECT_FALSE(CheckSqlResult(want, swapped, true).accepted);
  EXPECT_TRUE(CheckSqlResult(want, swapped, false).accepted);
  EXPECT_FALSE(CheckSqlResult(want, Sql({"#cols\tx", "I1", "I1", "I2"}), false).accepted);
  CheckOutcome c = CheckSqlResult(want, Sql({"#cols\tx", "I1"}), true);
  EXPECT_EQ(c.message, "expected 3 rows, got 1");
}

TEST(SqlResultChecker, GarbageOutputIsWrongNotACrash) {
  std::string want = Sql({"#cols\tx", "I1"});
  EXPECT_FALSE(CheckSqlResult(want, "", true).accepted);
  EXPECT_FALSE(CheckSqlResult(want, std::string("#cols\tx\nI\0001\n", 11), true).accepted);
  EXPECT_FALSE(CheckSqlResult(want, "#cols\tx\nQ1\n", true).accepted);
  EXPECT_FALSE(CheckSqlResult(want, "#cols\tx\nI1\tI2\n", true).accepted);
  EXPECT_FALSE(CheckSqlResult(want, "\xff\xfe", true).accepted);
}

TEST(SqlFormat, RoundTripsEscapedTextAndBlobs) {
  SqlValue t;
  t.type = SqlValue::kText;
  t.text = "a\tb\nc\\d";
  SqlValue b;
  b.type = SqlValue::kBlob;
  b.text = std::string("\x00\xff", 2);
  std::string text =
      FormatSqlHeader({"col\t1"}) + "\n" + FormatSqlValue(t) + "\n" + FormatSqlValue(b) + "\n";
  auto parsed = ParseSqlResult(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->columns[0], "col\t1");
  EXPECT_EQ(parsed->rows[0][0].text, t.text);
  EXPECT_EQ(parsed->rows[1][0].type, SqlValue::kBlob);
  EXPECT_EQ(parsed->rows[1][0].text, b.text);
}

TEST(Sha256, MatchesKnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

// The problem package format's default output validator, flag by flag.
judge::v1::Checker Flags(std::vector<std::string> flags) {
  google::protobuf::RepeatedPtrField<std::string> field(flags.begin(), flags.end());
  judge::v1::Checker base;
  base.set_kind(judge::v1::CHECKER_KIND_DEFAULT_VALIDATOR);
  absl::StatusOr<judge::v1::Checker> c = WithValidatorFlags(base, field);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : base;
}

TEST(DefaultValidator, TokensIgnoreCaseAndSpacingByDefault) {
  const judge::v1::Checker none = Flags({});
  EXPECT_TRUE(CheckDefaultValidator("Yes 3\n", "yES   3", none).accepted);
  EXPECT_TRUE(CheckDefaultValidator("a\nb\n", "a b", none).accepted);
  EXPECT_FALSE(CheckDefaultValidator("3\n", "3.0\n", none).accepted);  // no tolerance: text
  CheckOutcome extra = CheckDefaultValidator("1 2\n", "1 2 3\n", none);
  EXPECT_FALSE(extra.accepted);
  EXPECT_EQ(extra.message, "extra output after 2 tokens: \"3\"");
  CheckOutcome shorter = CheckDefaultValidator("1 2\n", "1\n", none);
  EXPECT_EQ(shorter.message, "output ends after 1 tokens; expected \"2\" next");
  EXPECT_TRUE(CheckDefaultValidator("", "\n \n", none).accepted);
}

TEST(DefaultValidator, CaseAndSpaceSensitiveFlags) {
  EXPECT_FALSE(CheckDefaultValidator("Yes\n", "yes\n", Flags({"case_sensitive"})).accepted);
  EXPECT_TRUE(CheckDefaultValidator("Yes\n", "Yes\n", Flags({"case_sensitive"})).accepted);
  const judge::v1::Checker space = Flags({"space_change_sensitive"});
  EXPECT_TRUE(CheckDefaultValidator("1 2\n", "1 2\n", space).accepted);
  CheckOutcome two_spaces = CheckDefaultValidator("1 2\n", "1  2\n", space);
  EXPECT_FALSE(two_spaces.accepted);
  EXPECT_EQ(two_spaces.message, "space before token 2: expected \" \", got \"  \"");
  EXPECT_FALSE(CheckDefaultValidator("1 2\n", "1\n2\n", space).accepted);
}

TEST(DefaultValidator, FloatTolerances) {
  const judge::v1::Checker both = Flags({"float_tolerance", "1e-6"});
  EXPECT_TRUE(CheckDefaultValidator("2.5\n", "2.5000001\n", both).accepted);
  EXPECT_TRUE(CheckDefaultValidator("1000000\n", "1000000.5\n", both).accepted);  // relative
  EXPECT_FALSE(CheckDefaultValidator("2.5\n", "2.51\n", both).accepted);
  EXPECT_FALSE(CheckDefaultValidator("2.5\n", "two\n", both).accepted);
  EXPECT_TRUE(CheckDefaultValidator("mean 2.5\n", "MEAN 2.5\n", both).accepted);
  const judge::v1::Checker abs = Flags({"float_absolute_tolerance", "0.1"});
  EXPECT_TRUE(CheckDefaultValidator("1000\n", "1000.05\n", abs).accepted);
  EXPECT_FALSE(CheckDefaultValidator("1000\n", "1000.5\n", abs).accepted);
  const judge::v1::Checker rel = Flags({"float_relative_tolerance", "0.01"});
  EXPECT_TRUE(CheckDefaultValidator("1000\n", "1005\n", rel).accepted);
  EXPECT_FALSE(CheckDefaultValidator("0.001\n", "0.002\n", rel).accepted);
  // inf and nan equal only themselves.
  EXPECT_TRUE(CheckDefaultValidator("inf\n", "inf\n", both).accepted);
  EXPECT_FALSE(CheckDefaultValidator("inf\n", "1e308\n", both).accepted);
}

TEST(DefaultValidator, BadFlagsAreNamed) {
  google::protobuf::RepeatedPtrField<std::string> missing;
  missing.Add("float_tolerance");
  absl::StatusOr<judge::v1::Checker> c = WithValidatorFlags(judge::v1::Checker(), missing);
  EXPECT_EQ(c.status().message(), "validator flag float_tolerance needs a number >= 0 after it");
  google::protobuf::RepeatedPtrField<std::string> unknown;
  unknown.Add("case_insensitive");
  c = WithValidatorFlags(judge::v1::Checker(), unknown);
  EXPECT_TRUE(absl::StartsWith(c.status().message(), "unknown flag \"case_insensitive\""));
}

}  // namespace
}  // namespace judge
