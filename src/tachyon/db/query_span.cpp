#include "tachyon/db/query_span.hpp"

#include "tachyon/observe/spans.hpp"

namespace tachyon::db {

QuerySpan::QuerySpan(const http::Context& context, const Connection& connection)
    : context_(context),
      connection_(&connection),
      measure_(nullptr),
      statements_before_(connection.statements_executed()),
      started_(std::chrono::steady_clock::now()) {}

QuerySpan::QuerySpan(const http::Context& context, const QueryMeasure& measure)
    : context_(context),
      connection_(nullptr),
      measure_(&measure),
      statements_before_(0),
      started_(std::chrono::steady_clock::now()) {}

QuerySpan::~QuerySpan() {
  observe::RequestObservation* observation = observe::RequestObservation::find(context_);
  if (observation == nullptr) return;
  observation->record("db", std::chrono::steady_clock::now() - started_);
  std::uint64_t statements =
      connection_ != nullptr ? connection_->statements_executed() - statements_before_ : measure_->statements;
  observation->count("db", statements, "statements");
}

}  // namespace tachyon::db
