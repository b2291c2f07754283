#include "tachyon/json/problem.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tachyon/json/status.hpp"

namespace tachyon::json {
namespace {

TEST(JsonProblemTest, ValidationProblemListsEveryFieldError) {
  Problem problem;
  problem.status = 422;
  problem.title = "Unprocessable Content";
  problem.detail = "the request body failed validation";
  problem.errors = {{"items[0].quantity", "must be >= 1"}, {"email", "is required"}};
  std::string out;
  write_problem(out, problem, "req-1");
  EXPECT_EQ(out, R"({"type":"about:blank","title":"Unprocessable Content","status":422,)"
                 R"("detail":"the request body failed validation","request_id":"req-1",)"
                 R"("errors":[{"field":"items[0].quantity","message":"must be >= 1"},)"
                 R"({"field":"email","message":"is required"}]})");
}

TEST(JsonProblemTest, InstanceAndCustomTypeAreWrittenWhenSet) {
  Problem problem;
  problem.status = 404;
  problem.title = "Not Found";
  problem.detail = "no order 7";
  problem.type = "https://tachyon.dev/problems/missing";
  problem.instance = "/v1/orders/7";
  std::string out;
  write_problem(out, problem, "abc");
  EXPECT_EQ(out, R"({"type":"https://tachyon.dev/problems/missing","title":"Not Found","status":404,)"
                 R"("detail":"no order 7","instance":"/v1/orders/7","request_id":"abc"})");
}

TEST(JsonProblemTest, EmptyTitleFallsBackToTheReasonPhrase) {
  Problem problem;
  problem.status = 503;
  std::string out;
  write_problem(out, problem);
  EXPECT_EQ(out, R"({"type":"about:blank","title":"Service Unavailable","status":503})");
}

TEST(JsonProblemTest, EmptyDetailRequestIdAndErrorsAreOmitted) {
  Problem problem;
  problem.status = 400;
  problem.title = "Bad Request";
  std::string out;
  write_problem(out, problem, "");
  EXPECT_EQ(out, R"({"type":"about:blank","title":"Bad Request","status":400})");
}

TEST(JsonProblemTest, TextIsEscaped) {
  Problem problem;
  problem.status = 400;
  problem.title = "Bad Request";
  problem.detail = "malformed JSON: \"x\"\n";
  problem.errors = {{"a\\b", "tab\there"}};
  std::string out;
  write_problem(out, problem, "id\"1");
  EXPECT_EQ(out, R"({"type":"about:blank","title":"Bad Request","status":400,"detail":"malformed JSON: \"x\"\n",)"
                 R"("request_id":"id\"1","errors":[{"field":"a\\b","message":"tab\there"}]})");
}

TEST(JsonProblemTest, AppendsToTheBuffer) {
  Problem problem;
  problem.status = 500;
  std::string out = "x";
  write_problem(out, problem);
  EXPECT_EQ(out, R"(x{"type":"about:blank","title":"Internal Server Error","status":500})");
}

TEST(JsonProblemTest, FieldErrorsCompareByValue) {
  EXPECT_EQ((FieldError{"a", "b"}), (FieldError{"a", "b"}));
  EXPECT_NE((FieldError{"a", "b"}), (FieldError{"a", "c"}));
}

TEST(JsonStatusTest, KnownStatusesHaveTheirRfc9110Phrases) {
  EXPECT_EQ(reason_phrase(100), "Continue");
  EXPECT_EQ(reason_phrase(101), "Switching Protocols");
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(201), "Created");
  EXPECT_EQ(reason_phrase(202), "Accepted");
  EXPECT_EQ(reason_phrase(204), "No Content");
  EXPECT_EQ(reason_phrase(206), "Partial Content");
  EXPECT_EQ(reason_phrase(301), "Moved Permanently");
  EXPECT_EQ(reason_phrase(302), "Found");
  EXPECT_EQ(reason_phrase(304), "Not Modified");
  EXPECT_EQ(reason_phrase(307), "Temporary Redirect");
  EXPECT_EQ(reason_phrase(308), "Permanent Redirect");
  EXPECT_EQ(reason_phrase(400), "Bad Request");
  EXPECT_EQ(reason_phrase(401), "Unauthorized");
  EXPECT_EQ(reason_phrase(403), "Forbidden");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(405), "Method Not Allowed");
  EXPECT_EQ(reason_phrase(406), "Not Acceptable");
  EXPECT_EQ(reason_phrase(408), "Request Timeout");
  EXPECT_EQ(reason_phrase(409), "Conflict");
  EXPECT_EQ(reason_phrase(410), "Gone");
  EXPECT_EQ(reason_phrase(411), "Length Required");
  EXPECT_EQ(reason_phrase(412), "Precondition Failed");
  EXPECT_EQ(reason_phrase(413), "Content Too Large");
  EXPECT_EQ(reason_phrase(414), "URI Too Long");
  EXPECT_EQ(reason_phrase(415), "Unsupported Media Type");
  EXPECT_EQ(reason_phrase(416), "Range Not Satisfiable");
  EXPECT_EQ(reason_phrase(417), "Expectation Failed");
  EXPECT_EQ(reason_phrase(422), "Unprocessable Content");
  EXPECT_EQ(reason_phrase(425), "Too Early");
  EXPECT_EQ(reason_phrase(426), "Upgrade Required");
  EXPECT_EQ(reason_phrase(428), "Precondition Required");
  EXPECT_EQ(reason_phrase(429), "Too Many Requests");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(500), "Internal Server Error");
  EXPECT_EQ(reason_phrase(501), "Not Implemented");
  EXPECT_EQ(reason_phrase(502), "Bad Gateway");
  EXPECT_EQ(reason_phrase(503), "Service Unavailable");
  EXPECT_EQ(reason_phrase(504), "Gateway Timeout");
  EXPECT_EQ(reason_phrase(505), "HTTP Version Not Supported");
}

TEST(JsonStatusTest, UnlistedStatusIsUnknown) {
  EXPECT_EQ(reason_phrase(299), "Unknown");
  EXPECT_EQ(reason_phrase(0), "Unknown");
  EXPECT_EQ(reason_phrase(-1), "Unknown");
  EXPECT_EQ(reason_phrase(999), "Unknown");
}

}  // namespace
}  // namespace tachyon::json
