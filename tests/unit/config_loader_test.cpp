#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "tachyon/config/loader.hpp"

namespace tachyon::config {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A uniquely named path under the system temp directory, removed (with any contents) on destruction.
class TemporaryPath {
 public:
  TemporaryPath() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("tachyon-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  }
  TemporaryPath(const TemporaryPath&) = delete;
  TemporaryPath& operator=(const TemporaryPath&) = delete;
  ~TemporaryPath() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }

  const fs::path& path() const { return path_; }
  std::string string() const { return path_.string(); }

 private:
  fs::path path_;
};

class EnvFile : public TemporaryPath {
 public:
  explicit EnvFile(std::string_view text) { std::ofstream(path()) << text; }
};

// Tests run with a chosen working directory so the default ".env" lookup is deterministic.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const fs::path& directory) : previous_(fs::current_path()) { fs::current_path(directory); }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;
  ~WorkingDirectory() { fs::current_path(previous_); }

 private:
  fs::path previous_;
};

Sources without_env_file() {
  Sources sources;
  sources.env_file_path = "";
  return sources;
}

Settings load_ok(const Sources& sources) {
  auto loaded = load_settings(library_settings(), sources);
  if (auto* error = std::get_if<ConfigError>(&loaded)) {
    ADD_FAILURE() << "unexpected error: " << error->to_string();
    return {};
  }
  return std::get<Settings>(loaded);
}

std::string load_error(const Sources& sources) {
  auto loaded = load_settings(library_settings(), sources);
  auto* error = std::get_if<ConfigError>(&loaded);
  return error == nullptr ? "(no error)" : error->to_string();
}

TEST(ConfigLoader, NoSourcesGiveTheDefaults) {
  Settings settings = load_ok(without_env_file());
  EXPECT_EQ(settings.port, 8000);
  EXPECT_EQ(settings.host, "127.0.0.1");
  EXPECT_EQ(settings.header_timeout, 10s);
}

TEST(ConfigLoader, FlagBeatsEnvironmentBeatsDotenvBeatsDefault) {
  EnvFile env_file("TACHYON_PORT=1001\nTACHYON_WORKERS=2\nTACHYON_MAX_CONNECTIONS=3\n");
  Sources sources;
  sources.env_file_path = env_file.string();
  sources.environment = {{"TACHYON_PORT", "1002"}, {"TACHYON_WORKERS", "20"}};
  sources.flags = {"--port", "1003"};

  Settings settings = load_ok(sources);
  EXPECT_EQ(settings.port, 1003);           // flag
  EXPECT_EQ(settings.workers, 20u);         // environment over .env
  EXPECT_EQ(settings.max_connections, 3u);  // .env over default
  EXPECT_EQ(settings.host, "127.0.0.1");    // default
}

TEST(ConfigLoader, FlagsAcceptSpaceAndEqualsForms) {
  Sources sources = without_env_file();
  sources.flags = {"--port=8001", "--max-body-bytes", "2MiB", "--host=::", "--log-level", "debug"};
  Settings settings = load_ok(sources);
  EXPECT_EQ(settings.port, 8001);
  EXPECT_EQ(settings.max_body_bytes, 2u * 1024 * 1024);
  EXPECT_EQ(settings.host, "::");
  EXPECT_EQ(settings.log_level, LogLevel::debug);
}

TEST(ConfigLoader, EqualsFormKeepsEverythingAfterTheFirstEquals) {
  Sources sources = without_env_file();
  std::string key = "--starts-with-dashes-and-has=equals-and-is-long-enough";
  sources.flags = {"--secret-key=" + key};
  EXPECT_EQ(load_ok(sources).secret_key, key);
}

TEST(ConfigLoader, RepeatedFlagLastOneWins) {
  Sources sources = without_env_file();
  sources.flags = {"--port", "1", "--port=2"};
  EXPECT_EQ(load_ok(sources).port, 2);
}

