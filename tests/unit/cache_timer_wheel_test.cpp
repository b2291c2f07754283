#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <vector>

#include "tachyon/cache/timer_wheel.hpp"

namespace tachyon::cache {
namespace {

using namespace std::chrono_literals;
using Clock = TimerWheel::Clock;

// The wheel's level-0 tick: how late a timer may fire when advance() is called at every tick.
constexpr auto tick = std::chrono::nanoseconds(std::int64_t{1} << 30);

std::vector<Slot> advance(TimerWheel& wheel, Clock::time_point now) {
  std::vector<Slot> fired;
  wheel.advance(now, [&](Slot slot) { fired.push_back(slot); });
  return fired;
}

TEST(CacheTimerWheel, FiresATimerAtItsTimeAndNotBefore) {
  Clock::time_point start = Clock::now();
  TimerWheel wheel(start);
  wheel.schedule(3, start + 5s);
  EXPECT_TRUE(wheel.scheduled(3));
  EXPECT_TRUE(advance(wheel, start + 4s).empty());
  EXPECT_TRUE(advance(wheel, start + 4900ms).empty());
  std::vector<Slot> fired = advance(wheel, start + 5s + tick);
  EXPECT_EQ(fired, std::vector<Slot>{3});
  EXPECT_FALSE(wheel.scheduled(3));
  EXPECT_EQ(wheel.size(), 0u);
  EXPECT_TRUE(advance(wheel, start + 1h).empty());
}

TEST(CacheTimerWheel, CancelledTimersNeverFire) {
  Clock::time_point start = Clock::now();
  TimerWheel wheel(start);
  wheel.schedule(1, start + 2s);
  wheel.schedule(2, start + 3h);
  wheel.schedule(3, start + 3s);
  wheel.cancel(1);
  wheel.cancel(2);
  wheel.cancel(2);   // twice: ignored
  wheel.cancel(77);  // never scheduled: ignored
  EXPECT_EQ(wheel.size(), 1u);
  EXPECT_EQ(advance(wheel, start + 10h), std::vector<Slot>{3});
}

TEST(CacheTimerWheel, ReschedulingMovesTheTimerEitherWay) {
  Clock::time_point start = Clock::now();
  TimerWheel wheel(start);
  wheel.schedule(1, start + 10s);
  wheel.schedule(1, start + 2h);  // later
  wheel.schedule(2, start + 2h);
  wheel.schedule(2, start + 1s);  // sooner
  EXPECT_EQ(wheel.size(), 2u);
  EXPECT_EQ(advance(wheel, start + 1min), std::vector<Slot>{2});
  EXPECT_TRUE(advance(wheel, start + 1h).empty());
  EXPECT_EQ(advance(wheel, start + 3h), std::vector<Slot>{1});
}

TEST(CacheTimerWheel, ATimeAlreadyPastFiresAtTheNextTick) {
  Clock::time_point start = Clock::now();
  TimerWheel wheel(start);
  EXPECT_TRUE(advance(wheel, start + 100s).empty());
  wheel.schedule(4, start + 50s);
  wheel.schedule(5, start - 1h);  // before the wheel was made
  auto fired = advance(wheel, start + 100s + tick);
  std::sort(fired.begin(), fired.end());
  EXPECT_EQ(fired, (std::vector<Slot>{4, 5}));
}

TEST(CacheTimerWheel, TheCallbackMayRescheduleAndCancelOtherSlots) {
  Clock::time_point start = Clock::now();
  TimerWheel wheel(start);
  wheel.schedule(1, start + 1s);
  wheel.schedule(2, start + 1s);
  std::vector<Slot> fired;
  wheel.advance(start + 5s, [&](Slot slot) {
    fired.push_back(slot);
    Slot other = slot == 1 ? 2 : 1;
    wheel.cancel(other);                 // the other timer of this batch does not fire now...
    wheel.schedule(slot, start + 1min);  // ...and this one comes back later
  });
  ASSERT_EQ(fired.size(), 1u);
  fired.clear();
  wheel.advance(start + 2min, [&](Slot slot) { fired.push_back(slot); });
  EXPECT_EQ(fired.size(), 1u);
}

// The property: across all levels (a second to many days), with time moving in irregular steps, every
// timer fires exactly once, never before its time, and no later than the first advance that is at
// least a tick past it.
TEST(CacheTimerWheel, FiresEveryTimerExactlyOnceAtOrAfterItsTimeAcrossAllLevels) {
  std::mt19937_64 random(42);
  Clock::time_point start = Clock::now();
  TimerWheel wheel(start);
  std::map<Slot, Clock::time_point> due;
  const std::vector<std::chrono::nanoseconds> horizons = {2s, 70s, 30min, 5h, 30h, 3 * 24h, 20 * 24h};
  Slot next_slot = 0;
  auto schedule_random = [&](Clock::time_point now) {
    auto horizon = horizons[random() % horizons.size()];
    auto delay =
        std::chrono::nanoseconds(static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(horizon.count())));
    Slot slot = next_slot++;
    due[slot] = now + delay;
    wheel.schedule(slot, now + delay);
  };
  for (int count = 0; count < 3000; ++count) schedule_random(start);

  std::map<Slot, int> fire_count;
  Clock::time_point now = start;
  Clock::time_point previous = start;
  const Clock::time_point end = start + 25 * 24h;
  while (now < end) {
    // Mostly small steps, sometimes hours or days at once.
    unsigned kind = random() % 32;
    auto longest = kind == 0   ? std::chrono::nanoseconds(36h)
                   : kind < 12 ? std::chrono::nanoseconds(90s)
                               : std::chrono::nanoseconds(3s);
    auto step =
        std::chrono::nanoseconds(static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(longest.count())));
    now += step;
    wheel.advance(now, [&](Slot slot) {
      ++fire_count[slot];
      ASSERT_TRUE(due.contains(slot));
      EXPECT_LE(due[slot], now) << "slot " << slot << " fired early";
      EXPECT_GT(due[slot] + tick, previous) << "slot " << slot << " fired late";
    });
    // Timers armed while time runs, some re-armed and some cancelled on the way.
    if (random() % 4 == 0) schedule_random(now);
    if (random() % 4 == 0 && next_slot > 0) {
      Slot slot = static_cast<Slot>(random() % next_slot);
      if (!fire_count.contains(slot) && due.contains(slot)) {
        if (random() % 2 == 0) {
          wheel.cancel(slot);
          due.erase(slot);  // it must never fire
        } else {
          due[slot] = now + std::chrono::seconds(random() % 100000);
          wheel.schedule(slot, due[slot]);
        }
      }
    }
    previous = now;
  }
  now = end + 30 * 24h;
  wheel.advance(now, [&](Slot slot) { ++fire_count[slot]; });
  EXPECT_EQ(wheel.size(), 0u);
  for (Slot slot = 0; slot < next_slot; ++slot) {
    EXPECT_EQ(fire_count[slot], due.contains(slot) ? 1 : 0) << "slot " << slot;
  }
  EXPECT_GT(due.size(), 3000u);
}

}  // namespace
}  // namespace tachyon::cache
