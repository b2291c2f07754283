// Streamed exports of a whole filtered collection (`GET /v1/products`, `GET /v1/orders` with
// `Accept: application/x-ndjson` or `text/csv`): keyset pages underneath, each page written out before
// the next is read, so memory stays at one page whatever the size of the collection, a slow reader slows
// the query (the connection's writes wait), and a reader that goes away stops it. The same filters,
// visibility rules, `sort` and `fields` as the JSON list apply; `page` (offset mode) does not.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/acme/listing.hpp"
#include "app/acme/services.hpp"
#include "tachyon/http/context.hpp"

namespace tachyon::app::acme {

enum class ExportFormat { ndjson, csv };

// The export the Accept field asks for (application/x-ndjson or text/csv with a q above 0), if any.
std::optional<ExportFormat> requested_export(const http::Request& request);

// Rows read per page of an export.
inline constexpr int export_page_rows = 1000;

// JSON of the non-column fields of a page's rows by id (orders: their items), for NDJSON lines only;
// CSV carries the columns.
using ExtraFields =
    std::function<std::map<std::int64_t, std::string>(db::Connection&, const std::vector<std::int64_t>&)>;

// Answers 200 with the stream. `list` comes from parse_list_request; 422 when it is in offset mode.
void respond_export(http::Context& context, Services& services, ExportFormat format, const ResourceShape& shape,
                    std::vector<Filter> filters, ListRequest list, ExtraFields extra = {});

}  // namespace tachyon::app::acme