TEST(ConfigLoader, UnknownFlagIsAnErrorNamingTheFlag) {
  Sources sources = without_env_file();
  sources.flags = {"--frobnicate", "1"};
  auto loaded = load_settings(library_settings(), sources);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(loaded));
  EXPECT_EQ(std::get<ConfigError>(loaded).variable, "--frobnicate");
  EXPECT_EQ(std::get<ConfigError>(loaded).to_string(), "--frobnicate: unknown flag");
}

TEST(ConfigLoader, UnknownFlagSuggestsTheClosestFlag) {
  Sources sources = without_env_file();
  sources.flags = {"--prot=8001"};
  EXPECT_EQ(load_error(sources), "--prot: unknown flag (did you mean --port?)");
  sources.flags = {"--max-body-size", "1MiB"};
  EXPECT_EQ(load_error(sources), "--max-body-size: unknown flag (did you mean --max-body-bytes?)");
}

TEST(ConfigLoader, FlagWithoutValueIsAnError) {
  Sources sources = without_env_file();
  sources.flags = {"--port"};
  EXPECT_EQ(load_error(sources), "--port: missing value (use --port VALUE or --port=VALUE)");
  sources.flags = {"--host", "--port", "8001"};
  EXPECT_EQ(load_error(sources), "--host: missing value (use --host VALUE or --host=VALUE)");
}

TEST(ConfigLoader, PositionalArgumentIsAnError) {
  Sources sources = without_env_file();
  sources.flags = {"serve"};
  EXPECT_EQ(load_error(sources), "serve: unexpected argument; flags look like --port 8001 or --port=8001");
  sources.flags = {"-p", "8001"};
  EXPECT_EQ(load_error(sources), "-p: unexpected argument; flags look like --port 8001 or --port=8001");
}

TEST(ConfigLoader, BadFlagValueNamesTheFlagAndTheValue) {
  Sources sources = without_env_file();
  sources.flags = {"--port", "80x"};
  EXPECT_EQ(load_error(sources), R"(--port: "80x" is not an integer between 0 and 65535)");
}

TEST(ConfigLoader, BadEnvironmentValueIsOneClearLine) {
  Sources sources = without_env_file();
  sources.environment = {{"TACHYON_PORT", "80x"}};
  EXPECT_EQ(load_error(sources), R"(TACHYON_PORT: "80x" is not an integer between 0 and 65535)");
  sources.environment = {{"TACHYON_BODY_TIMEOUT", "30"}};
  EXPECT_EQ(load_error(sources), R"(TACHYON_BODY_TIMEOUT: "30" is not a duration between 1ms and 1h )"
                                 R"((a whole number with ms, s, m or h, e.g. 10s))");
  sources.environment = {{"TACHYON_ACCESS_LOG", "maybe"}};
  EXPECT_EQ(load_error(sources), R"(TACHYON_ACCESS_LOG: "maybe" is not a boolean (true/false, yes/no, on/off, 1/0))");
  sources.environment = {{"TACHYON_PORT", ""}};
  EXPECT_EQ(load_error(sources), R"(TACHYON_PORT: "" is not an integer between 0 and 65535)");
}

TEST(ConfigLoader, BadDotenvValueSaysWhichFileAndLine) {
  EnvFile env_file("# settings\nTACHYON_PORT=80x\n");
  Sources sources;
  sources.env_file_path = env_file.string();
  EXPECT_EQ(load_error(sources),
            R"(TACHYON_PORT: "80x" is not an integer between 0 and 65535 (from )" + env_file.string() + ":2)");
}

TEST(ConfigLoader, BadDotenvValueIsReportedEvenWhenOverridden) {
  EnvFile env_file("TACHYON_PORT=80x\n");
  Sources sources;
  sources.env_file_path = env_file.string();
  sources.environment = {{"TACHYON_PORT", "8001"}};
  EXPECT_NE(load_error(sources), "(no error)");
}

TEST(ConfigLoader, MalformedDotenvLineReportsPathAndLineNumber) {
  EnvFile env_file("TACHYON_PORT=8001\n\n# comment\nTACHYON_HOST\n");
  Sources sources;
  sources.env_file_path = env_file.string();
  EXPECT_EQ(load_error(sources), env_file.string() + ":4: expected KEY=VALUE");
}

