// The CDN purge hook against a stand-in for Cloudflare's purge API (tests/support/cloudflare_purge_fake,
// which refuses anything but Cloudflare's exact request): the purger on its own (one call for names
// queued together, batches of 30, retries on 503 and 429, no retry on 403, an unreachable CDN counted),
// then the server: a product write purges exactly the names its GET carried in Cache-Tag and
// Surrogate-Key, also with the server's own cache off, the admin invalidation purges its tag, and a
// down CDN never fails or delays a write nor shows the token.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/acme_support.hpp"
#include "support/cloudflare_purge_fake.hpp"
#include "tachyon/cache/cdn_purge.hpp"
#include "tachyon/observe/exposition.hpp"

namespace tachyon::testing {
namespace {

using namespace std::chrono_literals;
using Tags = std::vector<std::string>;
constexpr std::string_view token = "cf-purge-token-4f1c9a";

std::string metric_line(observe::Registry& registry, std::string_view outcome) {
  std::string text = observe::render_metrics(registry.snapshot(), observe::ExpositionFormat::prometheus_text);
  std::string series = "tachyon_cdn_purge_requests_total{outcome=\"" + std::string(outcome) + "\"} ";
  std::size_t at = text.find(series);
  return at == std::string::npos ? "" : text.substr(at, text.find('\n', at) - at);
}

class CdnPurgerAlone : public ::testing::Test {
 protected:
  cache::CdnPurger& purger(std::string url, std::string bearer = std::string(token)) {
    purger_ = std::make_unique<cache::CdnPurger>(
        cache::CdnPurgeOptions{.url = std::move(url), .token = std::move(bearer), .first_backoff = 20ms}, registry_);
    return *purger_;
  }
  // Runs the loop until `done` holds, at most 10 s.
  void run_until(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_for(10ms);
    }
  }
  // Runs the loop for a while longer, for calls that must not happen.
  void run_for(std::chrono::milliseconds duration) {
    io_.restart();
    io_.run_for(duration);
  }
  std::string counted(std::string_view outcome) { return metric_line(registry_, outcome); }

  observe::Registry registry_;
  boost::asio::io_context io_;
  CloudflarePurgeFake cdn_{"zone-one", std::string(token)};
  std::unique_ptr<cache::CdnPurger> purger_;
};

TEST_F(CdnPurgerAlone, NamesQueuedTogetherGoOutInOneCallWithoutRepeats) {
  cache::CdnPurger& hook = purger(cdn_.purge_url());
  hook.purge(io_.get_executor(), {"products:7", "products:list"});
  hook.purge(io_.get_executor(), {"products:8", "products:list"});
  hook.purge(io_.get_executor(), {});
  run_until([&] { return !cdn_.purges().empty(); });
  run_for(200ms);
  ASSERT_EQ(cdn_.purges().size(), 1u);
  EXPECT_EQ(cdn_.purges()[0], (Tags{"products:7", "products:8", "products:list"}));
  EXPECT_EQ(cdn_.refused(), 0u);
  EXPECT_EQ(counted("purged"), R"(tachyon_cdn_purge_requests_total{outcome="purged"} 1)");
}

TEST_F(CdnPurgerAlone, MoreThanThirtyNamesAreSplitIntoCallsOfThirty) {
  cache::CdnPurger& hook = purger(cdn_.purge_url());
  std::vector<std::string> names;
  for (int index = 0; index < 70; ++index) names.push_back("products:" + std::to_string(1000 + index));
  hook.purge(io_.get_executor(), names);
  run_until([&] { return cdn_.purges().size() >= 3; });
  std::vector<std::vector<std::string>> calls = cdn_.purges();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].size(), 30u);
  EXPECT_EQ(calls[1].size(), 30u);
  EXPECT_EQ(calls[2].size(), 10u);
  EXPECT_EQ(cdn_.purged_tags(), names);  // every name, once
  EXPECT_EQ(cdn_.refused(), 0u);
}

