// Generated values for scenario templates ({{random_int(1,10)}}, {{uuid}}...): one generator per
// virtual user, so threads share nothing and a seeded run repeats itself.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace tachyon::loadgen {

// Values of the template generators: {{random_int(A,B)}} uniform in [A, B], {{random_choice(x,y)}}
// one of the listed values, {{sequence}} 1, 2, 3... unique across the users of a scenario
// (user i of N takes i+1, i+1+N, ...), {{uuid}} a random version-4 UUID.
class ValueGenerator {
 public:
  ValueGenerator(std::uint64_t seed, std::uint64_t first_sequence = 1, std::uint64_t sequence_step = 1);
  // nullopt when `expression` is not a generator call.
  std::optional<std::string> generate(std::string_view expression);

 private:
  std::mt19937_64 random_;
  std::uint64_t next_sequence_;
  std::uint64_t sequence_step_;
};

}  // namespace tachyon::loadgen
