#include "tachyon/db/query_span.hpp"

#include "tachyon/observe/spans.hpp"

namespace tachyon::db {

QuerySpan::QuerySpan(const http::Context& context, const Connection& connection)
    : context_(context),
      connection_(connection),
      statements_before_(connection.statements_executed()),
      started_(std::chrono::steady_clock::now()) {}

QuerySpan::~QuerySpan() {
  observe::RequestObservation* observation = observe::RequestObservation::find(context_);
  if (observation == nullptr) return;
  observation->record("db", std::chrono::steady_clock::now() - started_);
  observation->count("db", connection_.statements_executed() - statements_before_, "statements");
}

}  // namespace tachyon::db
