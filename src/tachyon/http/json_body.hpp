// Reads a request body as a typed value described by a json::ObjectSchema: 415 unless the body is
// JSON, 400 for malformed JSON, 422 listing every failing field.
#pragma once

#include <string>

#include "tachyon/http/context.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/json/schema.hpp"

namespace tachyon::http {

// True for application/json and any application/*+json, parameters (charset) allowed.
bool is_json_content_type(std::string_view content_type);

template <class T>
T read_json_body(const Context& context, const json::ObjectSchema<T>& schema) {
  if (!is_json_content_type(context.request.header("Content-Type"))) {
    throw HttpError(415, "the request body must be application/json");
  }
  json::ParseResult<T> result = schema.parse(context.request.body);
  if (result.syntax_error) throw HttpError(400, "malformed JSON: " + *result.syntax_error);
  if (!result.errors.empty()) throw HttpError(422, "the request body failed validation", std::move(result.errors));
  return std::move(*result.value);
}

}  // namespace tachyon::http
