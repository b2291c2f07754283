// The shipped deploy/ files against the real Prometheus tools: promtool validates the config and runs
// the alert unit tests; a real `prometheus` on loopback scrapes the real binary, and every PromQL query
// of the Grafana dashboard and the alert rules must evaluate to at least one series.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_server.hpp"

namespace tachyon::testing {
namespace {

namespace fs = std::filesystem;

const fs::path deploy_dir = fs::path(__FILE__).parent_path().parent_path().parent_path() / "deploy";

std::uint16_t free_port() {
  int descriptor = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(descriptor, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(descriptor, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(descriptor);
  return ntohs(address.sin_port);
}

std::string url_encode(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (char character : text) {
    auto byte = static_cast<unsigned char>(character);
    if (std::isalnum(byte) != 0 || character == '-' || character == '_' || character == '.' || character == '~') {
      out += character;
    } else {
      out += '%';
      out += digits[byte >> 4];
      out += digits[byte & 0xf];
    }
  }
  return out;
}

// Every `expr` of the Grafana dashboard, with its template variables bound for this test.
void collect_expressions(simdjson::dom::element element, std::vector<std::string>& out) {
  if (element.is_object()) {
    for (auto field : element.get_object()) {
      if (field.key == "expr" && field.value.is_string()) {
        out.emplace_back(std::string_view(field.value.get_string()));
      } else {
        collect_expressions(field.value, out);
      }
    }
  } else if (element.is_array()) {
    for (auto item : element.get_array()) collect_expressions(item, out);
  }
}

std::string bind_dashboard_variables(std::string expression) {
  for (auto [variable, value] : {std::pair{"$__rate_interval", "1m"}, {"$instance", ".*"}, {"$job", "tachyon"}}) {
    for (std::size_t at; (at = expression.find(variable)) != std::string::npos;) {
      expression.replace(at, std::string_view(variable).size(), value);
    }
  }
  return expression;
}

std::vector<std::string> dashboard_expressions() {
  simdjson::dom::parser parser;
  std::vector<std::string> expressions;
  collect_expressions(parser.load((deploy_dir / "grafana-dashboard.json").string()), expressions);
  for (auto& expression : expressions) expression = bind_dashboard_variables(expression);
  return expressions;
}

// The one-line `expr:` of every alert rule. (No std::regex: it trips GCC 12's -Wmaybe-uninitialized
// under ASan.)
std::vector<std::string> alert_expressions() {
  std::ifstream file(deploy_dir / "alerts.yml");
  std::vector<std::string> expressions;
  for (std::string line; std::getline(file, line);) {
    std::size_t start = line.find_first_not_of(" \t");
    if (start == 0 || start == std::string::npos || line.compare(start, 5, "expr:") != 0) continue;
    std::size_t value = line.find_first_not_of(" \t", start + 5);
    if (value != std::string::npos) expressions.push_back(line.substr(value));
  }
  return expressions;
}

// The alert's condition without its threshold (a trailing comparison with a number), which is what
// has to yield series when all is well.
std::string without_threshold(std::string expression) {
  while (!expression.empty() && std::isspace(static_cast<unsigned char>(expression.back()))) expression.pop_back();
  std::size_t number = expression.find_last_not_of("0123456789.e+-");
  if (number == std::string::npos || number + 1 == expression.size()) return expression;
  std::size_t end = expression.find_last_not_of(" \t", number);
  if (end == std::string::npos) return expression;
  std::size_t operator_start = expression.find_last_not_of("<>=!", end);
  if (operator_start == end) return expression;  // no comparison operator before the number
  expression.erase(operator_start + 1);
  while (!expression.empty() && std::isspace(static_cast<unsigned char>(expression.back()))) expression.pop_back();
  return expression;
}

class PrometheusProcess {
 public:
  PrometheusProcess(const fs::path& directory, std::uint16_t port) : port_(port) {
    std::string log = (directory / "prometheus.log").string();
    pid_ = ::fork();
    if (pid_ == 0) {
      int descriptor = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(descriptor, 1);
      ::dup2(descriptor, 2);
      std::string config = "--config.file=" + (directory / "prometheus.yml").string();
      std::string storage = "--storage.tsdb.path=" + (directory / "data").string();
      std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port);
      ::execlp("prometheus", "prometheus", config.c_str(), storage.c_str(), listen.c_str(), nullptr);
      ::_exit(127);
    }
  }
  ~PrometheusProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(50ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  PrometheusProcess(const PrometheusProcess&) = delete;
  PrometheusProcess& operator=(const PrometheusProcess&) = delete;

  // The body of GET /api/v1/query, or empty when Prometheus does not answer.
  std::string query(const std::string& promql) const {
    try {
      auto response = request(port_, get_request("/api/v1/query?query=" + url_encode(promql)), 10s);
      return response ? response->body : std::string();
    } catch (const std::exception&) {
      return {};  // not listening yet
    }
  }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_;
};

struct QueryResult {
  bool success = false;
  std::size_t series = 0;
  std::string first_value;  // the first sample's value as Prometheus prints it ("0.0049", "NaN")
};

QueryResult parse_query(const std::string& body) {
  QueryResult result;
  if (body.empty()) return result;
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (parser.parse(body).get(document) != simdjson::SUCCESS) return result;
  std::string_view status;
  if (document["status"].get(status) != simdjson::SUCCESS || status != "success") return result;
  result.success = true;
  simdjson::dom::array series;
  if (document["data"]["result"].get(series) != simdjson::SUCCESS) return result;
  result.series = series.size();
  for (auto item : series) {
    std::string_view value;
    if (item["value"].at(1).get(value) == simdjson::SUCCESS) result.first_value = std::string(value);
    break;
  }
  return result;
}

TEST(PrometheusDeploy, PromtoolAcceptsTheConfigAndTheAlertUnitTestsPass) {
  ASSERT_TRUE(have_program("promtool")) << "promtool not installed (scripts/install-deps.sh test)";
  std::string output;
  EXPECT_EQ(run_shell("promtool check config " + (deploy_dir / "prometheus.yml").string(), output), 0) << output;
  output.clear();
  EXPECT_EQ(run_shell("promtool test rules " + (deploy_dir / "alerts_test.yml").string(), output), 0) << output;
  output.clear();
  EXPECT_EQ(run_shell("promtool check rules " + (deploy_dir / "alerts.yml").string(), output), 0) << output;
}

TEST(PrometheusLive, ScrapesTheServerAndEveryShippedQueryReturnsSeries) {
  ASSERT_TRUE(have_program("prometheus")) << "prometheus not installed (scripts/install-deps.sh test)";
  ServerProcess server;
  char pattern[] = "/tmp/tachyon-prometheus-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  fs::path directory = pattern;
  std::ofstream(directory / "prometheus.yml")
      << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
      << "rule_files:\n  - " << (deploy_dir / "alerts.yml").string() << "\n"
      << "scrape_configs:\n  - job_name: tachyon\n    static_configs:\n      - targets: ['127.0.0.1:" << server.port()
      << "']\n";
  std::uint16_t port = free_port();
  {
    PrometheusProcess prometheus(directory, port);
    auto deadline = std::chrono::steady_clock::now() + 40s;
    QueryResult up;
    while (std::chrono::steady_clock::now() < deadline) {
      up = parse_query(prometheus.query("up{job=\"tachyon\"}"));
      if (up.first_value == "1") break;
      std::this_thread::sleep_for(200ms);
    }
    ASSERT_EQ(up.first_value, "1") << "target not up";

    // Requests between scrapes give the rate a non-zero denominator, so the quantile becomes a number.
    std::string quantile = "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1m])))";
    QueryResult p99;
    while (std::chrono::steady_clock::now() < deadline) {
      for (int index = 0; index < 20; ++index) request(server.port(), get_request("/json"));
      p99 = parse_query(prometheus.query(quantile));
      if (!p99.first_value.empty() && p99.first_value != "NaN") break;
      std::this_thread::sleep_for(200ms);
    }
    ASSERT_FALSE(p99.first_value.empty());
    char* end = nullptr;
    double seconds = std::strtod(p99.first_value.c_str(), &end);
    EXPECT_TRUE(end != p99.first_value.c_str() && std::isfinite(seconds)) << p99.first_value;

    std::vector<std::string> expressions = dashboard_expressions();
    EXPECT_GE(expressions.size(), 10u);
    for (const auto& alert : alert_expressions()) {
      EXPECT_TRUE(parse_query(prometheus.query(alert)).success) << alert;
      expressions.push_back(without_threshold(alert));
    }
    EXPECT_GE(expressions.size(), 15u);
    for (const auto& expression : expressions) {
      QueryResult result = parse_query(prometheus.query(expression));
      EXPECT_TRUE(result.success) << expression;
      EXPECT_GE(result.series, 1u) << expression;
    }
  }
  std::error_code ignored;
  fs::remove_all(directory, ignored);
}

}  // namespace
}  // namespace tachyon::testing
