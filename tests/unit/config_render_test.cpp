#include <gtest/gtest.h>

#include <string>

#include "tachyon/config/render.hpp"

namespace tachyon::config {
namespace {

using namespace std::chrono_literals;

const SettingsTable& table() {
  static const SettingsTable library = library_settings();
  return library;
}

TEST(ConfigRender, EffectiveConfigListsEverySettingInTableOrder) {
  EXPECT_EQ(render_effective(table(), Settings{}),
            "TACHYON_HOST=127.0.0.1\n"
            "TACHYON_PORT=8000\n"
            "TACHYON_WORKERS=0\n"
            "TACHYON_MAX_CONNECTIONS=10000\n"
            "TACHYON_MAX_REQUEST_LINE_BYTES=8KiB\n"
            "TACHYON_MAX_HEADER_BYTES=16KiB\n"
            "TACHYON_MAX_HEADER_COUNT=100\n"
            "TACHYON_MAX_BODY_BYTES=1MiB\n"
            "TACHYON_HEADER_TIMEOUT=10s\n"
            "TACHYON_IDLE_TIMEOUT=1m\n"
            "TACHYON_BODY_TIMEOUT=30s\n"
            "TACHYON_DRAIN_TIMEOUT=10s\n"
            "TACHYON_MAX_REQUESTS_PER_CONNECTION=0\n"
            "TACHYON_LOG_LEVEL=info\n"
            "TACHYON_LOG_FORMAT=json\n"
            "TACHYON_ACCESS_LOG=true\n"
            "TACHYON_METRICS=true\n"
            "TACHYON_SERVER_TIMING=false\n"
            "TACHYON_SLOW_REQUEST_MS=1000\n"
            "TACHYON_PROFILING=false\n"
            "TACHYON_METRICS_PUBLIC=true\n"
            "TACHYON_SLOW_QUERY_MS=100\n"
            "TACHYON_SECRET_KEY=(kept in the database)\n"
            "TACHYON_TOKEN_ALGORITHM=EdDSA\n"
            "TACHYON_TOKEN_ISSUER=tachyon\n"
            "TACHYON_TOKEN_AUDIENCE=acme\n"
            "TACHYON_ACCESS_TOKEN_TTL=15m\n"
            "TACHYON_REFRESH_TOKEN_TTL=720h\n"
            "TACHYON_PASSWORD_MEMORY=19MiB\n"
            "TACHYON_PASSWORD_ITERATIONS=2\n"
            "TACHYON_PASSWORD_THREADS=1\n"
            "REDIS_URL=(none)\n"
            "TACHYON_CACHE_INVALIDATION_WAIT=250ms\n"
            "TACHYON_UPSTREAM_CONNECT_TIMEOUT=1s\n"
            "TACHYON_UPSTREAM_TIMEOUT=2s\n"
            "TACHYON_COMPRESSION=true\n"
            "TACHYON_COMPRESSION_MIN_BYTES=500\n"
            "TACHYON_COMPRESSION_TYPES=application/json,application/problem+json,application/x-ndjson,"
            "application/javascript,application/openmetrics-text,image/svg+xml,text/\n"
            "TACHYON_GZIP_LEVEL=6\n"
            "TACHYON_BROTLI_QUALITY=5\n"
            "TACHYON_CDN_PURGE_URL=(none)\n"
            "TACHYON_CDN_PURGE_TOKEN=(none)\n"
            "TACHYON_TLS_CERT_FILE=(none)\n"
            "TACHYON_TLS_KEY_FILE=(none)\n"
            "TACHYON_TLS_OCSP_FILE=(none)\n"
            "TACHYON_TLS_TICKET_KEY_LIFETIME=1h\n"
            "TACHYON_TLS_PORT=8443\n"
            "TACHYON_HTTPS_REDIRECT=false\n"
            "TACHYON_TLS_CLIENT_AUTH=off\n"
            "TACHYON_TLS_CLIENT_CA_FILE=(none)\n"
            "TACHYON_TLS_CLIENT_CRL_FILE=(none)\n"
            "TACHYON_TLS_CLIENT_PREFIXES=(none)\n"
            "TACHYON_TLS_CLIENT_SCOPES=(none)\n"
            "TACHYON_SERVER_HEADER=tachyon\n"
            "TACHYON_SECURITY_HEADERS=true\n"
            "TACHYON_CORS_ORIGINS=(none)\n"
            "TACHYON_CORS_CREDENTIALS=false\n"
            "TACHYON_CORS_METHODS=GET,HEAD,POST,PUT,PATCH,DELETE\n"
            "TACHYON_CORS_HEADERS=Authorization,Content-Type,If-Match,If-None-Match,If-Modified-Since,"
            "If-Unmodified-Since,X-API-Key,X-Request-ID,traceparent\n"
            "TACHYON_CORS_EXPOSE_HEADERS=ETag,Last-Modified,Location,Retry-After,X-Request-ID\n"
            "TACHYON_CORS_MAX_AGE=10m\n");
}

TEST(ConfigRender, EffectiveConfigShowsChangedValues) {
  Settings settings;
  settings.port = 0;
  settings.max_body_bytes = 1000;
  settings.drain_timeout = 1500ms;
  settings.log_level = LogLevel::warn;
  std::string text = render_effective(table(), settings);
  EXPECT_NE(text.find("TACHYON_PORT=0\n"), std::string::npos);
  EXPECT_NE(text.find("TACHYON_MAX_BODY_BYTES=1000\n"), std::string::npos);
  EXPECT_NE(text.find("TACHYON_DRAIN_TIMEOUT=1500ms\n"), std::string::npos);
  EXPECT_NE(text.find("TACHYON_LOG_LEVEL=warn\n"), std::string::npos);
}

TEST(ConfigRender, SecretIsMaskedAndItsTextNeverAppears) {
  Settings settings;
  settings.secret_key = "correct-horse-battery-staple-0123456789";
  std::string text = render_effective(table(), settings);
  EXPECT_NE(text.find("TACHYON_SECRET_KEY=********\n"), std::string::npos);
  EXPECT_EQ(text.find(settings.secret_key), std::string::npos);
  EXPECT_EQ(text.find("correct-horse"), std::string::npos);
}

TEST(ConfigRender, MarkdownTableHasAHeaderAndOneRowPerSetting) {
  std::string markdown = render_markdown_table(table());
  EXPECT_TRUE(markdown.starts_with("| Variable | Flag | Type | Default | Description |\n|---|---|---|---|---|\n"));
  EXPECT_NE(markdown.find("| `TACHYON_PORT` | `--port` | integer 0..65535 | `8000` | "), std::string::npos);
  EXPECT_NE(markdown.find("| `TACHYON_SECRET_KEY` | `--secret-key` | string, secret, empty or at least 32 characters | "
                          "(kept in the database) | "),
            std::string::npos);
  std::size_t rows = 0;
  for (char character : markdown) {
    rows += character == '\n' ? 1 : 0;
  }
  EXPECT_EQ(rows, table().specs().size() + 2);
}

}  // namespace
}  // namespace tachyon::config
