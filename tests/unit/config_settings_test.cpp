#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <stdexcept>
#include <string>

#include "tachyon/config/settings.hpp"

namespace tachyon::config {
namespace {

using namespace std::chrono_literals;

const SettingsTable& table() {
  static const SettingsTable library = library_settings();
  return library;
}

TEST(ConfigSettings, DefaultsAreTheDocumentedValues) {
  Settings settings;
  EXPECT_EQ(settings.host, "127.0.0.1");
  EXPECT_EQ(settings.port, 8000);
  EXPECT_EQ(settings.workers, 0u);
  EXPECT_EQ(settings.max_connections, 10'000u);
  EXPECT_EQ(settings.max_request_line_bytes, 8192u);
  EXPECT_EQ(settings.max_header_bytes, 16384u);
  EXPECT_EQ(settings.max_header_count, 100u);
  EXPECT_EQ(settings.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(settings.header_timeout, 10s);
  EXPECT_EQ(settings.idle_timeout, 60s);
  EXPECT_EQ(settings.body_timeout, 30s);
  EXPECT_EQ(settings.drain_timeout, 10s);
  EXPECT_EQ(settings.max_requests_per_connection, 0u);
  EXPECT_EQ(settings.log_level, LogLevel::info);
  EXPECT_EQ(settings.log_format, LogFormat::json);
  EXPECT_TRUE(settings.access_log);
  EXPECT_TRUE(settings.secret_key.empty());
}

TEST(ConfigSettings, EveryDocumentedDefaultParsesToTheStructDefault) {
  const Settings defaults;
  for (const SettingSpec& spec : table().specs()) {
    Settings settings;
    EXPECT_EQ(spec.bind(settings, spec.default_text), std::nullopt) << spec.variable;
    EXPECT_EQ(spec.render(settings), spec.render(defaults)) << spec.variable;
  }
}

TEST(ConfigSettings, EveryRenderedValueIsAcceptedByItsBinder) {
  const Settings defaults;
  for (const SettingSpec& spec : table().specs()) {
    Settings settings;
    EXPECT_EQ(spec.bind(settings, spec.render(defaults)), std::nullopt) << spec.variable;
  }
}

TEST(ConfigSettings, FlagNamesAreDerivedFromVariableNames) {
  EXPECT_EQ(SettingSpec::flag_name_for("TACHYON_MAX_BODY_BYTES"), "--max-body-bytes");
  EXPECT_EQ(SettingSpec::flag_name_for("TACHYON_PORT"), "--port");
  // Settings outside the TACHYON_ namespace keep their whole name.
  EXPECT_EQ(SettingSpec::flag_name_for("REDIS_URL"), "--redis-url");
}

TEST(ConfigSettings, VariablesAndFlagsAreUniqueAndEveryRowIsComplete) {
  std::set<std::string> variables;
  std::set<std::string> flags;
  for (const SettingSpec& spec : table().specs()) {
    EXPECT_TRUE(variables.insert(spec.variable).second) << spec.variable;
    EXPECT_TRUE(flags.insert(spec.flag()).second) << spec.flag();
    EXPECT_FALSE(spec.type.empty()) << spec.variable;
    EXPECT_FALSE(spec.description.empty()) << spec.variable;
    EXPECT_TRUE(spec.bind && spec.render) << spec.variable;
  }
}

TEST(ConfigSettings, FindSpecLooksUpByVariableOrFlag) {
  ASSERT_NE(table().find("TACHYON_MAX_BODY_BYTES"), nullptr);
  EXPECT_EQ(table().find("--max-body-bytes"), table().find("TACHYON_MAX_BODY_BYTES"));
  EXPECT_EQ(table().find("tachyon_port"), nullptr);  // environment names are case-sensitive
  EXPECT_EQ(table().find("--nope"), nullptr);
}

TEST(ConfigSettings, ATableRefusesASecondRowForTheSameVariable) {
  SettingsTable twice = library_settings();
  EXPECT_THROW(twice.add({table().specs()[0]}), std::logic_error);
}

TEST(ConfigSettings, AppSectionsReadAsTheirDefaultsUntilWritten) {
  struct Section {
    int answer = 42;
  };
  Settings settings;
  const Settings& untouched = settings;
  EXPECT_EQ(untouched.apps.get<Section>().answer, 42);
  settings.apps.get<Section>().answer = 7;
  Settings copy = settings;
  copy.apps.get<Section>().answer = 8;
  EXPECT_EQ(untouched.apps.get<Section>().answer, 7) << "a copy of the settings owns its sections";
}

TEST(ConfigSettings, FailedBindLeavesTheSettingUntouched) {
  Settings settings;
  EXPECT_EQ(table().find("TACHYON_PORT")->bind(settings, "70000"), "is not an integer between 0 and 65535");
  EXPECT_EQ(settings.port, 8000);
}

TEST(ConfigSettings, BindersStoreTypedValues) {
  Settings settings;
  auto bind = [&](std::string_view variable, std::string_view text) {
    return table().find(variable)->bind(settings, text);
  };
  EXPECT_EQ(bind("TACHYON_HOST", "0.0.0.0"), std::nullopt);
  EXPECT_EQ(bind("TACHYON_PORT", "0"), std::nullopt);
  EXPECT_EQ(bind("TACHYON_WORKERS", "256"), std::nullopt);
  EXPECT_EQ(bind("TACHYON_MAX_BODY_BYTES", "2MiB"), std::nullopt);
  EXPECT_EQ(bind("TACHYON_IDLE_TIMEOUT", "250ms"), std::nullopt);
  EXPECT_EQ(bind("TACHYON_DRAIN_TIMEOUT", "0"), std::nullopt);
  EXPECT_EQ(bind("TACHYON_LOG_LEVEL", "WARN"), std::nullopt);
  EXPECT_EQ(bind("TACHYON_LOG_FORMAT", "text"), std::nullopt);
  EXPECT_EQ(bind("TACHYON_ACCESS_LOG", "off"), std::nullopt);
  EXPECT_EQ(settings.host, "0.0.0.0");
  EXPECT_EQ(settings.port, 0);
  EXPECT_EQ(settings.workers, 256u);
  EXPECT_EQ(settings.max_body_bytes, 2u * 1024 * 1024);
  EXPECT_EQ(settings.idle_timeout, 250ms);
  EXPECT_EQ(settings.drain_timeout, 0ms);
  EXPECT_EQ(settings.log_level, LogLevel::warn);
  EXPECT_EQ(settings.log_format, LogFormat::text);
  EXPECT_FALSE(settings.access_log);
}

TEST(ConfigSettings, BindersRejectOutOfRangeValuesWithTheRangeInTheReason) {
  Settings settings;
  auto bind = [&](std::string_view variable, std::string_view text) {
    return table().find(variable)->bind(settings, text);
  };
  EXPECT_EQ(bind("TACHYON_WORKERS", "257"), "is not an integer between 0 and 256");
  EXPECT_EQ(bind("TACHYON_MAX_CONNECTIONS", "0"), "is not an integer between 1 and 1000000");
  EXPECT_EQ(bind("TACHYON_MAX_HEADER_COUNT", "1001"), "is not an integer between 1 and 1000");
  EXPECT_EQ(bind("TACHYON_MAX_HEADER_BYTES", "1023"),
            "is not a size between 1KiB and 1MiB (bytes, or a whole number with KiB, MiB or GiB, e.g. 64KiB)");
  EXPECT_EQ(bind("TACHYON_HEADER_TIMEOUT", "0"),
            "is not a duration between 1ms and 1h (a whole number with ms, s, m or h, e.g. 10s)");
  EXPECT_EQ(bind("TACHYON_LOG_LEVEL", "verbose"), "is not one of trace, debug, info, warn, error, off");
  EXPECT_EQ(bind("TACHYON_HOST", ""), "is not a host name or IP address");
  EXPECT_EQ(bind("TACHYON_HOST", "local host"), "is not a host name or IP address");
  EXPECT_EQ(bind("TACHYON_SECRET_KEY", "short"), "is shorter than 32 characters");
}

TEST(ConfigSettings, EnumsConvertToTheirSettingText) {
  EXPECT_EQ(to_string(LogLevel::warn), "warn");
  EXPECT_EQ(to_string(LogLevel::off), "off");
  EXPECT_EQ(to_string(LogFormat::text), "text");
}

}  // namespace
}  // namespace tachyon::config
