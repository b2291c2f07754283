#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tachyon/config/dotenv.hpp"

namespace tachyon::config {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs parse_pairs(std::string_view text) {
  auto parsed = parse_dotenv(text);
  if (auto* error = std::get_if<DotenvError>(&parsed)) {
    ADD_FAILURE() << "line " << error->line << ": " << error->message;
    return {};
  }
  Pairs pairs;
  for (const DotenvEntry& entry : std::get<std::vector<DotenvEntry>>(parsed)) {
    pairs.emplace_back(entry.key, entry.value);
  }
  return pairs;
}

// "line: message", so a failing expectation shows both at once.
std::string parse_error(std::string_view text) {
  auto parsed = parse_dotenv(text);
  auto* error = std::get_if<DotenvError>(&parsed);
  if (error == nullptr) {
    return "(no error)";
  }
  return std::to_string(error->line) + ": " + error->message;
}

TEST(ConfigDotenv, ParsesKeyValueLinesSkippingCommentsAndBlankLines) {
  EXPECT_EQ(parse_pairs("# comment\n\nA=1\n   \n  # indented comment\nB=two\n"), (Pairs{{"A", "1"}, {"B", "two"}}));
}

TEST(ConfigDotenv, EmptyInputHasNoEntries) {
  EXPECT_EQ(parse_pairs(""), Pairs{});
}

TEST(ConfigDotenv, RecordsOneBasedLineNumbersCountingSkippedLines) {
  auto parsed = parse_dotenv("# c\n\nA=1\n");
  const auto& entries = std::get<std::vector<DotenvEntry>>(parsed);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].line, 3);
}

TEST(ConfigDotenv, TrimsWhitespaceAroundKeyEqualsAndValue) {
  EXPECT_EQ(parse_pairs("  A  =  spaced value  \n\tB=\tx\t\n"), (Pairs{{"A", "spaced value"}, {"B", "x"}}));
}

TEST(ConfigDotenv, AcceptsAnOptionalExportPrefix) {
  EXPECT_EQ(parse_pairs("export A=1\nexport\tB=2\nexportC=3\n"), (Pairs{{"A", "1"}, {"B", "2"}, {"exportC", "3"}}));
}

TEST(ConfigDotenv, SingleQuotedValuesAreLiteral) {
  EXPECT_EQ(parse_pairs(R"(A='  a\nb # not a comment "q" ')"
                        "\n"),
            (Pairs{{"A", R"(  a\nb # not a comment "q" )"}}));
}

TEST(ConfigDotenv, DoubleQuotedValuesUnescapeNewlineQuoteAndBackslash) {
  EXPECT_EQ(parse_pairs(R"(A="line1\nline2 \"quoted\" back\\slash # kept\ttab")"),
            (Pairs{{"A", "line1\nline2 \"quoted\" back\\slash # kept\ttab"}}));
}

TEST(ConfigDotenv, CommentMayFollowAClosingQuote) {
  EXPECT_EQ(parse_pairs("A='x' # note\nB=\"y\"   # note\n"), (Pairs{{"A", "x"}, {"B", "y"}}));
}

TEST(ConfigDotenv, InlineCommentNeedsWhitespaceBeforeTheHash) {
  EXPECT_EQ(parse_pairs("A=value # note\nB=page#anchor\nC=#hash\nD= # only a comment\n"),
            (Pairs{{"A", "value"}, {"B", "page#anchor"}, {"C", "#hash"}, {"D", ""}}));
}

TEST(ConfigDotenv, EmptyValuesAreAllowed) {
  EXPECT_EQ(parse_pairs("A=\nB=''\nC=\"\"\n"), (Pairs{{"A", ""}, {"B", ""}, {"C", ""}}));
}

TEST(ConfigDotenv, ValueMayContainEqualsSigns) {
  EXPECT_EQ(parse_pairs("URL=postgres://u@h/db?sslmode=require\n"),
            (Pairs{{"URL", "postgres://u@h/db?sslmode=require"}}));
}

TEST(ConfigDotenv, HandlesWindowsLineEndingsAndByteOrderMark) {
  EXPECT_EQ(parse_pairs("\xEF\xBB\xBF"
                        "A=1\r\nB='2'\r\n"),
            (Pairs{{"A", "1"}, {"B", "2"}}));
}

TEST(ConfigDotenv, LineWithoutEqualsIsAnErrorWithItsLineNumber) {
  EXPECT_EQ(parse_error("A=1\n# c\n\nB=2\n\nC=3\nNOT A SETTING\n"), "7: expected KEY=VALUE");
  EXPECT_EQ(parse_error("export\n"), "1: expected KEY=VALUE");
}

TEST(ConfigDotenv, InvalidKeyIsAnError) {
  const std::string message = "expected KEY=VALUE where KEY is letters, digits and _ (not starting with a digit)";
  EXPECT_EQ(parse_error("1A=x\n"), "1: " + message);
  EXPECT_EQ(parse_error("A-B=x\n"), "1: " + message);
  EXPECT_EQ(parse_error("=x\n"), "1: " + message);
  EXPECT_EQ(parse_error("MY KEY=x\n"), "1: " + message);
}

TEST(ConfigDotenv, UnterminatedQuotesAreErrors) {
  EXPECT_EQ(parse_error("A=1\nB='open\n"), "2: unterminated single-quoted value");
  EXPECT_EQ(parse_error("A=\"open\nB=2\"\n"), "1: unterminated double-quoted value");
  EXPECT_EQ(parse_error("A=\"ends with escape\\\"\n"), "1: unterminated double-quoted value");
}

TEST(ConfigDotenv, TextAfterAClosingQuoteIsAnError) {
  EXPECT_EQ(parse_error("A='x'y\n"), "1: unexpected text after the closing quote");
  EXPECT_EQ(parse_error("A=\"x\"#no-space\n"), "1: unexpected text after the closing quote");
}

TEST(ConfigDotenv, UnknownEscapeInDoubleQuotesIsAnError) {
  EXPECT_EQ(parse_error(R"(A="C:\path")"), R"(1: unknown escape in double-quoted value (use \n, \t, \r, \" or \\))");
}

TEST(ConfigDotenv, RepeatedKeyIsAnErrorNamingTheFirstLine) {
  EXPECT_EQ(parse_error("A=1\nB=2\nA=3\n"), "3: A is already set on line 1");
}

}  // namespace
}  // namespace tachyon::config
