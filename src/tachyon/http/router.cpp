#include "tachyon/http/router.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace tachyon::http {

namespace {

enum class ParamType { none, integer, text };

struct Segments {
  // "/a/b" has "a" and "b"; "/a/" has "a" and "" (a trailing slash is significant). The root path
  // "/" has no segments: see segments_of().
  explicit Segments(std::string_view remaining) : rest(remaining) {}
  bool next(std::string_view& segment) {
    if (rest.empty()) return false;
    rest.remove_prefix(1);
    std::size_t slash = rest.find('/');
    segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    return true;
  }
  std::string_view rest;
};

Segments segments_of(std::string_view path) {
  return Segments(path == "/" ? std::string_view() : path);
}

bool parse_int64(std::string_view text, std::int64_t& value) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

bool PathParams::add(std::string_view name, std::string_view raw, std::int64_t integer) {
  if (count_ == capacity) return false;
  params_[count_++] = Param{name, raw, integer};
  return true;
}

std::string_view PathParams::text(std::string_view name) const {
  for (std::size_t i = 0; i < count_; ++i) {
    if (params_[i].name == name) return params_[i].raw;
  }
  return {};
}

std::int64_t PathParams::integer(std::string_view name) const {
  for (std::size_t i = 0; i < count_; ++i) {
    if (params_[i].name == name) return params_[i].integer;
  }
  throw std::out_of_range("no integer path parameter named " + std::string(name));
}

struct Router::Node {
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> static_children;
  std::unique_ptr<Node> param_child;
  ParamType param_type = ParamType::none;
  std::string param_name;
  std::array<const Route*, method_count> routes{};

  bool has_routes() const {
    for (const Route* route : routes) {
      if (route != nullptr) return true;
    }
    return false;
  }

  Node& static_child(std::string_view segment) {
    for (auto& [key, child] : static_children) {
      if (key == segment) return *child;
    }
    static_children.emplace_back(std::string(segment), std::make_unique<Node>());
    return *static_children.back().second;
  }

  Node& parameter_child(std::string_view name, ParamType type, std::string_view path_template) {
    if (param_child && (param_name != name || param_type != type)) {
      throw std::invalid_argument("route " + std::string(path_template) + ": parameter {" + std::string(name) +
                                  "} conflicts with {" + param_name + "} at the same position");
    }
    if (!param_child) {
      param_child = std::make_unique<Node>();
      param_name = std::string(name);
      param_type = type;
    }
    return *param_child;
  }

