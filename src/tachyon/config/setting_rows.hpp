// Builders of settings-table rows, for the library's own table (settings.cpp) and for apps that add their
// settings to it (an app keeps them in a section struct of its own, see AppSections). Each builder ties a
// variable's documentation, parser and rendering to one member, so they cannot drift.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tachyon/config/cache_route.hpp"
#include "tachyon/config/scope_grants.hpp"
#include "tachyon/config/settings.hpp"
#include "tachyon/config/values.hpp"
#include "tachyon/core/url.hpp"

namespace tachyon::config {

inline constexpr std::uint64_t kibibyte = 1024;
inline constexpr std::uint64_t mebibyte = 1024 * kibibyte;
inline constexpr std::uint64_t gibibyte = 1024 * mebibyte;
inline constexpr std::chrono::milliseconds longest_timeout = std::chrono::hours(1);

// The struct a row writes into: the library's Settings itself, or an app's section of it.
template <typename Section>
Section& section_of(Settings& settings) {
  if constexpr (std::is_same_v<Section, Settings>) {
    return settings;
  } else {
    return settings.apps.get<Section>();
  }
}

template <typename Section>
const Section& section_of(const Settings& settings) {
  if constexpr (std::is_same_v<Section, Settings>) {
    return settings;
  } else {
    return settings.apps.get<Section>();
  }
}

struct Documentation {
  std::string variable;
  std::string default_text;
  std::string description;
};

// A row with the common fields filled and the empty value shown as "(empty)".
SettingSpec make_spec(Documentation documentation, std::string type, SettingSpec::Binder bind,
                      SettingSpec::Renderer render);

// Rejects empty values and whitespace, the usual copy-paste accidents; the OS resolver
// reports anything subtler when the server binds.
bool plausible_host(std::string_view text);
bool plausible_product(std::string_view text);  // empty, `token` or `token/token`, at most 64 bytes
bool is_readable_file(std::string_view path);

// Stores a successfully parsed value through `store`, or hands back the parser's reason.
template <typename Value, typename Store>
std::optional<std::string> store_parsed(ParseResult<Value> parsed, Store store) {
  if (!parsed.ok()) {
    return std::move(parsed.reason);
  }
  store(*parsed.value);
  return std::nullopt;
}

template <typename Section, typename Member>
SettingSpec integer_row(Documentation documentation, Member Section::*member, std::uint64_t minimum,
                        std::uint64_t maximum) {
  return make_spec(
      std::move(documentation), "integer " + std::to_string(minimum) + ".." + std::to_string(maximum),
      [=](Settings& settings, std::string_view text) {
        return store_parsed(parse_integer(text, minimum, maximum), [&](std::uint64_t value) {
          section_of<Section>(settings).*member = static_cast<Member>(value);
        });
      },
      [=](const Settings& settings) { return std::to_string(section_of<Section>(settings).*member); });
}

template <typename Section>
SettingSpec size_row(Documentation documentation, std::size_t Section::*member, std::uint64_t minimum,
                     std::uint64_t maximum) {
  return make_spec(
      std::move(documentation), "size " + format_size(minimum) + ".." + format_size(maximum),
      [=](Settings& settings, std::string_view text) {
        return store_parsed(parse_size(text, minimum, maximum), [&](std::uint64_t value) {
          section_of<Section>(settings).*member = static_cast<std::size_t>(value);
        });
      },
      [=](const Settings& settings) { return format_size(section_of<Section>(settings).*member); });
}

template <typename Section>
SettingSpec duration_row(Documentation documentation, std::chrono::milliseconds Section::*member,
                         std::chrono::milliseconds minimum, std::chrono::milliseconds maximum = longest_timeout) {
  return make_spec(
      std::move(documentation), "duration " + format_duration(minimum) + ".." + format_duration(maximum),
      [=](Settings& settings, std::string_view text) {
        return store_parsed(parse_duration(text, minimum, maximum),
                            [&](std::chrono::milliseconds value) { section_of<Section>(settings).*member = value; });
      },
      [=](const Settings& settings) { return format_duration(section_of<Section>(settings).*member); });
}

// A whole number of milliseconds, for the `*_MS` thresholds users know from other servers.
template <typename Section>
SettingSpec milliseconds_row(Documentation documentation, std::chrono::milliseconds Section::*member) {
  constexpr std::uint64_t longest = 3'600'000;
  return make_spec(
      std::move(documentation), "integer 0.." + std::to_string(longest) + " (milliseconds)",
      [=](Settings& settings, std::string_view text) {
        return store_parsed(parse_integer(text, 0, longest), [&](std::uint64_t value) {
          section_of<Section>(settings).*member = std::chrono::milliseconds(static_cast<std::int64_t>(value));
        });
      },
      [=](const Settings& settings) { return std::to_string((section_of<Section>(settings).*member).count()); });
}

template <typename Section>
SettingSpec boolean_row(Documentation documentation, bool Section::*member) {
  return make_spec(
      std::move(documentation), "boolean",
      [=](Settings& settings, std::string_view text) {
        return store_parsed(parse_boolean(text), [&](bool value) { section_of<Section>(settings).*member = value; });
      },
      [=](const Settings& settings) { return std::string(section_of<Section>(settings).*member ? "true" : "false"); });
}

template <typename Section, typename Enum, std::size_t count>
SettingSpec choice_row(Documentation documentation, Enum Section::*member,
                       const std::array<std::string_view, count>& names) {
  std::string type = "one of ";
  for (std::size_t index = 0; index < count; ++index) {
    type += (index == 0 ? "" : ", ") + std::string(names[index]);
  }
  return make_spec(
      std::move(documentation), std::move(type),
      [=, &names](Settings& settings, std::string_view text) {
        return store_parsed(parse_choice(text, names), [&](std::size_t index) {
          section_of<Section>(settings).*member = static_cast<Enum>(index);
        });
      },
      [=, &names](const Settings& settings) {
        return std::string(names[static_cast<std::size_t>(section_of<Section>(settings).*member)]);
      });
}

template <typename Section>
SettingSpec host_row(Documentation documentation, std::string Section::*member) {
  return make_spec(
      std::move(documentation), "host name or IP address",
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        if (!plausible_host(text)) {
          return "is not a host name or IP address";
        }
        section_of<Section>(settings).*member = std::string(text);
        return std::nullopt;
      },
      [=](const Settings& settings) { return section_of<Section>(settings).*member; });
}

