// Acme on PostgreSQL with a streaming read replica (pg_basebackup -R), seen over HTTP: reads go to the
// replica; a caller reads its own write while the replica's replay is paused (the read goes to the
// primary) while another caller still reads from the replica; the lag shows in the metrics; a stopped
// replica sends reads to the primary; a stopped primary fails writes with 503 while reads continue.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/acme_support.hpp"
#include "support/postgres_server.hpp"

namespace tachyon::testing {
namespace {

using namespace std::chrono_literals;

class AcmePostgresReplica : public ::testing::Test {
 protected:
  PostgresServer primary;
  PostgresReplica replica{primary};
  AcmeServer server{{"--workers", "2"},
                    {{"DATABASE_URL", primary.url()},
                     {"DATABASE_REPLICA_URLS", replica.url()},
                     {"TACHYON_DB_REPLICA_MAX_LAG", "30s"}}};

  // The value of the series `series` (name with its labels) in /metrics; -1 when it is not there.
  double metric(const std::string& series) const {
    std::string text = server.call_anonymous("GET", "/metrics").body;
    std::size_t at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
  }
  // Waits up to 2 s for the series to satisfy `wanted`.
  template <class Wanted>
  bool metric_becomes(const std::string& series, Wanted wanted) const {
    for (int attempt = 0; attempt < 40; ++attempt) {
      if (wanted(metric(series))) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  double routed(const std::string& route) const {
    return metric(R"(tachyon_db_read_routes_total{route=")" + route + R"("})");
  }
  // Waits until the replica has replayed everything and the monitor has seen it do so (so the read
  // router knows every write so far is there).
  bool replica_caught_up() const {
    return replica.wait_caught_up(primary, 10s) && metric_becomes(R"(tachyon_db_replica_lag_bytes{replica="replica0"})",
                                                                  [](double bytes) { return bytes == 0; });
  }
  // Waits until the monitor has seen the replica take reads (1) or not (0).
  bool replica_up_becomes(double value) const {
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (metric(R"(tachyon_db_replica_up{replica="replica0"})") == value) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  std::int64_t new_product(int stock) const {
    return server.create("/v1/products", R"({"sku":"R-)" + unique_suffix() + R"(","name":"Replicated )" +
                                             unique_suffix() + R"(","category":"misc","price_cents":100,"stock":)" +
                                             std::to_string(stock) + "}");
  }
  static std::string order_for(std::int64_t user, std::int64_t product) {
    return R"({"user_id":)" + std::to_string(user) + R"(,"items":[{"product_id":)" + std::to_string(product) +
           R"(,"quantity":1}]})";
  }
};

TEST_F(AcmePostgresReplica, ACallerReadsItsOwnWriteWhileTheReplicaLagsAndOthersStillReadTheReplica) {
  AcmeServer::Caller buyer = server.new_caller("user");
  std::int64_t product = new_product(5);
  ASSERT_TRUE(replica_caught_up());
  ASSERT_TRUE(replica_up_becomes(1));

  const double replica_reads = routed("replica");
  HttpResponse listed =
      server.call_anonymous("GET", "/v1/users/" + std::to_string(buyer.id) + "/orders", "", buyer.headers);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_GT(routed("replica"), replica_reads) << "a read with nothing new to see goes to the replica";

  replica.pause_replay();
  HttpResponse placed = server.call_anonymous("POST", "/v1/orders", order_for(buyer.id, product), buyer.headers);
  ASSERT_EQ(placed.status, 201) << placed.body;
  const std::string order_path = "/v1/orders/" + std::to_string(Json(placed.body)["id"].get_int64().value());
  ASSERT_TRUE(replica.wait_received(primary, 10s));
  EXPECT_EQ(replica.psql("SELECT count(*) FROM orders WHERE user_id = " + std::to_string(buyer.id)), "0")
      << "the replica has not applied the order";

  const double behind = routed("primary_behind");
  HttpResponse own = server.call_anonymous("GET", order_path, "", buyer.headers);
  EXPECT_EQ(own.status, 200) << "the buyer reads the order it just placed: " << own.body;
  EXPECT_GT(routed("primary_behind"), behind) << "from the primary, since the replica has not replayed it";

  // The admin key wrote nothing since the pause, so its read goes to the replica and does not see the
  // order yet: what read-your-writes promises is the caller's own writes, and reads keep using the replica.
  EXPECT_EQ(server.call("GET", order_path).status, 404);
  // The lag shows in bytes at the next poll, and in seconds from the poll after (its age grows from 0).
  EXPECT_TRUE(
      metric_becomes(R"(tachyon_db_replica_lag_bytes{replica="replica0"})", [](double bytes) { return bytes > 0; }));
  EXPECT_TRUE(metric_becomes(R"(tachyon_db_replica_lag_seconds{replica="replica0"})",
                             [](double seconds) { return seconds > 0; }));

  replica.resume_replay();
  ASSERT_TRUE(replica_caught_up());
  EXPECT_EQ(server.call("GET", order_path).status, 200) << "the replica has it once replay resumes";
  const double replica_reads_after = routed("replica");
  EXPECT_EQ(server.call_anonymous("GET", order_path, "", buyer.headers).status, 200);
  EXPECT_GT(routed("replica"), replica_reads_after) << "the buyer's reads go back to the replica once it caught up";
}

TEST_F(AcmePostgresReplica, ReadsFallBackToThePrimaryWhileTheReplicaIsDown) {
  AcmeServer::Caller reader = server.new_caller("user");
  const std::string path = "/v1/users/" + std::to_string(reader.id) + "/orders";
  ASSERT_TRUE(replica_caught_up());
  ASSERT_TRUE(replica_up_becomes(1));

  replica.stop();
  for (int attempt = 0; attempt < 10; ++attempt) {
    HttpResponse read = server.call_anonymous("GET", path, "", reader.headers);
    EXPECT_EQ(read.status, 200) << "attempt " << attempt << ": " << read.body;
  }
  EXPECT_TRUE(replica_up_becomes(0));
  EXPECT_GT(routed("primary_fallback") + routed("primary_no_replica"), 0);

  replica.start();
  EXPECT_TRUE(replica_up_becomes(1)) << "the replica takes reads again by itself";
  const double replica_reads = routed("replica");
  EXPECT_EQ(server.call_anonymous("GET", path, "", reader.headers).status, 200);
  EXPECT_GT(routed("replica"), replica_reads);
}

TEST_F(AcmePostgresReplica, WhileThePrimaryIsDownWritesAnswer503AndReadsContinue) {
  AcmeServer::Caller reader = server.new_caller("user");
  std::int64_t product = new_product(5);
  const std::string path = "/v1/users/" + std::to_string(reader.id) + "/orders";
  ASSERT_TRUE(replica_caught_up());

  primary.stop();
  HttpResponse read = server.call_anonymous("GET", path, "", reader.headers);
  EXPECT_EQ(read.status, 200) << read.body;
  HttpResponse product_read =
      server.call_anonymous("GET", "/v1/products/" + std::to_string(product), "", reader.headers);
  EXPECT_EQ(product_read.status, 200) << product_read.body;
  const auto started = std::chrono::steady_clock::now();
  HttpResponse write = server.call_anonymous("POST", "/v1/orders", order_for(reader.id, product), reader.headers);
  EXPECT_EQ(write.status, 503) << write.body;
  EXPECT_TRUE(write.has_header("retry-after"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s) << "the write fails at once, it does not hang";

  primary.start();
  int status = 0;
  for (int attempt = 0; attempt < 50 && status != 201; ++attempt) {
    status = server.call_anonymous("POST", "/v1/orders", order_for(reader.id, product), reader.headers).status;
    if (status != 201) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(status, 201) << "writes recover by themselves once the primary is back";
}

}  // namespace
}  // namespace tachyon::testing
