// Validates an OpenAPI 3.1 document (a file path, or "-" for standard input) with
// @seriousme/openapi-schema-validator, which checks it against the official OpenAPI 3.1 JSON Schema.
// Exit 0 when valid and 3.1; 1 with the errors on stderr otherwise. Run by the integration tests.
import { readFileSync } from "node:fs";
import { argv, exit, stdin } from "node:process";
import { Validator } from "@seriousme/openapi-schema-validator";

const source = argv[2] ?? "-";
const text = readFileSync(source === "-" ? stdin.fd : source, "utf8");
let document;
try {
  document = JSON.parse(text);
} catch (error) {
  console.error(`not JSON: ${error.message}`);
  exit(1);
}
const validator = new Validator();
const result = await validator.validate(document);
if (!result.valid) {
  console.error(JSON.stringify(result.errors, null, 2));
  exit(1);
}
if (validator.version !== "3.1") {
  console.error(`valid, but OpenAPI ${validator.version}, not 3.1`);
  exit(1);
}
console.log(`valid OpenAPI ${validator.version}`);