  const Node* find(std::string_view path, PathParams& params) const {
    Segments segments(path);
    std::string_view segment;
    if (!segments.next(segment)) return has_routes() ? this : nullptr;
    std::string_view rest = segments.rest;
    for (const auto& [key, child] : static_children) {
      if (key == segment) {
        if (const Node* found = child->find(rest, params)) return found;
        break;
      }
    }
    if (!param_child || segment.empty()) return nullptr;
    std::int64_t integer = 0;
    if (param_type == ParamType::integer && !parse_int64(segment, integer)) return nullptr;
    std::size_t saved = params.size();
    if (!params.add(param_name, segment, integer)) return nullptr;
    if (const Node* found = param_child->find(rest, params)) return found;
    params.truncate(saved);  // backtrack: the parameter did not lead to a route
    return nullptr;
  }
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

Router::RouteBuilder Router::add(Method method, std::string_view path_template, Handler handler) {
  if (method == Method::unsupported) throw std::invalid_argument("cannot route an unsupported method");
  if (path_template.empty() || path_template.front() != '/') {
    throw std::invalid_argument("route template must start with '/': " + std::string(path_template));
  }
  Node* node = root_.get();
  Segments segments = segments_of(path_template);
  std::string_view segment;
  while (segments.next(segment)) {
    if (!segment.empty() && segment.front() == '{') {
      if (segment.back() != '}') throw std::invalid_argument("unclosed parameter in " + std::string(path_template));
      std::string_view inner = segment.substr(1, segment.size() - 2);
      std::size_t colon = inner.find(':');
      std::string_view name = inner.substr(0, colon);
      std::string_view type_name = colon == std::string_view::npos ? std::string_view("str") : inner.substr(colon + 1);
      ParamType type = type_name == "int" ? ParamType::integer : type_name == "str" ? ParamType::text : ParamType::none;
      if (name.empty() || type == ParamType::none) {
        throw std::invalid_argument("bad parameter {" + std::string(inner) + "} in " + std::string(path_template));
      }
      node = &node->parameter_child(name, type, path_template);
    } else {
      node = &node->static_child(segment);
    }
  }
  auto slot = static_cast<std::size_t>(method);
  if (node->routes[slot] != nullptr) {
    throw std::invalid_argument("duplicate route " + std::string(method_name(method)) + " " +
                                std::string(path_template));
  }
  auto route = std::make_unique<Route>();
  route->method = method;
  route->path_template = std::string(path_template);
  route->handler = std::move(handler);
  route->metadata.name = std::string(method_name(method)) + " " + route->path_template;
  node->routes[slot] = route.get();
  routes_.push_back(std::move(route));
  return RouteBuilder(*routes_.back());
}

Router::RouteBuilder Router::get(std::string_view t, Handler h) {
  return add(Method::get, t, std::move(h));
}
Router::RouteBuilder Router::post(std::string_view t, Handler h) {
  return add(Method::post, t, std::move(h));
}
Router::RouteBuilder Router::put(std::string_view t, Handler h) {
  return add(Method::put, t, std::move(h));
}
Router::RouteBuilder Router::patch(std::string_view t, Handler h) {
  return add(Method::patch, t, std::move(h));
}
Router::RouteBuilder Router::del(std::string_view t, Handler h) {
  return add(Method::delete_, t, std::move(h));
}

RouteMatch Router::match(Method method, std::string_view path, PathParams& params) const {
  RouteMatch result;
  params.clear();
  if (path.empty() || path.front() != '/') return result;
  const Node* node = root_->find(path == "/" ? std::string_view() : path, params);
  if (node == nullptr) return result;
  result.path_found = true;
  const auto& routes = node->routes;
  if (method != Method::unsupported) {
    result.route = routes[static_cast<std::size_t>(method)];
    if (result.route == nullptr && method == Method::head) result.route = routes[static_cast<std::size_t>(Method::get)];
  }
  if (result.route != nullptr) return result;  // the Allow list is only needed for 405 and OPTIONS
  for (int index = 0; index < method_count; ++index) {
    auto current = static_cast<Method>(index);
    bool allowed = routes[index] != nullptr || current == Method::options ||
                   (current == Method::head && routes[static_cast<std::size_t>(Method::get)] != nullptr);
    if (!allowed) continue;
    if (!result.allowed_methods.empty()) result.allowed_methods += ", ";
    result.allowed_methods += method_name(current);
  }
  return result;
}

std::vector<const Route*> Router::routes() const {
  std::vector<const Route*> all;
  for (const auto& route : routes_) all.push_back(route.get());
  return all;
}

Router::RouteBuilder& Router::RouteBuilder::name(std::string value) {
  route_.metadata.name = std::move(value);
  return *this;
}
Router::RouteBuilder& Router::RouteBuilder::summary(std::string value) {
  route_.metadata.summary = std::move(value);
  return *this;
}
Router::RouteBuilder& Router::RouteBuilder::public_access() {
  return declare_access(RouteAccess::Level::public_route, {});
}
Router::RouteBuilder& Router::RouteBuilder::authenticated() {
  return declare_access(RouteAccess::Level::authenticated, {});
}
Router::RouteBuilder& Router::RouteBuilder::requires_scopes(std::vector<std::string> scopes) {
  if (scopes.empty()) throw std::invalid_argument("route " + route_.path_template + ": requires_scopes needs a scope");
  return declare_access(RouteAccess::Level::scoped, std::move(scopes));
}
Router::RouteBuilder& Router::RouteBuilder::loopback_only() {
  route_.metadata.access.loopback_only = true;
  return *this;
}

Router::RouteBuilder& Router::RouteBuilder::declare_access(RouteAccess::Level level, std::vector<std::string> scopes) {
  RouteAccess& access = route_.metadata.access;
  if (access.level != RouteAccess::Level::undeclared) {
    throw std::invalid_argument("route " + route_.path_template + " declares its access twice");
  }
  access.level = level;
  access.scopes = std::move(scopes);
  return *this;
}

void Router::require_declared_access() const {
  for (const auto& route : routes_) {
    if (route->metadata.access.level != RouteAccess::Level::undeclared) continue;
    throw std::invalid_argument("route " + std::string(method_name(route->method)) + " " + route->path_template +
                                " declares no access: call public_access(), authenticated() or requires_scopes()");
  }
}
Router::RouteBuilder& Router::RouteBuilder::cache_control(std::string value) {
  route_.metadata.cache_control = std::move(value);
  return *this;
}
Router::RouteBuilder& Router::RouteBuilder::never_compress() {
  route_.metadata.compressible = false;
  return *this;
}
Router::RouteBuilder& Router::RouteBuilder::cors(CorsMode mode) {
  route_.metadata.cors = mode;
  return *this;
}
Router::RouteBuilder& Router::RouteBuilder::content_security_policy(std::string value) {
  route_.metadata.content_security_policy = std::move(value);
  return *this;
}
Router::RouteBuilder& Router::RouteBuilder::requires_precondition(bool required) {
  route_.metadata.requires_precondition = required;
  return *this;
}
Router::RouteBuilder& Router::RouteBuilder::rate_limit_policy(std::string value) {
  route_.metadata.rate_limit_policy = std::move(value);
  return *this;
}
Router::RouteBuilder& Router::RouteBuilder::request_schema(std::function<void(json::JsonWriter&)> writer) {
  route_.metadata.request_schema = std::move(writer);
  return *this;
}
Router::RouteBuilder& Router::RouteBuilder::response_schema(std::function<void(json::JsonWriter&)> writer) {
  route_.metadata.response_schema = std::move(writer);
  return *this;
}
Router::RouteBuilder& Router::RouteBuilder::tags(std::vector<std::string> value) {
  route_.metadata.tags = std::move(value);
  return *this;
}

Router::RouteBuilder& Router::RouteBuilder::response(int status, std::string description,
                                                     std::function<void(json::JsonWriter&)> schema,
                                                     std::string content_type) {
  if (status < 100 || status > 599)
    throw std::invalid_argument("response status out of range: " + std::to_string(status));
  route_.metadata.responses.push_back({status, std::move(description), std::move(schema), std::move(content_type)});
  return *this;
}

Router::RouteBuilder& Router::RouteBuilder::query_parameter(std::string name, std::string type, std::string description,
                                                            bool required) {
  if (type != "string" && type != "integer" && type != "number" && type != "boolean") {
    throw std::invalid_argument("query parameter " + name + ": unknown type " + type);
  }
  route_.metadata.parameters.push_back({std::move(name), std::move(type), std::move(description), required});
  return *this;
}

}  // namespace tachyon::http