TEST(ConfigLoader, SecretValueNeverAppearsInAnError) {
  const std::string secret = "hunter2-too-short";
  Sources sources = without_env_file();
  sources.environment = {{"TACHYON_SECRET_KEY", secret}};
  std::string error = load_error(sources);
  EXPECT_EQ(error, "TACHYON_SECRET_KEY: the secret value is shorter than 32 characters");
  EXPECT_EQ(error.find(secret), std::string::npos);
}

TEST(ConfigLoader, SecretWithALineBreakIsRefusedWithoutShowingIt) {
  const std::string token = "purge-token\r\nX-Injected: 1";
  Sources sources = without_env_file();
  sources.environment = {{"TACHYON_CDN_PURGE_TOKEN", token}};
  std::string error = load_error(sources);
  EXPECT_EQ(error, "TACHYON_CDN_PURGE_TOKEN: the secret value contains a control character");
  EXPECT_EQ(error.find("purge-token"), std::string::npos);
}

TEST(ConfigLoader, CompressionAndCdnPurgeSettingsAreReadAndChecked) {
  Sources sources = without_env_file();
  sources.environment = {{"TACHYON_COMPRESSION", "off"},
                         {"TACHYON_COMPRESSION_MIN_BYTES", "1KiB"},
                         {"TACHYON_COMPRESSION_TYPES", "application/json,text/"},
                         {"TACHYON_GZIP_LEVEL", "9"},
                         {"TACHYON_BROTLI_QUALITY", "11"},
                         {"TACHYON_CDN_PURGE_URL", "https://api.cloudflare.com/client/v4/zones/z1/purge_cache"}};
  Settings settings = load_ok(sources);
  EXPECT_FALSE(settings.compression);
  EXPECT_EQ(settings.compression_min_bytes, 1024u);
  EXPECT_EQ(settings.compression_types, (std::vector<std::string>{"application/json", "text/"}));
  EXPECT_EQ(settings.gzip_level, 9);
  EXPECT_EQ(settings.brotli_quality, 11);
  EXPECT_EQ(settings.cdn_purge_url, "https://api.cloudflare.com/client/v4/zones/z1/purge_cache");

  sources.environment = {{"TACHYON_GZIP_LEVEL", "0"}};
  EXPECT_EQ(load_error(sources), "TACHYON_GZIP_LEVEL: \"0\" is not an integer between 1 and 9");
  sources.environment = {{"TACHYON_CDN_PURGE_URL", "ftp://cdn.example/purge"}};
  EXPECT_NE(load_error(sources).find("TACHYON_CDN_PURGE_URL"), std::string::npos);
  EXPECT_NE(load_error(sources), "(no error)");
}

TEST(ConfigLoader, UnknownTachyonVariableInTheEnvironmentIsAnError) {
  Sources sources = without_env_file();
  sources.environment = {{"TACHYON_PROT", "8001"}};
  EXPECT_EQ(load_error(sources), "TACHYON_PROT: unknown setting in the environment (did you mean TACHYON_PORT?)");
  sources.environment = {{"TACHYON_FROBNICATE", "1"}};
  EXPECT_EQ(load_error(sources), "TACHYON_FROBNICATE: unknown setting in the environment");
}

TEST(ConfigLoader, UnknownTachyonVariableInDotenvIsAnError) {
  EnvFile env_file("TACHYON_MAX_BODY_SIZE=1MiB\n");
  Sources sources;
  sources.env_file_path = env_file.string();
  EXPECT_EQ(load_error(sources), "TACHYON_MAX_BODY_SIZE: unknown setting in " + env_file.string() +
                                     ":1 (did you mean TACHYON_MAX_BODY_BYTES?)");
}

TEST(ConfigLoader, OtherProgramsVariablesAreIgnored) {
  EnvFile env_file("COMPOSE_PROJECT_NAME=demo\nPGHOST=db.internal\n");
  Sources sources;
  sources.env_file_path = env_file.string();
  sources.environment = {{"PATH", "/usr/bin"}, {"HOME", "/root"}, {"tachyon_port", "x"}};
  EXPECT_EQ(load_ok(sources).port, 8000);
}

