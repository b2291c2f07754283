#include "app/hello/hello_routes.hpp"

#include <optional>
#include <string>
#include <vector>

#include "tachyon/http/json_body.hpp"
#include "tachyon/json/writer.hpp"

namespace tachyon::app::hello {

namespace {

namespace asio = boost::asio;

struct Greeting {
  std::string name;
  std::int64_t count = 1;
  std::string tone;
  std::optional<std::string> note;
};

const json::ObjectSchema<Greeting>& greeting_schema() {
  static const json::ObjectSchema<Greeting> schema =
      json::ObjectSchema<Greeting>("Greeting")
          .string("name", &Greeting::name, {.min_length = 1, .max_length = 64})
          .integer("count", &Greeting::count, {.minimum = 1, .maximum = 100})
          .string("tone", &Greeting::tone, {.one_of = {"plain", "warm", "loud"}})
          .optional_string("note", &Greeting::note, {.max_length = 200});
  return schema;
}

asio::awaitable<void> plaintext(http::Context& context) {
  context.response.set_text(200, "Hello, World!");
  co_return;
}

asio::awaitable<void> small_json(http::Context& context) {
  context.response.set_content_type("application/json");
  json::JsonWriter writer(context.response.body);
  writer.begin_object();
  writer.key("message");
  writer.value("Hello, World!");
  writer.end_object();
  co_return;
}

// POST /v1/greetings: validates the body, then answers with the greeting repeated `count` times.
asio::awaitable<void> create_greeting(http::Context& context) {
  Greeting greeting = http::read_json_body(context, greeting_schema());
  std::string text =
      (greeting.tone == "warm" ? "Dear " : "Hello, ") + greeting.name + (greeting.tone == "loud" ? "!" : ".");
  context.response.status = 201;
  context.response.set_content_type("application/json");
  json::JsonWriter writer(context.response.body);
  writer.begin_object();
  writer.key("greetings");
  writer.begin_array();
  for (std::int64_t i = 0; i < greeting.count; ++i) writer.value(std::string_view(text));
  writer.end_array();
  if (greeting.note) {
    writer.key("note");
    writer.value(std::string_view(*greeting.note));
  }
  writer.end_object();
  co_return;
}

}  // namespace

void add_routes(http::Router& router) {
  router.get("/plaintext", plaintext)
      .name("plaintext")
      .public_access()
      .summary("Fixed text: the throughput benchmark route");
  router.get("/json", small_json).name("json").public_access().summary("A small JSON object: the JSON benchmark route");
  router.post("/v1/greetings", create_greeting)
      .name("create_greeting")
      .public_access()
      .summary("Validates a Greeting and returns it repeated")
      .request_schema([](json::JsonWriter& writer) { greeting_schema().write_json_schema(writer); });
}

}  // namespace tachyon::app::hello
