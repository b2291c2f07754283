// Acme's order operations, apart from HTTP: placing, reading and cancelling orders for a caller (their
// principal; access_policy.hpp decides what it reaches). Handlers call these, and so will jobs and the
// CLI. They return results or throw core::Failure: invalid (with the failing fields), not_found for an
// order the caller may not see, forbidden, conflict (short stock, already cancelled).
// Placing an order takes stock with guarded updates (`stock >= quantity`) inside its transaction, so
// concurrent orders cannot oversell whichever writer runs them; cancelling gives the stock back.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tachyon/auth/principal.hpp"
#include "tachyon/db/sqlite_connection.hpp"

namespace tachyon::app::acme {

struct OrderLine {
  std::int64_t product_id = 0;
  std::int64_t quantity = 0;
};

struct NewOrder {
  std::int64_t user_id = 0;
  std::vector<OrderLine> items;
};

struct PlacedOrder {
  std::int64_t id = 0;
  std::string json;  // the order with its items, as GET /v1/orders/{id} answers it
};

struct CancelledOrder {
  std::string json;
  std::vector<std::int64_t> restocked_products;  // whose stock came back
};

// One transaction on `writer`. forbidden unless the order is the caller's own (or they are an admin);
// invalid when a product appears twice or a user or product does not exist; conflict when stock is short.
PlacedOrder place_order(db::Connection& writer, const auth::Principal& caller, const NewOrder& order);

// One transaction on `writer`. not_found when the caller may not see the order, forbidden when they may
// see it but not act for its owner, conflict when it is already cancelled.
CancelledOrder cancel_order(db::Connection& writer, const auth::Principal& caller, std::int64_t id);

// The order with its items as JSON; not_found when there is none the caller may see.
std::string find_order(db::Connection& reader, const auth::Principal& caller, std::int64_t id);

// The items of every order in `order_ids`, each as a JSON array, in one query (for pages and exports).
std::map<std::int64_t, std::string> order_items_json(db::Connection& connection,
                                                     const std::vector<std::int64_t>& order_ids);

}  // namespace tachyon::app::acme