TEST(ConfigLoader, EnvFileVariableSelectsTheDotenvFile) {
  EnvFile env_file("TACHYON_PORT=9001\n");
  Sources sources;
  sources.environment = {{"TACHYON_ENV_FILE", env_file.string()}};
  EXPECT_EQ(load_ok(sources).port, 9001);
}

TEST(ConfigLoader, ExplicitEnvFilePathBeatsTheEnvFileVariable) {
  EnvFile chosen("TACHYON_PORT=9001\n");
  EnvFile ignored("TACHYON_PORT=9002\n");
  Sources sources;
  sources.env_file_path = chosen.string();
  sources.environment = {{"TACHYON_ENV_FILE", ignored.string()}};
  EXPECT_EQ(load_ok(sources).port, 9001);
}

TEST(ConfigLoader, EmptyEnvFileVariableDisablesDotenv) {
  TemporaryPath directory;
  fs::create_directory(directory.path());
  std::ofstream(directory.path() / ".env") << "TACHYON_PORT=9003\n";
  WorkingDirectory inside(directory.path());
  Sources sources;
  sources.environment = {{"TACHYON_ENV_FILE", ""}};
  EXPECT_EQ(load_ok(sources).port, 8000);
}

TEST(ConfigLoader, DefaultDotenvIsReadFromTheWorkingDirectory) {
  TemporaryPath directory;
  fs::create_directory(directory.path());
  std::ofstream(directory.path() / ".env") << "TACHYON_PORT=9004\n";
  WorkingDirectory inside(directory.path());
  EXPECT_EQ(load_ok(Sources{}).port, 9004);
}

TEST(ConfigLoader, MissingDefaultDotenvIsFine) {
  TemporaryPath directory;
  fs::create_directory(directory.path());
  WorkingDirectory inside(directory.path());
  EXPECT_EQ(load_ok(Sources{}).port, 8000);
}

TEST(ConfigLoader, MissingNamedDotenvIsAnError) {
  TemporaryPath missing;
  Sources sources;
  sources.environment = {{"TACHYON_ENV_FILE", missing.string()}};
  EXPECT_EQ(load_error(sources), "TACHYON_ENV_FILE: \"" + missing.string() + "\" does not exist");
  sources.environment.clear();
  sources.env_file_path = missing.string();
  EXPECT_EQ(load_error(sources), "TACHYON_ENV_FILE: \"" + missing.string() + "\" does not exist");
}

TEST(ConfigLoader, DirectoryAsDotenvIsAnError) {
  TemporaryPath directory;
  fs::create_directory(directory.path());
  Sources sources;
  sources.env_file_path = directory.string();
  EXPECT_EQ(load_error(sources), "TACHYON_ENV_FILE: \"" + directory.string() + "\" is a directory, not a .env file");
}

TEST(ConfigLoader, DotenvCannotChooseTheDotenvFile) {
  EnvFile env_file("TACHYON_ENV_FILE=other.env\n");
  Sources sources;
  sources.env_file_path = env_file.string();
  EXPECT_EQ(load_error(sources),
            "TACHYON_ENV_FILE: cannot be set inside " + env_file.string() + ":1; set it in the environment");
}

TEST(ConfigLoader, SourcesFromProcessReadsEnvironAndArguments) {
  ASSERT_EQ(::setenv("TACHYON_CONFIG_TEST_PROBE", "a=b", 1), 0);
  char port_flag[] = "--port";
  char port_value[] = "8001";
  char* arguments[] = {port_flag, port_value};
  Sources sources = sources_from_process(2, arguments);
  ::unsetenv("TACHYON_CONFIG_TEST_PROBE");

  EXPECT_EQ(sources.environment.at("TACHYON_CONFIG_TEST_PROBE"), "a=b");
  EXPECT_EQ(sources.flags, (std::vector<std::string>{"--port", "8001"}));
  EXPECT_FALSE(sources.env_file_path.has_value());
}

}  // namespace
}  // namespace tachyon::config
