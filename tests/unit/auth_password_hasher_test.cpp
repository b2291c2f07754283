// The argon2id password hasher: hashes verify, salts differ, parameter changes ask for a rehash, an unknown user costs
// a real verification, a full pool refuses with PasswordPoolFull, coroutines resume on their own io_context, and
// destruction with jobs pending neither hangs nor loses a completion.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/auth/password_hasher.hpp"

namespace {

using tachyon::auth::PasswordCheck;
using tachyon::auth::PasswordHasher;
using tachyon::auth::PasswordParameters;
using tachyon::auth::PasswordPoolFull;

// Cheap parameters keep the suite fast: 2.7 ms a hash on the dev box, against 11.0 ms at OWASP's (medians of 5).
constexpr PasswordParameters small{8 * 1024 * 1024, 1};
// Heavy enough that one hash (75 ms on the dev box) outlasts the microseconds it takes to submit several jobs.
constexpr PasswordParameters heavy{64 * 1024 * 1024, 3};

// Runs a coroutine to completion on `context` from this thread and returns its result (or rethrows).
template <typename T>
T run(boost::asio::io_context& context, boost::asio::awaitable<T> task) {
  auto future = boost::asio::co_spawn(context, std::move(task), boost::asio::use_future);
  context.restart();
  context.run();
  return future.get();
}

std::string hash_on_loop(PasswordHasher& hasher, std::string password) {
  boost::asio::io_context context;
  return run(context, hasher.hash(std::move(password)));
}

PasswordCheck verify_on_loop(PasswordHasher& hasher, std::string password, std::string stored) {
  boost::asio::io_context context;
  return run(context, hasher.verify(std::move(password), std::move(stored)));
}

template <typename Function>
std::chrono::nanoseconds time_of(Function function) {
  const auto start = std::chrono::steady_clock::now();
  function();
  return std::chrono::steady_clock::now() - start;
}

std::chrono::nanoseconds median(std::vector<std::chrono::nanoseconds> samples) {
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

TEST(PasswordHasher, HashThenVerifyMatches) {
  PasswordHasher hasher(small, 1, 4);
  const std::string stored = hash_on_loop(hasher, "correct horse battery staple");
  const PasswordCheck check = verify_on_loop(hasher, "correct horse battery staple", stored);
  EXPECT_TRUE(check.matches);
  EXPECT_FALSE(check.needs_rehash);
}

TEST(PasswordHasher, WrongPasswordDoesNotMatch) {
  PasswordHasher hasher(small, 1, 4);
  const std::string stored = hash_on_loop(hasher, "correct horse battery staple");
  const PasswordCheck check = verify_on_loop(hasher, "correct horse battery stapler", stored);
  EXPECT_FALSE(check.matches);
  EXPECT_FALSE(check.needs_rehash);
}

TEST(PasswordHasher, DefaultParametersAreOwaspArgon2id) {
  PasswordHasher hasher(PasswordParameters{}, 1, 4);
  const std::string stored = hash_on_loop(hasher, "password");
  EXPECT_TRUE(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << stored;
}

TEST(PasswordHasher, TwoHashesOfOnePasswordDifferBySalt) {
  PasswordHasher hasher(small, 1, 4);
  const std::string first = hash_on_loop(hasher, "password");
  const std::string second = hash_on_loop(hasher, "password");
  EXPECT_NE(first, second);
  EXPECT_TRUE(verify_on_loop(hasher, "password", first).matches);
  EXPECT_TRUE(verify_on_loop(hasher, "password", second).matches);
}

TEST(PasswordHasher, ChangedParametersAskForRehashOnCorrectPassword) {
  PasswordHasher old_hasher(small, 1, 4);
  PasswordHasher new_hasher(PasswordParameters{small.memory_bytes, small.iterations + 1}, 1, 4);
  const std::string stored = hash_on_loop(old_hasher, "password");
  EXPECT_EQ(verify_on_loop(new_hasher, "password", stored).needs_rehash, true);
  EXPECT_EQ(verify_on_loop(new_hasher, "password", stored).matches, true);
  EXPECT_EQ(verify_on_loop(old_hasher, "password", stored).needs_rehash, false);
  // A wrong password never reports needs_rehash: a rehash needs the correct one.
  EXPECT_EQ(verify_on_loop(new_hasher, "wrong", stored).needs_rehash, false);
}

TEST(PasswordHasher, Argon2iHashMatchesAndAsksForRehashToArgon2id) {
  PasswordHasher hasher(small, 1, 4);
  char text[crypto_pwhash_STRBYTES];
  ASSERT_EQ(
      crypto_pwhash_str_alg(text, "password", 8, small.iterations + 2, small.memory_bytes, crypto_pwhash_ALG_ARGON2I13),
      0);
  const PasswordCheck check = hasher.verify_blocking("password", text);
  EXPECT_TRUE(check.matches);
  EXPECT_TRUE(check.needs_rehash);
}

TEST(PasswordHasher, UnknownUserDoesNotMatch) {
  PasswordHasher hasher(small, 1, 4);
  EXPECT_FALSE(verify_on_loop(hasher, "password", "").matches);
  EXPECT_FALSE(verify_on_loop(hasher, "", "").matches);
  EXPECT_FALSE(hasher.verify_blocking("password", "").matches);
}

TEST(PasswordHasher, UnknownUserCostsAtLeastHalfAWrongPassword) {
  // A real argon2id run takes 2.7 ms at these parameters and a skipped one microseconds, so "at least half"
  // separates them by orders of magnitude. Samples interleave, so load on the machine slows both sides alike.
  PasswordHasher hasher(small, 1, 4);
  const std::string stored = hasher.hash_blocking("password");
  std::vector<std::chrono::nanoseconds> unknown;
  std::vector<std::chrono::nanoseconds> wrong;
  for (int round = 0; round < 5; ++round) {
    unknown.push_back(time_of([&] { EXPECT_FALSE(hasher.verify_blocking("guess", "").matches); }));
    wrong.push_back(time_of([&] { EXPECT_FALSE(hasher.verify_blocking("guess", stored).matches); }));
  }
  EXPECT_GE(median(unknown) * 2, median(wrong));
}

TEST(PasswordHasher, MalformedStoredHashDoesNotMatch) {
  PasswordHasher hasher(small, 1, 4);
  const std::string stored = hasher.hash_blocking("password");
  for (const std::string& malformed :
       {std::string("not a hash"), std::string("$argon2id$"), stored.substr(0, stored.size() - 5),
        stored.substr(0, 20) + "$$$$", std::string("$argon2id$v=19$m=999999999999,t=1,p=1$c2FsdA$aGFzaA"),
        std::string(300, 'x'), std::string("\0$argon2id", 10)}) {
    EXPECT_FALSE(verify_on_loop(hasher, "password", malformed).matches) << malformed.size();
    EXPECT_FALSE(hasher.verify_blocking("password", malformed).matches);
  }
}

TEST(PasswordHasher, BlockingVersionsInteroperateWithCoroutineVersions) {
  PasswordHasher hasher(small, 1, 4);
  EXPECT_TRUE(hasher.verify_blocking("password", hash_on_loop(hasher, "password")).matches);
  EXPECT_TRUE(verify_on_loop(hasher, "password", hasher.hash_blocking("password")).matches);
}

TEST(PasswordHasher, FullQueueRefusesWithPasswordPoolFull) {
  // One thread and one waiting slot: of three jobs submitted within one hash's time, the third is refused.
  PasswordHasher hasher(heavy, 1, 1);
  boost::asio::io_context context;
  int completed = 0;
  int refused = 0;
  for (int job = 0; job < 3; ++job) {
    boost::asio::co_spawn(
        context,
        [&]() -> boost::asio::awaitable<void> {
          try {
            co_await hasher.hash("password");
            ++completed;
          } catch (const PasswordPoolFull&) {
            ++refused;
          }
        },
        boost::asio::detached);
  }
  context.run();
  EXPECT_GE(refused, 1);
  EXPECT_GE(completed, 1);
  EXPECT_EQ(completed + refused, 3);
  // Once the burst is over the pool accepts again.
  EXPECT_FALSE(verify_on_loop(hasher, "other", "").matches);
}

TEST(PasswordHasher, QueueLimitZeroAcceptsOnlyWhatIdleThreadsCanTake) {
  PasswordHasher hasher(heavy, 1, 0);
  boost::asio::io_context context;
  int completed = 0;
  int refused = 0;
  for (int job = 0; job < 2; ++job) {
    boost::asio::co_spawn(
        context,
        [&]() -> boost::asio::awaitable<void> {
          try {
            co_await hasher.verify("password", "");
            ++completed;
          } catch (const PasswordPoolFull&) {
            ++refused;
          }
        },
        boost::asio::detached);
  }
  context.run();
  EXPECT_EQ(completed, 1);
  EXPECT_EQ(refused, 1);
}

TEST(PasswordHasher, CoroutineResumesOnItsIoContextThreadNotThePools) {
  PasswordHasher hasher(small, 1, 4);
  boost::asio::io_context context;
  std::thread::id before;
  std::thread::id after;
  auto future = boost::asio::co_spawn(
      context,
      [&]() -> boost::asio::awaitable<void> {
        before = std::this_thread::get_id();
        co_await hasher.hash("password");
        after = std::this_thread::get_id();
        co_await hasher.verify("password", "");
        EXPECT_EQ(std::this_thread::get_id(), before);
      },
      boost::asio::use_future);
  std::thread loop([&] { context.run(); });
  loop.join();
  future.get();
  EXPECT_NE(before, std::thread::id());
  EXPECT_EQ(after, before);
  EXPECT_NE(after, std::this_thread::get_id());  // the loop ran on its own thread, and resumed there
}

TEST(PasswordHasher, IoContextDoesNotRunOutOfWorkWhileAJobIsOnThePool) {
  // Nothing but the pool's job is pending on the context: run() must wait for it instead of returning early.
  PasswordHasher hasher(heavy, 1, 4);
  boost::asio::io_context context;
  bool done = false;
  boost::asio::co_spawn(
      context,
      [&]() -> boost::asio::awaitable<void> {
        co_await hasher.hash("password");
        done = true;
      },
      boost::asio::detached);
  context.run();
  EXPECT_TRUE(done);
}

TEST(PasswordHasher, DestructorWithJobsPendingDoesNotHangAndFailsThem) {
  auto hasher = std::make_unique<PasswordHasher>(heavy, 1, 8);
  boost::asio::io_context context;
  int completed = 0;
  int stopped = 0;
  for (int job = 0; job < 5; ++job) {
    boost::asio::co_spawn(
        context,
        [&, pool = hasher.get()]() -> boost::asio::awaitable<void> {
          try {
            co_await pool->hash("password");
            ++completed;
          } catch (const PasswordPoolFull&) {
            ADD_FAILURE() << "the queue had room";
          } catch (const std::runtime_error&) {
            ++stopped;
          }
        },
        boost::asio::detached);
  }
  context.poll();  // every coroutine runs up to its co_await: five jobs submitted
  EXPECT_GE(hasher->queued(), 4u);
  const auto destruction = time_of([&] { hasher.reset(); });
  // At most the one running hash is waited for (75 ms on the dev box); the four waiting jobs are not run.
  EXPECT_LT(destruction, std::chrono::seconds(20));
  context.run();
  EXPECT_EQ(completed + stopped, 5);
  EXPECT_GE(stopped, 4);
}

TEST(PasswordHasher, HasherDestroyedBeforeItsIoContextRunsLeaksNothing) {
  boost::asio::io_context context;
  {
    PasswordHasher hasher(small, 1, 8);
    for (int job = 0; job < 3; ++job) {
      boost::asio::co_spawn(
          context, [&]() -> boost::asio::awaitable<void> { co_await hasher.verify("password", ""); },
          boost::asio::detached);
    }
    context.poll();
  }
  // The io_context is destroyed with the completions still queued: their coroutine frames are freed (ASan checks).
}

TEST(PasswordHasher, RefusesInvalidConstruction) {
  EXPECT_THROW(PasswordHasher(small, 0, 4), std::invalid_argument);
  EXPECT_THROW(PasswordHasher(PasswordParameters{1024, 1}, 1, 4), std::invalid_argument);
  EXPECT_THROW(PasswordHasher(PasswordParameters{small.memory_bytes, 0}, 1, 4), std::invalid_argument);
}

// Hashing threads are named and niced, so that on a core shared with an event loop the loop wins.
TEST(PasswordHasher, ThreadsAreNamedTachyonHashAndNiced) {
  PasswordHasher hasher(small, 2, 4);
  (void)hasher.hash_blocking("warm-up password");  // the threads have started and renamed themselves
  int named = 0;
  for (int attempt = 0; attempt < 100 && named < 2; ++attempt) {
    named = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      std::ifstream comm(task.path() / "comm");
      std::string name;
      std::getline(comm, name);
      if (name != "tachyon-hash") continue;
      ++named;
      std::ifstream stat(task.path() / "stat");
      std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
      std::istringstream fields(text.substr(text.rfind(')') + 2));  // after "pid (comm) "
      std::vector<std::string> values{std::istream_iterator<std::string>(fields), {}};
      EXPECT_EQ(values.at(16), "10") << "field 19 of /proc/[tid]/stat is the nice value";
    }
    if (named < 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(named, 2);
}

}  // namespace
