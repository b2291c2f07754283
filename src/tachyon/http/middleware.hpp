// The middleware pipeline: an ordered chain of small classes around the router. Each one may
// short-circuit (not call next), wrap the response after next returns, and read the matched route's
// metadata, since routing happens before the chain runs.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string_view>
#include <vector>

#include "tachyon/http/context.hpp"
#include "tachyon/http/router.hpp"

namespace tachyon::http {

class Pipeline;

// Calls the rest of the chain (and finally the route's handler).
class Next {
 public:
  boost::asio::awaitable<void> operator()(Context& context) const;
  // The pipeline's routes, for a middleware that must match another method than the request's (CORS
  // preflights). Middlewares keep no reference of their own: the pipeline moves into the server.
  const Router& router() const;

 private:
  friend class Pipeline;
  Next(const Pipeline& pipeline, std::size_t index) : pipeline_(pipeline), index_(index) {}
  const Pipeline& pipeline_;
  std::size_t index_;
};

class Middleware {
 public:
  virtual ~Middleware() = default;
  virtual boost::asio::awaitable<void> handle(Context& context, Next next) = 0;
};

class Pipeline {
 public:
  explicit Pipeline(Router router) : router_(std::move(router)) {}

  // Appends a middleware; the first added is the outermost.
  Pipeline& use(std::unique_ptr<Middleware> middleware);
  boost::asio::awaitable<void> run(Context& context) const;
  const Router& router() const { return router_; }

 private:
  friend class Next;
  boost::asio::awaitable<void> call(Context& context, std::size_t index) const;
  boost::asio::awaitable<void> dispatch(Context& context) const;

  Router router_;
  std::vector<std::unique_ptr<Middleware>> chain_;
};

}  // namespace tachyon::http
