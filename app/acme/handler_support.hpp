// How Acme's resource handlers meet the router and the database: a handler takes the request and the
// services, and a write runs on the writer inside the request's "db" span, then drops what it changed
// from every instance's cache before the handler answers (so the next read anywhere sees it).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <type_traits>
#include <utility>

#include "app/acme/caching.hpp"
#include "app/acme/services.hpp"
#include "tachyon/http/context.hpp"
#include "tachyon/observe/spans.hpp"

namespace tachyon::app::acme {

using ResourceHandler = boost::asio::awaitable<void> (*)(http::Context& context, Services& services);

// The router's handler: `handler` with these services.
inline http::Handler with_services(Services& services, ResourceHandler handler) {
  return [&services, handler](http::Context& context) { return handler(context, services); };
}

// Runs `work` (a callable on db::Connection&) on the writer, then invalidates `changes`: CacheChanges, or
// a callable that tells them from the work's result (an order's products are known only once it is
// placed). Returns the work's result. Pass `work` named and moved (GCC 12, see db::Database::write).
template <typename Work, typename Changes>
auto write_then_invalidate(http::Context& context, Services& services, Work work, Changes changes)
    -> boost::asio::awaitable<std::invoke_result_t<Work&, db::Connection&>> {
  using Result = std::invoke_result_t<Work&, db::Connection&>;
  if constexpr (std::is_void_v<Result>) {
    {
      observe::Span span(context, "db");
      co_await services.database.write(std::move(work), &context);
    }
    CacheChanges changed = std::move(changes);
    co_await invalidate(services.caches, std::move(changed));
  } else {
    std::optional<Result> result;
    {
      observe::Span span(context, "db");
      result.emplace(co_await services.database.write(std::move(work), &context));
    }
    CacheChanges changed;
    if constexpr (std::is_invocable_v<Changes&, const Result&>) {
      changed = changes(*result);
    } else {
      changed = std::move(changes);
    }
    co_await invalidate(services.caches, std::move(changed));
    co_return std::move(*result);
  }
}

}  // namespace tachyon::app::acme
