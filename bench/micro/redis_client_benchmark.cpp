// Pipelined GETs through tachyon::redis::Client at several pipeline depths, against the redis-server
// named by REDIS_URL (bench/redis_client.sh starts one and runs redis-benchmark on the same server for
// comparison). Measures the client's per-command cost: hiredis formatting and parsing, the Asio waits,
// the posted completion.
#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>
#include <cstdlib>

#include "tachyon/redis/client.hpp"

namespace {

namespace asio = boost::asio;

void pipelined_get(benchmark::State& state) {
  const char* url = std::getenv("REDIS_URL");
  if (url == nullptr) {
    state.SkipWithError("set REDIS_URL (bench/redis_client.sh does)");
    return;
  }
  asio::io_context io(1);
  tachyon::redis::Client client(io, tachyon::redis::parse_redis_url(url));
  client.start();
  for (int turn = 0; turn < 1000 && !client.connected(); ++turn) io.run_for(std::chrono::milliseconds(5));
  if (!client.connected()) {
    state.SkipWithError("cannot connect to REDIS_URL");
    return;
  }
  client.command({"SET", "bench:key", std::string(100, 'v')}, [](std::exception_ptr, tachyon::redis::Reply) {});
  const auto depth = static_cast<int>(state.range(0));
  std::int64_t failures = 0;
  for (auto _ : state) {
    int answered = 0;
    for (int index = 0; index < depth; ++index) {
      client.command({"GET", "bench:key"}, [&](std::exception_ptr error, tachyon::redis::Reply) {
        if (error) ++failures;
        ++answered;
      });
    }
    while (answered < depth) io.run_one();
  }
  state.SetItemsProcessed(state.iterations() * depth);
  state.counters["failures"] = static_cast<double>(failures);
}
BENCHMARK(pipelined_get)->Arg(1)->Arg(16)->Arg(128)->UseRealTime();

}  // namespace
