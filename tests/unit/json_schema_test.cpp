#include "tachyon/json/schema.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace tachyon::json {

// Lets gtest print FieldError values in failure messages (found by argument-dependent lookup).
inline void PrintTo(const FieldError& error, std::ostream* out) {
  *out << "{\"" << error.field << "\", \"" << error.message << "\"}";
}

namespace {

using ::testing::ElementsAre;

struct OrderItem {
  std::int64_t product_id = 0;
  std::int64_t quantity = 0;
};

struct CreateOrder {
  std::int64_t user_id = 0;
  std::vector<OrderItem> items;
  std::optional<std::string> note;
};

const ObjectSchema<OrderItem>& order_item_schema() {
  static const ObjectSchema<OrderItem> schema =
      ObjectSchema<OrderItem>("OrderItem")
          .integer("product_id", &OrderItem::product_id, {.minimum = 1})
          .integer("quantity", &OrderItem::quantity, {.minimum = 1, .maximum = 1000});
  return schema;
}

const ObjectSchema<CreateOrder>& create_order_schema() {
  static const ObjectSchema<CreateOrder> schema =
      ObjectSchema<CreateOrder>("CreateOrder")
          .integer("user_id", &CreateOrder::user_id, {.minimum = 1})
          .array("items", &CreateOrder::items, order_item_schema(), {.min_items = 1, .max_items = 3})
          .optional_string("note", &CreateOrder::note, {.max_length = 5});
  return schema;
}

struct Address {
  std::string city;
  std::string zip;
};

struct Profile {
  std::string name;
  std::string email;
  std::string role;
  std::optional<std::int64_t> age;
  double score = 0;
  std::optional<double> ratio;
  bool active = false;
  std::optional<bool> admin;
  Address address;
};

const ObjectSchema<Profile>& profile_schema() {
  static const ObjectSchema<Profile> schema =
      ObjectSchema<Profile>("Profile")
          .string("name", &Profile::name, {.min_length = 2, .max_length = 3})
          .string("email", &Profile::email, {.format = "email"})
          .string("role", &Profile::role, {.one_of = {"admin", "manager", "user"}})
          .optional_integer("age", &Profile::age, {.minimum = 0, .maximum = 150})
          .number("score", &Profile::score, {.maximum = 10, .exclusive_minimum = 0})
          .optional_number("ratio", &Profile::ratio, {.minimum = 0.5, .exclusive_maximum = 1})
          .boolean("active", &Profile::active)
          .optional_boolean("admin", &Profile::admin)
          .object("address", &Profile::address,
                  ObjectSchema<Address>("Address")
                      .string("city", &Address::city, {.min_length = 1})
                      .string("zip", &Address::zip));
  return schema;
}

// A valid Profile body with `replacement` spliced in for the member named `member`
// (or appended when `member` is empty). Built with appends only: GCC 12 reports a false
// -Wrestrict warning for chains of std::string operator+ at -O2.
std::string profile_with(std::string_view member, std::string_view replacement) {
  const std::vector<std::pair<std::string_view, std::string_view>> members = {
      {"name", R"("Ada")"},   {"email", R"("ada@example.com")"},
      {"role", R"("admin")"}, {"score", "5"},
      {"active", "true"},     {"address", R"({"city":"Paris","zip":"75001"})"},
  };
  std::string body = "{";
  for (const auto& [name, value] : members) {
    const std::string_view text = name == member ? replacement : value;
    if (text.empty()) continue;
    body += '"';
    body += name;
    body += "\":";
    body += text;
    body += ',';
  }
  if (member.empty() && !replacement.empty()) {
    body += replacement;
    body += ',';
  }
  body.back() = '}';
  return body;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  out += text;
  out += '"';
  return out;
}

std::vector<FieldError> profile_errors(std::string_view member, std::string_view replacement) {
  ParseResult<Profile> result = profile_schema().parse(profile_with(member, replacement));
  EXPECT_FALSE(result.syntax_error.has_value()) << *result.syntax_error;
  EXPECT_EQ(result.value.has_value(), result.errors.empty());
  return result.errors;
}

std::vector<FieldError> order_errors(std::string_view body) {
  ParseResult<CreateOrder> result = create_order_schema().parse(body);
  EXPECT_FALSE(result.syntax_error.has_value()) << *result.syntax_error;
  EXPECT_FALSE(result.value.has_value());
  return result.errors;
}

std::optional<std::string> syntax_error(std::string_view body) {
  ParseResult<CreateOrder> result = create_order_schema().parse(body);
  EXPECT_FALSE(result.value.has_value());
  EXPECT_TRUE(result.errors.empty());
  return result.syntax_error;
}

std::string json_schema_of(const auto& schema) {
  std::string out;
  JsonWriter writer(out);
  schema.write_json_schema(writer);
  return out;
}

// ---- Valid bodies ----

TEST(JsonSchemaTest, ValidOrderIsReadIntoTheStruct) {
  ParseResult<CreateOrder> result = create_order_schema().parse(
      R"({"user_id":7,"items":[{"product_id":1,"quantity":2},{"quantity":1000,"product_id":9}],"note":"hi"})");
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.syntax_error.has_value());
  EXPECT_TRUE(result.errors.empty());
  const CreateOrder& order = *result.value;
  EXPECT_EQ(order.user_id, 7);
  ASSERT_EQ(order.items.size(), 2u);
  EXPECT_EQ(order.items[0].product_id, 1);
  EXPECT_EQ(order.items[0].quantity, 2);
  EXPECT_EQ(order.items[1].product_id, 9);
  EXPECT_EQ(order.items[1].quantity, 1000);
  EXPECT_EQ(order.note, "hi");
}

