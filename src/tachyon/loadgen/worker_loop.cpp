// Worker's event loop and its clocks: run() (epoll with nanosecond timeouts, the drain at the end),
// the open model's arrivals and their dispatch to free connections, think times, housekeeping
// (reconnects, timeouts, stale requests) and the once-a-second published progress.
#include <sys/prctl.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <ctime>

#include "tachyon/loadgen/worker.hpp"

namespace tachyon::loadgen {
namespace {

constexpr std::int64_t housekeeping_interval_us = 10'000;
constexpr std::int64_t max_drain_us = 2'000'000;
constexpr std::size_t max_pending = 1'000'000;  // 8 MB of due times per group; beyond it requests are dropped

double thread_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

}  // namespace

std::int64_t Worker::think_time_us(const Connection& connection, std::size_t endpoint) {
  ThinkTime think = schedules_[connection.schedule].share.group->think_time;
  if (connection.session && !endpoint_think_times_[endpoint].empty()) think = endpoint_think_times_[endpoint];
  if (think.empty()) return 0;
  std::int64_t low = think.minimum.count();
  std::int64_t high = std::max(low, think.maximum.count());
  if (low == high) return low;
  return std::uniform_int_distribution<std::int64_t>(low, high)(random_);
}

void Worker::wake_thinkers(std::int64_t now) {
  while (!thinking_.empty() && thinking_.top().due_us <= now) {
    Wakeup wakeup = thinking_.top();
    thinking_.pop();
    Connection& connection = connections_[wakeup.index];
    if (connection.generation != wakeup.generation || !connection.thinking) continue;  // closed meanwhile
    connection.thinking = false;
    if (!draining_) after_think(wakeup.index, now);
  }
}

std::int64_t Worker::next_arrival(Schedule& schedule, std::int64_t from) {
  double rate = schedule.share.group->rate_at(std::chrono::microseconds(from)) * schedule.share.rate_share;
  if (rate <= 0.0) return from + 1000;  // a stage at rate 0: look again in a millisecond
  double gap_us = 1e6 / rate;
  if (options_.poisson) {
    std::exponential_distribution<double> exponential(1.0 / gap_us);
    gap_us = exponential(random_);
  }
  return from + std::max<std::int64_t>(1, std::llround(gap_us));
}

void Worker::schedule_arrivals(Schedule& schedule, std::int64_t now) {
  while (schedule.next_due_us <= now && schedule.next_due_us < schedule.end_us) {
    if (schedule.pending.size() < max_pending) {
      schedule.pending.push_back(schedule.next_due_us);
    } else {
      count_error(ErrorKind::dropped);
      stats_.latency.record(now - schedule.next_due_us);
    }
    schedule.next_due_us = next_arrival(schedule, schedule.next_due_us);
  }
}

void Worker::dispatch(Schedule& schedule, std::int64_t now) {
  while (!schedule.pending.empty() && !schedule.available.empty()) {
    std::size_t index = schedule.available.back();
    Connection& connection = connections_[index];
    if (connection.descriptor < 0 || connection.in_flight.size() >= static_cast<std::size_t>(options_.pipeline)) {
      connection.available = false;
      schedule.available.pop_back();
      continue;
    }
    std::int64_t intended = schedule.pending.front();
    schedule.pending.pop_front();
    send(index, intended, now);
    if (connection.in_flight.size() >= static_cast<std::size_t>(options_.pipeline) || connection.descriptor < 0) {
      connection.available = false;
      schedule.available.pop_back();
    }
  }
}

void Worker::drop_stale(Schedule& schedule, std::int64_t now, bool everything) {
  // A request that waited longer than the timeout for a free connection is dropped: counted as an
  // error and kept in the latency figures with the time it waited (never silently discarded).
  EndpointStats& group = stats_.groups[schedule.share.group_index];
  while (!schedule.pending.empty() && (everything || now - schedule.pending.front() > timeout_us_)) {
    stats_.latency.record(now - schedule.pending.front());
    group.latency.record(now - schedule.pending.front());
    ++group.errors;
    count_error(ErrorKind::dropped);
    schedule.pending.pop_front();
  }
}

void Worker::housekeeping(std::int64_t now) {
  for (std::size_t index = 0; index < connections_.size(); ++index) {
    Connection& connection = connections_[index];
    if (connection.descriptor < 0) {
      if (!draining_ && now >= connection.reconnect_at_us) connect(index, now);
      continue;
    }
    if (!connection.in_flight.empty() && now - connection.in_flight.front().sent_us > timeout_us_) {
      close_connection(index, ErrorKind::timeout, now, 0);
    }
  }
  for (Schedule& schedule : schedules_) {
    if (schedule.open_model) drop_stale(schedule, now, false);
  }
}

void Worker::publish() {
  arrival_clock_.resync();  // once a second: follows NTP's slewing of CLOCK_REALTIME
  completed_published.store(stats_.completed, std::memory_order_relaxed);
  errors_published.store(stats_.error_total() + stats_.status_errors(), std::memory_order_relaxed);
  p99_published.store(stats_.latency.value_at_percentile(99.0), std::memory_order_relaxed);
}

void Worker::run() {
  // Linux lets a thread's timers fire up to 50 us late by default (timer slack) to batch wake-ups;
  // every open-model send would be that late. 1 ns: timers as exact as the scheduler allows.
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  double cpu_start = thread_cpu_seconds();
  std::int64_t now = now_us();
  for (std::size_t index = 0; index < connections_.size(); ++index) connect(index, now);
  std::int64_t drain_deadline = 0;
  std::vector<epoll_event> events(256);
  while (true) {
    now = now_us();
    if (!draining_ && now >= end_us_) {
      draining_ = true;
      drain_deadline = now + std::min(timeout_us_, max_drain_us);
      for (Schedule& schedule : schedules_) {
        if (schedule.open_model) drop_stale(schedule, now, true);
      }
    }
    if (draining_ && (in_flight_total_ == 0 || now >= drain_deadline)) break;
    if (!thinking_.empty()) wake_thinkers(now);
    if (any_open_model_ && !draining_) {
      for (Schedule& schedule : schedules_) {
        if (!schedule.open_model || schedule.next_due_us >= schedule.end_us) continue;
        schedule_arrivals(schedule, now);
        dispatch(schedule, now);
      }
    }
    if (now >= next_housekeeping_us_) {
      housekeeping(now);
      next_housekeeping_us_ = now + housekeeping_interval_us;
    }
    if (now >= next_publish_us_) {
      publish();
      next_publish_us_ = now + 1'000'000;
    }
    // Sleep until the next timer: housekeeping, the end, a think time ending, or a request falling
    // due that a free connection could send at once.
    std::int64_t wake = std::min(next_housekeeping_us_, draining_ ? drain_deadline : end_us_);
    if (!thinking_.empty()) wake = std::min(wake, thinking_.top().due_us);
    if (any_open_model_ && !draining_) {
      for (const Schedule& schedule : schedules_) {
        if (schedule.open_model && schedule.next_due_us < schedule.end_us && schedule.pending.empty()) {
          wake = std::min(wake, schedule.next_due_us);
        }
      }
    }
    std::int64_t wait_us = std::max<std::int64_t>(0, wake - now);
    timespec wait{static_cast<time_t>(wait_us / 1'000'000), static_cast<long>((wait_us % 1'000'000) * 1000)};
    // epoll_pwait2 (Linux 5.11) takes a nanosecond timeout: epoll_wait's milliseconds would delay
    // every open-model send by up to 1 ms.
    int ready = -1;
    if (precise_wait_) {
      ready = ::epoll_pwait2(epoll_, events.data(), static_cast<int>(events.size()), &wait, nullptr);
      // Kernels before 5.11 and valgrind 3.19 (bench/loadgen_callgrind.sh) lack it: milliseconds then.
      if (ready < 0 && errno == ENOSYS) precise_wait_ = false;
    }
    if (!precise_wait_) {
      ready = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                           static_cast<int>((wait_us + 999) / 1000));
    }
    for (int position = 0; position < ready; ++position) on_event(events[static_cast<std::size_t>(position)]);
  }
  now = now_us();
  // Still unanswered after the drain: timeouts, recorded with the time they waited.
  for (std::size_t index = 0; index < connections_.size(); ++index) {
    if (!connections_[index].in_flight.empty()) close_connection(index, ErrorKind::timeout, now, 0);
  }
  for (auto& [status, histogram] : status_histograms_) stats_.status_latency[status].merge(histogram);
  if (!any_open_model_) stats_.service = stats_.latency;
  publish();
  cpu_seconds_ = thread_cpu_seconds() - cpu_start;
}

}  // namespace tachyon::loadgen
