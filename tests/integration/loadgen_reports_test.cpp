// `tachyon bench` report files: the per-second NDJSON series with the server's CPU and RSS, and
// the self-contained HTML report.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "support/test_server.hpp"

namespace {

using namespace tachyon::testing;

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

TEST(LoadgenReports, SecondsSeriesAndHtmlReportDescribeTheRun) {
  ServerProcess server;
  std::string prefix = "/tmp/tachyon_loadgen_reports_" + std::to_string(::getpid());
  std::string ndjson = prefix + ".ndjson";
  std::string html = prefix + ".html";
  CommandResult result = run_tachyon({"bench", "-c", "2", "-t", "1", "-d", "3s", "--rate", "200", "--ndjson", ndjson,
                                      "--html", html, "--server-pid", std::to_string(server.pid()), "--progress",
                                      "http://127.0.0.1:" + std::to_string(server.port()) + "/plaintext"});
  ASSERT_EQ(result.exit_code, 0) << result.standard_error;
  EXPECT_NE(result.standard_error.find("req/s"), std::string::npos);  // the progress line
  EXPECT_NE(result.standard_output.find("MB RSS"), std::string::npos);

  std::istringstream lines(read_text(ndjson));
  std::string line;
  int seconds = 0;
  simdjson::dom::parser parser;
  while (std::getline(lines, line)) {
    simdjson::dom::element sample = parser.parse(line).value();
    EXPECT_EQ(sample["t"].get_double().value(), seconds + 1.0);
    EXPECT_GT(sample["server_rss_bytes"].get_uint64().value(), 0u);
    EXPECT_GE(sample["server_cpu"].get_double().value(), 0.0);
    ++seconds;
  }
  EXPECT_EQ(seconds, 2);  // ticks at 1 s and 2 s of a 3 s run

  std::string page = read_text(html);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("Latency by percentile"), std::string::npos);
  EXPECT_NE(page.find("from intended send time"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);  // self-contained: no scripts, no external URLs
  EXPECT_EQ(page.find("https://"), std::string::npos);
  std::remove(ndjson.c_str());
  std::remove(html.c_str());
}

}  // namespace
