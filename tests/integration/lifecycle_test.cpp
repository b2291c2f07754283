// The binary's life from the outside: subcommands and exit codes, configuration errors, the
// effective configuration with secrets masked, and graceful drain on SIGTERM.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/test_server.hpp"

namespace tachyon::testing {
namespace {

TEST(Lifecycle, VersionPrintsTheVersion) {
  CommandResult result = run_tachyon({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.standard_output.rfind("tachyon ", 0), 0u);
}

TEST(Lifecycle, HelpListsTheCommands) {
  CommandResult result = run_tachyon({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.standard_output.find("serve"), std::string::npos);
  EXPECT_NE(result.standard_output.find("config check"), std::string::npos);
}

TEST(Lifecycle, UnknownCommandPrintsUsageAndExits2) {
  CommandResult result = run_tachyon({"frobnicate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.standard_error.find("Usage:"), std::string::npos);
}

TEST(Lifecycle, UnknownFlagExits2NamingIt) {
  CommandResult result = run_tachyon({"serve", "--no-such-flag", "1"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.standard_error.find("--no-such-flag"), std::string::npos) << result.standard_error;
}

TEST(Lifecycle, InvalidSettingExits2WithOneClearLine) {
  CommandResult result = run_tachyon({"serve"}, {{"TACHYON_PORT", "80x"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.standard_error.find("TACHYON_PORT"), std::string::npos) << result.standard_error;
  EXPECT_NE(result.standard_error.find("80x"), std::string::npos);
  EXPECT_EQ(std::count(result.standard_error.begin(), result.standard_error.end(), '\n'), 1);
}

TEST(Lifecycle, ConfigCheckPrintsEffectiveValuesWithSecretsMasked) {
  CommandResult result = run_tachyon({"config", "check", "--workers", "3"},
                                     {{"TACHYON_SECRET_KEY", "hunter2-very-secret-and-long-enough-0123456789"}});
  EXPECT_EQ(result.exit_code, 0) << result.standard_error;
  EXPECT_NE(result.standard_output.find("TACHYON_WORKERS=3"), std::string::npos) << result.standard_output;
  EXPECT_NE(result.standard_output.find("TACHYON_SECRET_KEY="), std::string::npos);
  EXPECT_EQ(result.standard_output.find("hunter2"), std::string::npos);
}

TEST(Lifecycle, DotEnvFileIsReadAndEnvironmentOverridesIt) {
  auto path = std::filesystem::temp_directory_path() / ("tachyon-lifecycle-" + std::to_string(::getpid()) + ".env");
  {
    std::ofstream file(path);
    file << "# test\nTACHYON_WORKERS=5\nTACHYON_MAX_HEADER_COUNT=42\n";
  }
  CommandResult result =
      run_tachyon({"config", "check"}, {{"TACHYON_ENV_FILE", path.string()}, {"TACHYON_MAX_HEADER_COUNT", "43"}});
  std::filesystem::remove(path);
  EXPECT_EQ(result.exit_code, 0) << result.standard_error;
  EXPECT_NE(result.standard_output.find("TACHYON_WORKERS=5"), std::string::npos) << result.standard_output;
  EXPECT_NE(result.standard_output.find("TACHYON_MAX_HEADER_COUNT=43"), std::string::npos);
}

TEST(Lifecycle, PortTakenByAnotherProgramFailsWithExit1) {
  int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(holder, 1), 0);
  socklen_t length = sizeof address;
  ::getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length);
  CommandResult result = run_tachyon({"serve", "--port", std::to_string(ntohs(address.sin_port))});
  ::close(holder);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.standard_error.find("tachyon:"), std::string::npos) << result.standard_error;
}

TEST(Lifecycle, MalformedHostFailsWithExit1) {
  CommandResult result = run_tachyon({"serve", "--port", "0", "--host", "not-an-ip"});
  EXPECT_EQ(result.exit_code, 1) << result.standard_error;
}

TEST(Lifecycle, SigtermOnIdleServerExitsZero) {
  ServerProcess server;
  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait_for_exit(10s), 0);
  EXPECT_NE(server.output().find("\"msg\":\"stopped\""), std::string::npos);
}

TEST(Lifecycle, InFlightRequestCompletesAfterSigterm) {
  ServerProcess server;
  RawClient idle(server.port());  // an idle keep-alive connection is simply closed
  idle.send(get_request("/plaintext"));
  ASSERT_TRUE(idle.read_response());

  RawClient busy(server.port());
  const std::string body = R"({"name":"Ada","count":1,"tone":"plain"})";
  std::string raw = post_request("/v1/greetings", body);
  busy.send(raw.substr(0, raw.size() - 5));  // the request is in flight: its body is incomplete
  std::this_thread::sleep_for(100ms);
  server.send_signal(SIGTERM);
  EXPECT_TRUE(idle.wait_closed(5s));
  std::this_thread::sleep_for(200ms);
  busy.send(raw.substr(raw.size() - 5));
  auto response = busy.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_EQ(server.wait_for_exit(10s), 0);
}

TEST(Lifecycle, NewConnectionsAreRefusedDuringDrain) {
  ServerProcess server;
  RawClient busy(server.port());
  busy.send("POST /v1/greetings HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n");
  std::this_thread::sleep_for(100ms);
  server.send_signal(SIGTERM);
  std::this_thread::sleep_for(300ms);
  EXPECT_THROW(RawClient late(server.port()), std::runtime_error);
  busy.send("0123456789");
  ASSERT_TRUE(busy.read_response());
  EXPECT_EQ(server.wait_for_exit(10s), 0);
}

TEST(Lifecycle, DrainTimeoutBoundsAStuckClient) {
  ServerProcess server({"--drain-timeout", "500ms", "--body-timeout", "30s"});
  RawClient stuck(server.port());
  stuck.send("POST /v1/greetings HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n");  // never finishes
  std::this_thread::sleep_for(100ms);
  auto start = std::chrono::steady_clock::now();
  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait_for_exit(10s), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
}  // namespace tachyon::testing
