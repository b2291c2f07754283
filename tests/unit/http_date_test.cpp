// HTTP dates for Last-Modified and the If-(Un)Modified-Since conditions (RFC 9110 §5.6.7).
#include <gtest/gtest.h>

#include "tachyon/http/http_date.hpp"

namespace tachyon::http {
namespace {

TEST(HttpDate, FormatsAndParsesImfFixdate) {
  EXPECT_EQ(format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date(format_http_date(1'800'000'000)), 1'800'000'000);
}

TEST(HttpDate, RejectsAnythingElse) {
  EXPECT_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));  // RFC 850 form
  EXPECT_FALSE(parse_http_date("Sun Nov  6 08:49:37 1994"));        // asctime form
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"));
  EXPECT_FALSE(parse_http_date("Xyz, 06 Nov 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 32 Nov 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 0a Nov 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date(""));
}

}  // namespace
}  // namespace tachyon::http
