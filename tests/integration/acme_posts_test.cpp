// GET /v1/posts/{id} against an upstream stub started here: the upstream's JSON unchanged, cached;
// 404 passed on, 502 when unreachable, 504 when too slow, the kept copy (X-Cache: STALE) while the
// upstream fails, one upstream call for many concurrent misses, and 503 when no upstream is set.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "support/acme_support.hpp"
#include "support/upstream_stub.hpp"

namespace tachyon::testing {
namespace {

TEST(AcmePosts, AnswersTheUpstreamsPostUnchangedAndCachesIt) {
  UpstreamStub upstream;
  AcmeServer server({}, {{"POSTS_UPSTREAM_URL", upstream.url()}});
  HttpResponse first = server.call("GET", "/v1/posts/1");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.body, UpstreamStub::post_json(1));
  EXPECT_EQ(first.header("x-cache"), "MISS");
  EXPECT_EQ(first.header("content-type"), "application/json");
  HttpResponse second = server.call("GET", "/v1/posts/1");
  EXPECT_EQ(second.header("x-cache"), "HIT");
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(upstream.requests(), 1u);
}

TEST(AcmePosts, AnUpstream404IsA404AndIsNotCached) {
  UpstreamStub upstream;
  AcmeServer server({}, {{"POSTS_UPSTREAM_URL", upstream.url()}});
  HttpResponse missing = server.call("GET", "/v1/posts/1000");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("content-type"), "application/problem+json");
  server.call("GET", "/v1/posts/1000");
  EXPECT_EQ(upstream.requests(), 2u);
}

TEST(AcmePosts, AnUnreachableUpstreamIsA502) {
  UpstreamStub upstream;
  AcmeServer server({}, {{"POSTS_UPSTREAM_URL", upstream.url()}});
  upstream.stop_listening();
  HttpResponse response = server.call("GET", "/v1/posts/2");
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(response.body.find("127.0.0.1"), std::string::npos) << "no internals: " << response.body;
}

TEST(AcmePosts, AnUpstreamSlowerThanItsTimeoutIsA504) {
  UpstreamStub upstream;
  upstream.set_delay(2000ms);
  AcmeServer server({}, {{"POSTS_UPSTREAM_URL", upstream.url()}, {"TACHYON_UPSTREAM_TIMEOUT", "200ms"}});
  EXPECT_EQ(server.call("GET", "/v1/posts/3").status, 504);
}

TEST(AcmePosts, WhileTheUpstreamIsDownTheKeptCopyAnswersAsStale) {
  UpstreamStub upstream;
  AcmeServer server({}, {{"POSTS_UPSTREAM_URL", upstream.url()}, {"TACHYON_CACHE_POSTS", "ttl=1s stale=0 error=1h"}});
  ASSERT_EQ(server.call("GET", "/v1/posts/4").status, 200);
  upstream.stop_listening();
  std::this_thread::sleep_for(1100ms);  // past the TTL: the copy is kept only for errors now
  HttpResponse stale = server.call("GET", "/v1/posts/4");
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.header("x-cache"), "STALE");
  EXPECT_EQ(stale.body, UpstreamStub::post_json(4));
  EXPECT_EQ(server.call("GET", "/v1/posts/5").status, 502) << "no copy of post 5";
}

TEST(AcmePosts, PastItsTtlACopyIsServedStaleWhileOneRefreshRuns) {
  UpstreamStub upstream;
  AcmeServer server({}, {{"POSTS_UPSTREAM_URL", upstream.url()}, {"TACHYON_CACHE_POSTS", "ttl=1s stale=1h"}});
  ASSERT_EQ(server.call("GET", "/v1/posts/6").status, 200);
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(server.call("GET", "/v1/posts/6").header("x-cache"), "STALE");
  std::string outcome;
  for (int attempt = 0; attempt < 200 && outcome != "HIT"; ++attempt) {
    std::this_thread::sleep_for(20ms);
    outcome = server.call("GET", "/v1/posts/6").header("x-cache");
  }
  EXPECT_EQ(outcome, "HIT") << "the refreshed copy replaced the stale one";
  EXPECT_EQ(upstream.requests(), 2u) << "one background refresh, however many stale answers";
}

TEST(AcmePosts, ConcurrentMissesCallTheUpstreamOnce) {
  UpstreamStub upstream;
  upstream.set_delay(200ms);
  AcmeServer server({}, {{"POSTS_UPSTREAM_URL", upstream.url()}, {"TACHYON_WORKERS", "2"}});
  std::vector<std::future<HttpResponse>> answers;
  for (int index = 0; index < 20; ++index) {
    answers.push_back(std::async(std::launch::async, [&server] { return server.call("GET", "/v1/posts/8"); }));
  }
  for (auto& answer : answers) EXPECT_EQ(answer.get().body, UpstreamStub::post_json(8));
  EXPECT_EQ(upstream.requests(), 1u);
}

TEST(AcmePosts, WithoutAnUpstreamTheRouteAnswers503) {
  AcmeServer server;
  EXPECT_EQ(server.call("GET", "/v1/posts/1").status, 503);
}

}  // namespace
}  // namespace tachyon::testing
