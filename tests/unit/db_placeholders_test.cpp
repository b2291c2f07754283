// PostgreSQL placeholders: `?` becomes `$1..$n` in order, except inside string literals (with doubled
// quotes), quoted identifiers and line comments.
#include <gtest/gtest.h>

#include "tachyon/db/postgres_connection.hpp"

namespace tachyon::db {
namespace {

TEST(NumberedPlaceholders, NumbersOnlyRealPlaceholders) {
  int parameters = -1;
  EXPECT_EQ(numbered_placeholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?)", parameters),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
  EXPECT_EQ(parameters, 3);
  EXPECT_EQ(numbered_placeholders("SELECT '?', 'it''s ?', \"odd?name\" -- why?\nFROM t WHERE x = ?", parameters),
            "SELECT '?', 'it''s ?', \"odd?name\" -- why?\nFROM t WHERE x = $1");
  EXPECT_EQ(parameters, 1);
  EXPECT_EQ(numbered_placeholders("SELECT 1", parameters), "SELECT 1");
  EXPECT_EQ(parameters, 0);
  EXPECT_EQ(numbered_placeholders("SELECT 'unterminated ?", parameters), "SELECT 'unterminated ?");
  EXPECT_EQ(parameters, 0);
}

}  // namespace
}  // namespace tachyon::db
