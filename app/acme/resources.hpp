// Acme's resources. Each add_*_routes registers one resource's routes; each resource keeps its
// schema, SQL and handlers in its own file (users.cpp, products.cpp, orders.cpp, predictions.cpp).
#pragma once

#include <cstdint>
#include <optional>

#include "app/acme/access_policy.hpp"
#include "app/acme/iris_model.hpp"
#include "app/acme/listing.hpp"
#include "app/acme/services.hpp"
#include "tachyon/http/router.hpp"

namespace tachyon::app::acme {

void add_user_routes(http::Router& router, Services& services);
void add_product_routes(http::Router& router, Services& services);
void add_order_routes(http::Router& router, Services& services);
// POST /v1/predict; `model` must outlive the router.
void add_prediction_routes(http::Router& router, const IrisModel& model, const AcmeCaches& caches);

// GET /v1/orders and GET /v1/users/{id}/orders share this: a page of orders with their items embedded
// (two queries per page, whatever its size; three in offset mode, with the count). `connection` is the
// caller's reader, inside Database::read (which holds the QuerySpan). Only orders within the viewer's reach are listed.
void list_orders(http::Context& context, db::Connection& connection, Services& services, const Viewer& viewer,
                 std::optional<std::int64_t> user_id);

const ResourceShape& user_shape();
// The user without `salary_cents`, for callers who may not see it.
const ResourceShape& user_shape_without_salary();
const ResourceShape& product_shape();
const ResourceShape& order_shape();

}  // namespace tachyon::app::acme
