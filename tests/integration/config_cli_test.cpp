// `tachyon config table` and `tachyon config check` over the binary's whole settings table (the
// library's rows and Acme's), and docs/CONFIGURATION.md kept equal to it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/test_server.hpp"

namespace tachyon::testing {
namespace {

TEST(ConfigCli, ConfigurationDocHoldsTheBinarysSettingsTable) {
  CommandResult table = run_tachyon({"config", "table"});
  ASSERT_EQ(table.exit_code, 0) << table.standard_error;
  EXPECT_TRUE(table.standard_output.starts_with("| Variable | Flag | Type | Default | Description |\n"));
  EXPECT_NE(table.standard_output.find("| `TACHYON_PORT` |"), std::string::npos);
  EXPECT_NE(table.standard_output.find("| `DATABASE_URL` |"), std::string::npos) << "Acme's rows are in it";
  std::filesystem::path doc_path =
      std::filesystem::path(TACHYON_TEST_SOURCE_DIR).parent_path() / "docs/CONFIGURATION.md";
  std::ifstream doc(doc_path);
  ASSERT_TRUE(doc) << "cannot open " << doc_path;
  std::stringstream text;
  text << doc.rdbuf();
  EXPECT_NE(text.str().find(table.standard_output), std::string::npos)
      << doc_path << " is out of date: run scripts/update-config-doc.sh";
}

TEST(ConfigCli, CheckShowsLibraryAndAcmeSettingsWithPasswordsRedacted) {
  CommandResult check = run_tachyon({"config", "check"}, {{"REDIS_URL", "redis://app:hunter2@127.0.0.1:1/0"},
                                                          {"TACHYON_CACHE_POSTS", "off"},
                                                          {"TACHYON_ADMIN_PASSWORD", "correct-horse"}});
  ASSERT_EQ(check.exit_code, 0) << check.standard_error;
  EXPECT_NE(check.standard_output.find("TACHYON_PORT=8000\n"), std::string::npos);
  EXPECT_NE(check.standard_output.find("REDIS_URL=redis://app:***@127.0.0.1:1/0\n"), std::string::npos)
      << check.standard_output;
  EXPECT_NE(check.standard_output.find("TACHYON_CACHE_POSTS=off\n"), std::string::npos);
  EXPECT_NE(check.standard_output.find("TACHYON_ADMIN_PASSWORD=********\n"), std::string::npos);
  EXPECT_EQ(check.standard_output.find("hunter2"), std::string::npos);
  EXPECT_EQ(check.standard_output.find("correct-horse"), std::string::npos);
}

TEST(ConfigCli, ABadUrlExits2WithTheReasonAndNeverThePassword) {
  CommandResult bad = run_tachyon({"config", "check"}, {{"REDIS_URL", "redis://app:hun/ter2@cache"}});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.standard_error.find("REDIS_URL: \"redis://***@cache\""), std::string::npos) << bad.standard_error;
  EXPECT_NE(bad.standard_error.find("%2F"), std::string::npos) << bad.standard_error;
  EXPECT_EQ(bad.standard_error.find("ter2"), std::string::npos) << bad.standard_error;
  CommandResult upstream = run_tachyon({"config", "check"}, {{"POSTS_UPSTREAM_URL", "http://[::1"}});
  EXPECT_EQ(upstream.exit_code, 2);
  EXPECT_NE(upstream.standard_error.find("unterminated [IPv6] host"), std::string::npos) << upstream.standard_error;
}

}  // namespace
}  // namespace tachyon::testing