// A non-empty word without whitespace (token issuer and audience names, compared exactly).
template <typename Section>
SettingSpec word_row(Documentation documentation, std::string Section::*member) {
  return make_spec(
      std::move(documentation), "text without spaces",
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        if (!plausible_host(text)) return "is empty or has spaces";
        section_of<Section>(settings).*member = std::string(text);
        return std::nullopt;
      },
      [=](const Settings& settings) { return section_of<Section>(settings).*member; });
}

// The `Server` field's value: empty (no field) or one RFC 9110 product, `name` or `name/version`, of
// token characters, at most 64 bytes.
template <typename Section>
SettingSpec product_row(Documentation documentation, std::string Section::*member) {
  SettingSpec spec = make_spec(
      std::move(documentation), "product token (name or name/version), or empty",
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        if (!plausible_product(text)) return "is not a product token such as acme or acme/2 (64 bytes at most)";
        section_of<Section>(settings).*member = std::string(text);
        return std::nullopt;
      },
      [=](const Settings& settings) { return section_of<Section>(settings).*member; });
  spec.empty_text = "(none)";
  return spec;
}

// `holder` names the keys ("role", "service"); `check` may refuse grants the syntax allows (an app's
// unknown roles or scopes) with its reason.
template <typename Section>
SettingSpec scope_grants_row(Documentation documentation, std::string holder, ScopeGrants Section::*member,
                             std::function<std::optional<std::string>(const ScopeGrants&)> check = {}) {
  std::string type = holder + "=scope scope; ...";
  SettingSpec spec = make_spec(
      std::move(documentation), std::move(type),
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        std::string error;
        std::optional<ScopeGrants> grants = parse_scope_grants(text, holder, error);
        if (!grants) return error;
        if (check) {
          if (std::optional<std::string> refused = check(*grants)) return refused;
        }
        section_of<Section>(settings).*member = std::move(*grants);
        return std::nullopt;
      },
      [=](const Settings& settings) { return format_scope_grants(section_of<Section>(settings).*member); });
  spec.empty_text = "(none)";
  return spec;
}

// `sqlite:PATH`, `sqlite://PATH`, `sqlite::memory:`, or a PostgreSQL URL (`postgresql://` or
// `postgres://`, libpq's syntax); anything else is refused, so a typo cannot fall back to a local file.
template <typename Section>
SettingSpec database_url_row(Documentation documentation, std::string Section::*member) {
  SettingSpec spec = make_spec(
      std::move(documentation), "database URL",
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        if (core::is_postgres_url(text)) {
          section_of<Section>(settings).*member = std::string(text);
          return std::nullopt;
        }
        std::string_view path = text.starts_with("sqlite://") ? text.substr(9)
                                : text.starts_with("sqlite:") ? text.substr(7)
                                                              : std::string_view();
        if (path.empty())
          return "is not a database URL such as sqlite:acme.db, sqlite::memory: or postgresql://host/db";
        section_of<Section>(settings).*member = std::string(text);
        return std::nullopt;
      },
      [=](const Settings& settings) { return section_of<Section>(settings).*member; });
  spec.redact = core::redact_url;
  return spec;
}