TEST(JsonSchemaTest, ValidProfileReadsEveryKind) {
  ParseResult<Profile> result = profile_schema().parse(
      R"({"name":"Ada","email":"ada@example.com","role":"manager","age":36,"score":9.5,"ratio":0.75,)"
      R"("active":true,"admin":false,"address":{"city":"Paris","zip":"75001"}})");
  ASSERT_TRUE(result.ok()) << (result.errors.empty() ? "" : result.errors[0].field + " " + result.errors[0].message);
  const Profile& profile = *result.value;
  EXPECT_EQ(profile.name, "Ada");
  EXPECT_EQ(profile.email, "ada@example.com");
  EXPECT_EQ(profile.role, "manager");
  EXPECT_EQ(profile.age, 36);
  EXPECT_EQ(profile.score, 9.5);
  EXPECT_EQ(profile.ratio, 0.75);
  EXPECT_TRUE(profile.active);
  EXPECT_EQ(profile.admin, false);
  EXPECT_EQ(profile.address.city, "Paris");
  EXPECT_EQ(profile.address.zip, "75001");
}

TEST(JsonSchemaTest, AbsentOptionalFieldsStayEmpty) {
  ParseResult<Profile> result = profile_schema().parse(profile_with("", ""));
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.value->age.has_value());
  EXPECT_FALSE(result.value->ratio.has_value());
  EXPECT_FALSE(result.value->admin.has_value());
}

TEST(JsonSchemaTest, NullForOptionalFieldsMeansAbsent) {
  ParseResult<Profile> result = profile_schema().parse(profile_with("", R"("age":null,"ratio":null,"admin":null)"));
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.value->age.has_value());
  EXPECT_FALSE(result.value->ratio.has_value());
  EXPECT_FALSE(result.value->admin.has_value());
}