TEST_F(CdnPurgerAlone, UnavailableAndThrottledAnswersAreRetriedUntilThePurgeLands) {
  cache::CdnPurger& hook = purger(cdn_.purge_url());
  cdn_.fail_next(2, 503);
  hook.purge(io_.get_executor(), {"products:list"});
  // Until the purger has read the answer too: the fake records the purge before it answers.
  run_until([&] { return !cdn_.purges().empty() && counted("purged").ends_with(" 1"); });
  EXPECT_EQ(cdn_.calls(), 3u);
  EXPECT_EQ(cdn_.purges(), (std::vector<Tags>{{"products:list"}}));
  EXPECT_EQ(counted("retried"), R"(tachyon_cdn_purge_requests_total{outcome="retried"} 2)");
  EXPECT_EQ(counted("purged"), R"(tachyon_cdn_purge_requests_total{outcome="purged"} 1)");

  cdn_.fail_next(1, 429);  // with Retry-After: 1, which the next attempt waits out
  auto asked = std::chrono::steady_clock::now();
  hook.purge(io_.get_executor(), {"products:9"});
  run_until([&] { return cdn_.purges().size() >= 2 && counted("purged").ends_with(" 2"); });
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 1s);
  EXPECT_EQ(cdn_.purges().back(), (Tags{"products:9"}));
  EXPECT_EQ(counted("retried"), R"(tachyon_cdn_purge_requests_total{outcome="retried"} 3)");
}

TEST_F(CdnPurgerAlone, RetriesStopAfterThreeAttempts) {
  cache::CdnPurger& hook = purger(cdn_.purge_url());
  cdn_.fail_next(10, 503);
  hook.purge(io_.get_executor(), {"products:list"});
  run_until([&] { return counted("failed").ends_with(" 1"); });
  run_for(300ms);
  EXPECT_EQ(cdn_.calls(), 3u);
  EXPECT_TRUE(cdn_.purges().empty());
  EXPECT_EQ(counted("failed"), R"(tachyon_cdn_purge_requests_total{outcome="failed"} 1)");
}

TEST_F(CdnPurgerAlone, AWrongTokenIsRefusedOnceAndNotRetried) {
  cache::CdnPurger& hook = purger(cdn_.purge_url(), "not-the-token");
  hook.purge(io_.get_executor(), {"products:list"});
  run_until([&] { return cdn_.refused() > 0; });
  run_for(300ms);
  EXPECT_EQ(cdn_.calls(), 1u);
  EXPECT_EQ(cdn_.refused(), 1u);
  EXPECT_TRUE(cdn_.purges().empty());
  EXPECT_EQ(counted("failed"), R"(tachyon_cdn_purge_requests_total{outcome="failed"} 1)");
  EXPECT_EQ(counted("retried"), R"(tachyon_cdn_purge_requests_total{outcome="retried"} 0)");
}

TEST_F(CdnPurgerAlone, AnUnreachableCdnIsCountedAsFailed) {
  cache::CdnPurger& hook = purger("http://127.0.0.1:1/client/v4/zones/zone-two/purge_cache");  // nothing listens
  hook.purge(io_.get_executor(), {"products:list"});
  run_until([&] { return counted("failed").ends_with(" 1"); });
  EXPECT_EQ(counted("failed"), R"(tachyon_cdn_purge_requests_total{outcome="failed"} 1)");
  EXPECT_EQ(counted("retried"), R"(tachyon_cdn_purge_requests_total{outcome="retried"} 2)");
}

TEST(CdnPurgerOptions, AUrlWithCredentialsOrAnotherSchemeIsRefused) {
  observe::Registry registry;
  EXPECT_THROW(cache::CdnPurger(cache::CdnPurgeOptions{.url = "ftp://cdn.example/purge"}, registry),
               std::invalid_argument);
  EXPECT_THROW(cache::CdnPurger(cache::CdnPurgeOptions{.url = "https://user:secret@cdn.example/purge"}, registry),
               std::invalid_argument);
}

std::string product_body(std::string_view name) {
  return R"({"sku":"CDN-)" + unique_suffix() + R"(","name":")" + std::string(name) +
         R"(","category":"cdn-test","price_cents":1500,"stock":4})";
}

// The comma-separated Cache-Tag of a response, as a sorted list.
Tags cache_tags(const HttpResponse& response) {
  Tags tags;
  std::istringstream list(response.header("cache-tag"));
  for (std::string tag; std::getline(list, tag, ',');) tags.push_back(tag);
  std::sort(tags.begin(), tags.end());
  return tags;
}

std::string metric_of(const AcmeServer& server, std::string_view outcome) {
  std::string text = server.call("GET", "/metrics").body;
  std::string series = "tachyon_cdn_purge_requests_total{outcome=\"" + std::string(outcome) + "\"} ";
  std::size_t at = text.find(series);
  return at == std::string::npos ? "" : text.substr(at + series.size(), text.find('\n', at) - at - series.size());
}