// Comma-separated PostgreSQL URLs (read replicas), or empty; shown with their passwords masked.
template <typename Section>
SettingSpec postgres_url_list_row(Documentation documentation, std::vector<std::string> Section::*member) {
  SettingSpec spec = make_spec(
      std::move(documentation), "comma-separated postgresql:// URLs, or empty",
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        std::vector<std::string> urls;
        while (!text.empty()) {
          const std::size_t comma = text.find(',');
          std::string_view url = text.substr(0, comma);
          while (!url.empty() && url.front() == ' ') url.remove_prefix(1);
          while (!url.empty() && url.back() == ' ') url.remove_suffix(1);
          if (!core::is_postgres_url(url)) return "has an entry that is not a postgresql:// URL";
          urls.emplace_back(url);
          text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        }
        section_of<Section>(settings).*member = std::move(urls);
        return std::nullopt;
      },
      [=](const Settings& settings) { return format_list(section_of<Section>(settings).*member); });
  spec.redact = [](std::string_view shown) {
    std::string redacted;
    while (!shown.empty()) {
      const std::size_t comma = shown.find(',');
      if (!redacted.empty()) redacted += ',';
      redacted += core::redact_url(shown.substr(0, comma));
      shown = comma == std::string_view::npos ? std::string_view() : shown.substr(comma + 1);
    }
    return redacted;
  };
  spec.empty_text = "(none)";
  return spec;
}

// An optional URL: empty, or text `check` finds nothing wrong with (it returns why otherwise); what may be
// shown of it never holds a password.
template <typename Section>
SettingSpec optional_url_row(Documentation documentation, std::string Section::*member, std::string type,
                             std::function<std::optional<std::string>(std::string_view)> check) {
  SettingSpec spec = make_spec(
      std::move(documentation), std::move(type),
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        if (!text.empty()) {
          if (std::optional<std::string> problem = check(text)) return problem;
        }
        section_of<Section>(settings).*member = std::string(text);
        return std::nullopt;
      },
      [=](const Settings& settings) { return section_of<Section>(settings).*member; });
  spec.redact = core::redact_url;
  spec.empty_text = "(none)";
  return spec;
}

// The reason `parse` (one of the URL parsers built on core::parse_url) refuses text, if it does.
template <typename Parse>
std::optional<std::string> url_problem(std::string_view text, Parse parse) {
  try {
    parse(text);
    return std::nullopt;
  } catch (const std::invalid_argument& error) {
    return "is not accepted: " + std::string(error.what());
  }
}

// A route's cache: "off" or `ttl=… stale=… error=… bytes=… policy=…` (fields not given keep theirs).
template <typename Section>
SettingSpec cache_route_row(std::string variable, std::string description, CacheRouteSetting Section::*member) {
  return make_spec(
      {std::move(variable), format_cache_route(Section{}.*member), std::move(description)},
      "off or ttl= stale= error= bytes= policy=",
      [=](Settings& settings, std::string_view text) {
        return store_parsed(parse_cache_route(text, section_of<Section>(settings).*member),
                            [&](const CacheRouteSetting& value) { section_of<Section>(settings).*member = value; });
      },
      [=](const Settings& settings) { return format_cache_route(section_of<Section>(settings).*member); });
}

// A path to a file the server reads at start (a certificate, a key): empty, or a readable file.
template <typename Section>
SettingSpec file_row(Documentation documentation, std::string Section::*member) {
  SettingSpec spec = make_spec(
      std::move(documentation), "path to a readable file, or empty",
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        if (!text.empty() && !is_readable_file(text)) return "is not a readable file";
        section_of<Section>(settings).*member = std::string(text);
        return std::nullopt;
      },
      [=](const Settings& settings) { return section_of<Section>(settings).*member; });
  spec.empty_text = "(none)";
  return spec;
}

// A comma-separated list read by `parse` (parse_media_type_list, parse_token_list, ...).
template <typename Section>
SettingSpec list_row(Documentation documentation, std::vector<std::string> Section::*member, std::string type,
                     ParseResult<std::vector<std::string>> (*parse)(std::string_view)) {
  SettingSpec spec = make_spec(
      std::move(documentation), std::move(type),
      [=](Settings& settings, std::string_view text) {
        return store_parsed(
            parse(text), [&](const std::vector<std::string>& value) { section_of<Section>(settings).*member = value; });
      },
      [=](const Settings& settings) { return format_list(section_of<Section>(settings).*member); });
  spec.empty_text = "(none)";
  return spec;
}

// Empty is allowed (it means "generate one"); a short key is rejected because it can be guessed, and
// one with a control character because it could not travel in a header or a .env line intact.
template <typename Section>
SettingSpec secret_row(Documentation documentation, std::string Section::*member, std::size_t minimum_length,
                       std::string empty_text) {
  std::string too_short = "is shorter than " + std::to_string(minimum_length) + " characters";
  SettingSpec spec = make_spec(
      std::move(documentation), "string, secret, empty or at least " + std::to_string(minimum_length) + " characters",
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        if (!text.empty() && text.size() < minimum_length) {
          return too_short;
        }
        for (char character : text) {
          if (static_cast<unsigned char>(character) < 0x20 || character == 0x7f) return "contains a control character";
        }
        section_of<Section>(settings).*member = std::string(text);
        return std::nullopt;
      },
      [=](const Settings& settings) { return section_of<Section>(settings).*member; });
  spec.secret = true;
  spec.empty_text = std::move(empty_text);
  return spec;
}

}  // namespace tachyon::config