TEST(JsonSchemaTest, IntegerIsAcceptedForANumberField) {
  ParseResult<Profile> result = profile_schema().parse(profile_with("score", "10"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value->score, 10.0);
}

TEST(JsonSchemaTest, Int64ExtremesAreAccepted) {
  struct Wide {
    std::int64_t value = 0;
  };
  const auto schema = ObjectSchema<Wide>("Wide").integer("value", &Wide::value);
  EXPECT_EQ(schema.parse(R"({"value":9223372036854775807})").value->value, INT64_MAX);
  EXPECT_EQ(schema.parse(R"({"value":-9223372036854775808})").value->value, INT64_MIN);
}

TEST(JsonSchemaTest, WhitespaceAroundTheBodyIsAllowed) {
  EXPECT_TRUE(create_order_schema().parse(" \n{\"user_id\":1,\"items\":[{\"product_id\":1,\"quantity\":1}]}\n ").ok());
}

// ---- Presence ----

TEST(JsonSchemaTest, MissingRequiredFieldIsRequired) {
  EXPECT_THAT(profile_errors("role", ""), ElementsAre(FieldError{"role", "is required"}));
}

TEST(JsonSchemaTest, NullForRequiredFieldIsRequired) {
  EXPECT_THAT(profile_errors("role", "null"), ElementsAre(FieldError{"role", "is required"}));
}

TEST(JsonSchemaTest, EmptyObjectReportsEveryRequiredFieldInDeclarationOrder) {
  EXPECT_THAT(order_errors("{}"),
              ElementsAre(FieldError{"user_id", "is required"}, FieldError{"items", "is required"}));
}

TEST(JsonSchemaTest, UnknownFieldIsReportedByName) {
  EXPECT_THAT(profile_errors("", R"("nickname":"x")"), ElementsAre(FieldError{"nickname", "unknown field"}));
}

TEST(JsonSchemaTest, UnknownNestedFieldHasItsFullPath) {
  EXPECT_THAT(profile_errors("address", R"({"city":"Paris","zip":"1","street":"x"})"),
              ElementsAre(FieldError{"address.street", "unknown field"}));
}

TEST(JsonSchemaTest, DuplicateFieldIsAnError) {
  EXPECT_THAT(profile_errors("", R"("role":"user")"), ElementsAre(FieldError{"role", "duplicate field"}));
}

// ---- Types ----

TEST(JsonSchemaTest, WrongTypesAreReportedPerKind) {
  EXPECT_THAT(profile_errors("name", "1"), ElementsAre(FieldError{"name", "must be a string"}));
  EXPECT_THAT(profile_errors("", R"("age":"36")"), ElementsAre(FieldError{"age", "must be an integer"}));
  EXPECT_THAT(profile_errors("score", "true"), ElementsAre(FieldError{"score", "must be a number"}));
  EXPECT_THAT(profile_errors("active", "1"), ElementsAre(FieldError{"active", "must be a boolean"}));
  EXPECT_THAT(profile_errors("address", "[]"), ElementsAre(FieldError{"address", "must be an object"}));
  EXPECT_THAT(order_errors(R"({"user_id":1,"items":{}})"), ElementsAre(FieldError{"items", "must be an array"}));
}

TEST(JsonSchemaTest, FractionalOrDecimalNumbersAreNotIntegers) {
  EXPECT_THAT(profile_errors("", R"("age":1.5)"), ElementsAre(FieldError{"age", "must be an integer"}));
  EXPECT_THAT(profile_errors("", R"("age":1.0)"), ElementsAre(FieldError{"age", "must be an integer"}));
  EXPECT_THAT(profile_errors("", R"("age":1e2)"), ElementsAre(FieldError{"age", "must be an integer"}));
}

TEST(JsonSchemaTest, IntegerAboveInt64IsOutOfRange) {
  EXPECT_THAT(
      order_errors(R"({"user_id":9223372036854775808,"items":[{"product_id":1,"quantity":18446744073709551615}]})"),
      ElementsAre(FieldError{"user_id", "must be <= 9223372036854775807"},
                  FieldError{"items[0].quantity", "must be <= 1000"}));
}

TEST(JsonSchemaTest, IntegerBeyondUint64IsASyntaxError) {
  EXPECT_EQ(syntax_error(R"({"user_id":18446744073709551616,"items":[]})"), "Problem while parsing a number");
  EXPECT_EQ(syntax_error(R"({"user_id":-9223372036854775809,"items":[]})"), "Problem while parsing a number");
}

TEST(JsonSchemaTest, TopLevelNonObjectIsReportedOnTheEmptyPath) {
  EXPECT_THAT(order_errors("[]"), ElementsAre(FieldError{"", "must be an object"}));
  EXPECT_THAT(order_errors("42"), ElementsAre(FieldError{"", "must be an object"}));
  EXPECT_THAT(order_errors("null"), ElementsAre(FieldError{"", "must be an object"}));
  EXPECT_THAT(order_errors(R"("text")"), ElementsAre(FieldError{"", "must be an object"}));
}

TEST(JsonSchemaTest, ArrayItemThatIsNotAnObjectHasItsIndex) {
  EXPECT_THAT(order_errors(R"({"user_id":1,"items":[{"product_id":1,"quantity":1},5]})"),
              ElementsAre(FieldError{"items[1]", "must be an object"}));
}

// ---- Rules ----

TEST(JsonSchemaTest, IntegerBoundsAreInclusive) {
  EXPECT_THAT(order_errors(R"({"user_id":0,"items":[{"product_id":1,"quantity":1001}]})"),
              ElementsAre(FieldError{"user_id", "must be >= 1"}, FieldError{"items[0].quantity", "must be <= 1000"}));
  EXPECT_TRUE(create_order_schema().parse(R"({"user_id":1,"items":[{"product_id":1,"quantity":1000}]})").ok());
  EXPECT_THAT(profile_errors("", R"("age":-1)"), ElementsAre(FieldError{"age", "must be >= 0"}));
}

TEST(JsonSchemaTest, NumberBoundsAndExclusiveBounds) {
  EXPECT_THAT(profile_errors("score", "0"), ElementsAre(FieldError{"score", "must be > 0"}));
  EXPECT_THAT(profile_errors("score", "-0.5"), ElementsAre(FieldError{"score", "must be > 0"}));
  EXPECT_THAT(profile_errors("score", "10.5"), ElementsAre(FieldError{"score", "must be <= 10"}));
  EXPECT_TRUE(profile_schema().parse(profile_with("score", "10")).ok());
  EXPECT_TRUE(profile_schema().parse(profile_with("score", "1e-300")).ok());
  EXPECT_THAT(profile_errors("", R"("ratio":0.25)"), ElementsAre(FieldError{"ratio", "must be >= 0.5"}));
  EXPECT_THAT(profile_errors("", R"("ratio":1)"), ElementsAre(FieldError{"ratio", "must be < 1"}));
  EXPECT_TRUE(profile_schema().parse(profile_with("", R"("ratio":0.5)")).ok());
}

TEST(JsonSchemaTest, StringLengthLimitsUseSingularAndPlural) {
  EXPECT_THAT(profile_errors("name", R"("A")"), ElementsAre(FieldError{"name", "must be at least 2 characters"}));
  EXPECT_THAT(profile_errors("name", R"("Adam")"), ElementsAre(FieldError{"name", "must be at most 3 characters"}));
  EXPECT_THAT(profile_errors("address", R"({"city":"","zip":"1"})"),
              ElementsAre(FieldError{"address.city", "must be at least 1 character"}));
}

TEST(JsonSchemaTest, StringLengthCountsCodePointsNotBytes) {
  // "é€😀" is 9 bytes but 3 code points, so it fits max_length 3; one more character does not.
  EXPECT_TRUE(profile_schema().parse(profile_with("name", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"")).ok());
  EXPECT_THAT(profile_errors("name", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80x\""),
              ElementsAre(FieldError{"name", "must be at most 3 characters"}));
  // An escaped character counts once too.
  EXPECT_TRUE(profile_schema().parse(profile_with("name", R"("\u00e9\n")")).ok());
}

TEST(JsonSchemaTest, OptionalStringLengthIsChecked) {
  EXPECT_THAT(order_errors(R"({"user_id":1,"items":[{"product_id":1,"quantity":1}],"note":"toolong"})"),
              ElementsAre(FieldError{"note", "must be at most 5 characters"}));
}

TEST(JsonSchemaTest, OneOfListsTheAllowedValues) {
  EXPECT_THAT(profile_errors("role", R"("root")"),
              ElementsAre(FieldError{"role", "must be one of: admin, manager, user"}));
  EXPECT_THAT(profile_errors("role", R"("Admin")"),
              ElementsAre(FieldError{"role", "must be one of: admin, manager, user"}));
}

TEST(JsonSchemaTest, EmailFormatAcceptsOrdinaryAddresses) {
  for (const char* email : {"ada@example.com", "a.b+tag@mail.example.org", "x@y.io"}) {
    EXPECT_TRUE(profile_schema().parse(profile_with("email", quoted(email))).ok()) << email;
  }
}

TEST(JsonSchemaTest, EmailFormatRejectsMalformedAddresses) {
  for (const char* email :
       {"", "ada", "@example.com", "ada@", "ada@example", "ada@@example.com", "a@b@example.com", "ada @example.com",
        "ada@exa mple.com", "ada@.example.com", "ada@example.com.", "ada@example..com"}) {
    EXPECT_THAT(profile_errors("email", quoted(email)),
                ElementsAre(FieldError{"email", "must be a valid email address"}))
        << email;
  }
}

TEST(JsonSchemaTest, ArraySizeLimits) {
  EXPECT_THAT(order_errors(R"({"user_id":1,"items":[]})"),
              ElementsAre(FieldError{"items", "must contain at least 1 item"}));
  EXPECT_THAT(order_errors(R"({"user_id":1,"items":[{"product_id":1,"quantity":1},{"product_id":1,"quantity":1},)"
                           R"({"product_id":1,"quantity":1},{"product_id":1,"quantity":1}]})"),
              ElementsAre(FieldError{"items", "must contain at most 3 items"}));
}

// ---- Collecting every error ----

TEST(JsonSchemaTest, EveryFailingFieldIsReportedInOnePass) {
  EXPECT_THAT(
      order_errors(R"({"user_id":"7","items":[{"product_id":1,"quantity":0},{"product_id":0},)"
                   R"({"product_id":2,"quantity":3,"colour":"red"}],"note":12,"coupon":"X"})"),
      ElementsAre(FieldError{"user_id", "must be an integer"}, FieldError{"items[0].quantity", "must be >= 1"},
                  FieldError{"items[1].product_id", "must be >= 1"}, FieldError{"items[1].quantity", "is required"},
                  FieldError{"items[2].colour", "unknown field"}, FieldError{"note", "must be a string"},
                  FieldError{"coupon", "unknown field"}));
}

TEST(JsonSchemaTest, ItemErrorsAreReportedEvenWhenTheArrayIsTooLong) {
  EXPECT_THAT(order_errors(R"({"user_id":1,"items":[{"product_id":1,"quantity":1},{"product_id":1,"quantity":1},)"
                           R"({"product_id":1,"quantity":1},{"product_id":1,"quantity":-2}]})"),
              ElementsAre(FieldError{"items", "must contain at most 3 items"},
                          FieldError{"items[3].quantity", "must be >= 1"}));
}

TEST(JsonSchemaTest, ProfileWithManyProblemsListsThemAll) {
  ParseResult<Profile> result = profile_schema().parse(
      R"({"name":"A","email":"nope","role":"root","age":200,"score":0,"ratio":2,"active":"yes","admin":1,)"
      R"("address":{"zip":5}})");
  EXPECT_FALSE(result.ok());
  EXPECT_THAT(
      result.errors,
      ElementsAre(FieldError{"name", "must be at least 2 characters"},
                  FieldError{"email", "must be a valid email address"},
                  FieldError{"role", "must be one of: admin, manager, user"}, FieldError{"age", "must be <= 150"},
                  FieldError{"score", "must be > 0"}, FieldError{"ratio", "must be < 1"},
                  FieldError{"active", "must be a boolean"}, FieldError{"admin", "must be a boolean"},
                  FieldError{"address.zip", "must be a string"}, FieldError{"address.city", "is required"}));
}

// ---- Syntax errors ----

TEST(JsonSchemaTest, MalformedBodiesAreSyntaxErrors) {
  const std::string improper =
      "The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc.";
  EXPECT_EQ(syntax_error(R"({"user_id":1,"items":[)"), improper);      // truncated
  EXPECT_EQ(syntax_error(R"({"user_id":1,"items":[]} x)"), improper);  // trailing garbage
  EXPECT_EQ(syntax_error(R"({"user_id":1,})"), improper);              // trailing comma
  EXPECT_EQ(syntax_error(R"({"user_id":1}{})"), improper);             // two documents
  EXPECT_TRUE(syntax_error(R"({'user_id':1})").has_value());           // single quotes
  EXPECT_TRUE(syntax_error(R"({"note":"unterminated})").has_value());
}

TEST(JsonSchemaTest, EmptyBodyIsASyntaxError) {
  EXPECT_EQ(syntax_error(""), "Empty: no JSON found");
  EXPECT_EQ(syntax_error("  \n "), "Empty: no JSON found");
}

TEST(JsonSchemaTest, InvalidUtf8IsASyntaxError) {
  EXPECT_TRUE(syntax_error("{\"note\":\"\xff\"}").has_value());
  EXPECT_TRUE(syntax_error("{\"note\":\"\xc3\"}").has_value());
}

TEST(JsonSchemaTest, ParsingAShortBodyAfterALongOneIgnoresLeftoverBytes) {
  std::string long_body = R"({"user_id":1,"items":[{"product_id":1,"quantity":1}],"note":"abcde"})";
  EXPECT_TRUE(create_order_schema().parse(long_body).ok());
  EXPECT_EQ(syntax_error(R"({"user_id":1)"),
            "The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc.");
}

TEST(JsonSchemaTest, ParseIsSafeFromSeveralThreads) {
  auto parse_many = [] {
    for (int round = 0; round < 200; ++round) {
      ParseResult<CreateOrder> result =
          create_order_schema().parse(R"({"user_id":3,"items":[{"product_id":4,"quantity":5}]})");
      ASSERT_TRUE(result.ok());
      ASSERT_EQ(result.value->items[0].quantity, 5);
    }
  };
  std::thread first(parse_many);
  std::thread second(parse_many);
  first.join();
  second.join();
}

// ---- Declaring schemas ----

TEST(JsonSchemaTest, UnknownStringFormatIsRejectedWhenDeclared) {
  EXPECT_THROW(ObjectSchema<Address>("Address").string("city", &Address::city, {.format = "uri"}),
               std::invalid_argument);
}

TEST(JsonSchemaTest, FieldDeclaredTwiceIsRejected) {
  EXPECT_THROW(ObjectSchema<Address>("Address").string("city", &Address::city).string("city", &Address::zip),
               std::invalid_argument);
}

TEST(JsonSchemaTest, NameIsTheDeclaredName) {
  EXPECT_EQ(create_order_schema().name(), "CreateOrder");
  EXPECT_EQ(order_item_schema().name(), "OrderItem");
}

// ---- JSON Schema output ----

TEST(JsonSchemaTest, ItemJsonSchemaIsExact) {
  EXPECT_EQ(json_schema_of(order_item_schema()),
            R"({"title":"OrderItem","type":"object","properties":{)"
            R"("product_id":{"type":"integer","minimum":1},)"
            R"("quantity":{"type":"integer","minimum":1,"maximum":1000}},)"
            R"("required":["product_id","quantity"],"additionalProperties":false})");
}

TEST(JsonSchemaTest, ProfileJsonSchemaIsExact) {
  EXPECT_EQ(json_schema_of(profile_schema()),
            R"({"title":"Profile","type":"object","properties":{)"
            R"("name":{"type":"string","minLength":2,"maxLength":3},)"
            R"("email":{"type":"string","format":"email"},)"
            R"("role":{"type":"string","enum":["admin","manager","user"]},)"
            R"("age":{"type":["integer","null"],"minimum":0,"maximum":150},)"
            R"("score":{"type":"number","exclusiveMinimum":0,"maximum":10},)"
            R"("ratio":{"type":["number","null"],"minimum":0.5,"exclusiveMaximum":1},)"
            R"("active":{"type":"boolean"},)"
            R"("admin":{"type":["boolean","null"]},)"
            R"("address":{"title":"Address","type":"object","properties":{)"
            R"("city":{"type":"string","minLength":1},"zip":{"type":"string"}},)"
            R"("required":["city","zip"],"additionalProperties":false}},)"
            R"("required":["name","email","role","score","active","address"],"additionalProperties":false})");
}

TEST(JsonSchemaTest, OptionalEnumAllowsNull) {
  struct Choice {
    std::optional<std::string> size;
  };
  const auto schema = ObjectSchema<Choice>("Choice").optional_string("size", &Choice::size, {.one_of = {"s", "m"}});
  EXPECT_EQ(json_schema_of(schema), R"({"title":"Choice","type":"object","properties":{)"
                                    R"("size":{"type":["string","null"],"enum":["s","m",null]}},)"
                                    R"("additionalProperties":false})");
}

TEST(JsonSchemaTest, OrderJsonSchemaParsesBackWithItsRules) {
  const std::string text = json_schema_of(create_order_schema());
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(text).get(root), simdjson::SUCCESS) << text;
  EXPECT_EQ(std::string_view(root["type"]), "object");
  EXPECT_EQ(bool(root["additionalProperties"]), false);
  EXPECT_EQ(std::int64_t(root["properties"]["user_id"]["minimum"]), 1);
  simdjson::dom::element items = root["properties"]["items"];
  EXPECT_EQ(std::string_view(items["type"]), "array");
  EXPECT_EQ(std::int64_t(items["minItems"]), 1);
  EXPECT_EQ(std::int64_t(items["maxItems"]), 3);
  EXPECT_EQ(std::string_view(items["items"]["title"]), "OrderItem");
  EXPECT_EQ(std::int64_t(items["items"]["properties"]["quantity"]["maximum"]), 1000);
  EXPECT_EQ(std::int64_t(root["properties"]["note"]["maxLength"]), 5);
  std::vector<std::string_view> required;
  for (simdjson::dom::element name : root["required"].get_array()) required.push_back(std::string_view(name));
  EXPECT_THAT(required, ElementsAre("user_id", "items"));
}

}  // namespace
}  // namespace tachyon::json