class CdnPurgeThroughTheServer : public ::testing::TestWithParam<bool> {};

TEST_P(CdnPurgeThroughTheServer, AProductWritePurgesTheNamesItsAnswersCarried) {
  bool server_cache_on = GetParam();
  CloudflarePurgeFake cdn("zone-acme", std::string(token));
  std::map<std::string, std::string> environment{{"TACHYON_CDN_PURGE_URL", cdn.purge_url()},
                                                 {"TACHYON_CDN_PURGE_TOKEN", std::string(token)}};
  if (!server_cache_on) {
    environment["TACHYON_CACHE_PRODUCTS"] = "off";
    environment["TACHYON_CACHE_PRODUCT_LISTS"] = "off";
  }
  AcmeServer server({}, environment);
  std::int64_t id = server.create("/v1/products", product_body("Purged Lamp"));
  ASSERT_TRUE(cdn.wait_for_purges(1));  // the create purged every list page
  EXPECT_EQ(cdn.purges().back(), (Tags{"products:list"}));

  std::string path = "/v1/products/" + std::to_string(id);
  HttpResponse single = server.call_anonymous("GET", path);
  HttpResponse list = server.call_anonymous("GET", "/v1/products?category=cdn-test");
  ASSERT_EQ(single.status, 200);
  ASSERT_EQ(list.status, 200);
  Tags single_tags = cache_tags(single);
  ASSERT_EQ(single_tags, (Tags{"products:" + std::to_string(id)}));
  EXPECT_NE(single.header("surrogate-key").find("products:" + std::to_string(id)), std::string::npos);
  ASSERT_NE(std::find(cache_tags(list).begin(), cache_tags(list).end(), "products:list"), cache_tags(list).end());

  HttpResponse patched = server.call("PATCH", path, R"({"price_cents":1700})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  ASSERT_TRUE(cdn.wait_for_purges(2));
  EXPECT_EQ(cdn.purges().back(), (Tags{"products:" + std::to_string(id), "products:list"}));
  EXPECT_EQ(cdn.refused(), 0u);
  EXPECT_EQ(metric_of(server, "purged"), "2");
}

INSTANTIATE_TEST_SUITE_P(ServerCache, CdnPurgeThroughTheServer, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "On" : "Off"; });

TEST(CdnPurgeAdmin, InvalidatingATagThroughTheAdminRoutePurgesItFromTheCdn) {
  CloudflarePurgeFake cdn("zone-admin", std::string(token));
  AcmeServer server({}, {{"TACHYON_CDN_PURGE_URL", cdn.purge_url()}, {"TACHYON_CDN_PURGE_TOKEN", std::string(token)}});
  ASSERT_EQ(server.call("DELETE", "/v1/admin/cache?tag=products:list&key=products:3").status, 200);
  ASSERT_TRUE(cdn.wait_for_purges(1));
  EXPECT_EQ(cdn.purges()[0], (Tags{"products:3", "products:list"}));
}

TEST(CdnPurgeDown, AWriteSucceedsAtOnceWhileTheCdnIsDownAndTheFailureIsCountedNotTheToken) {
  const std::string secret_token = "cf-secret-token-never-logged-93b2";
  AcmeServer server({}, {{"TACHYON_CDN_PURGE_URL", "http://127.0.0.1:1/client/v4/zones/z/purge_cache"},
                         {"TACHYON_CDN_PURGE_TOKEN", secret_token}});
  auto started = std::chrono::steady_clock::now();
  server.create("/v1/products", product_body("Unpurged Lamp"));
  // The purge waits 500 ms + 1 s between its attempts; the write does not wait for any of them.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1400ms);
  std::string failed;
  for (int attempt = 0; attempt < 100 && failed.empty(); ++attempt) {
    std::this_thread::sleep_for(100ms);
    failed = metric_of(server, "failed");
    if (failed == "0") failed.clear();
  }
  EXPECT_EQ(failed, "1");
  EXPECT_EQ(metric_of(server, "retried"), "2");
  std::string log = server.process().wait_for_output("CDN purge failed");
  EXPECT_NE(log.find("CDN purge failed"), std::string::npos);
  EXPECT_EQ(log.find(secret_token), std::string::npos);
}

}  // namespace
}  // namespace tachyon::testing
