#include "tachyon/loadgen/worker.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <ctime>
#include <stdexcept>

namespace tachyon::loadgen {
namespace {

constexpr std::int64_t housekeeping_interval_us = 10'000;
constexpr std::int64_t connect_retry_us = 10'000;
constexpr std::int64_t max_drain_us = 2'000'000;
constexpr std::size_t max_pending = 1'000'000;  // 8 MB of due times; beyond it requests are dropped

}  // namespace

Worker::Worker(const LoadOptions& options, int connection_count, double rate_share,
               std::chrono::steady_clock::time_point start, std::uint64_t seed, std::size_t first_user)
    : options_(options),
      start_(start),
      rate_share_(rate_share),
      open_model_(options.open_model()),
      connections_(static_cast<std::size_t>(connection_count)),
      random_(seed) {
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) throw std::runtime_error("epoll_create1 failed");
  end_us_ = options.total_duration().count();
  if (options.scenario != nullptr) {
    capture_bodies_ = options.scenario->captures_bodies();
    stats_.endpoints.resize(options.scenario->endpoints.size());
    for (std::size_t index = 0; index < connections_.size(); ++index) {
      connections_[index].session = std::make_unique<Session>(*options.scenario, first_user + index, seed * 7919 + index);
    }
  }
  timeout_us_ = options.timeout.count();
}

Worker::~Worker() {
  for (auto& connection : connections_) {
    if (connection.descriptor >= 0) ::close(connection.descriptor);
  }
  if (epoll_ >= 0) ::close(epoll_);
}

std::int64_t Worker::now_us() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start_).count();
}

void Worker::count_error(ErrorKind kind, std::uint64_t count) {
  stats_.errors[static_cast<std::size_t>(kind)] += count;
}

void Worker::reset_parser(Connection& connection) {
  connection.parser.reset(options_.head_request, capture_bodies_);
}

void Worker::connect(std::size_t index, std::int64_t now) {
  Connection& connection = connections_[index];
  bool in_progress = false;
  int descriptor = open_socket(options_.target, in_progress);
  if (descriptor < 0) {
    count_error(ErrorKind::connect);
    connection.reconnect_at_us = now + connect_retry_us;
    return;
  }
  connection.descriptor = descriptor;
  connection.connecting = in_progress;
  connection.watching_writable = in_progress;
  connection.input_begin = connection.input_end = 0;
  reset_parser(connection);
  // Level-triggered read readiness stays armed for the connection's whole life; writability is
  // watched only while a connect or a write is pending (wrk instead re-arms on every request).
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | (in_progress ? std::uint32_t{EPOLLOUT} : 0u);
  event.data.u64 = index;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, descriptor, &event);
  if (open_model_) {
    mark_available(index);
  } else {
    send(index, now, now, options_.pipeline);
  }
}

void Worker::close_connection(std::size_t index, ErrorKind pending_error, std::int64_t now, std::int64_t retry_delay_us) {
  Connection& connection = connections_[index];
  if (connection.descriptor >= 0) {
    ::close(connection.descriptor);  // also removes it from the epoll set
    connection.descriptor = -1;
  }
  if (!connection.in_flight.empty()) {
    count_error(pending_error, connection.in_flight.size());
    for (const InFlight& request : connection.in_flight) {
      if (request.endpoint < stats_.endpoints.size()) ++stats_.endpoints[request.endpoint].errors;
    }
    if (pending_error == ErrorKind::timeout) {
      // Timed-out requests stay in the latency figures with the time they had waited so far.
      for (const InFlight& request : connection.in_flight) {
        stats_.latency.record(now - request.intended_us);
        stats_.service.record(now - request.sent_us);
      }
    }
    in_flight_total_ -= connection.in_flight.size();
    connection.in_flight.clear();
  }
  connection.unsent.clear();
  connection.unsent_offset = 0;
  connection.connecting = false;
  connection.watching_writable = false;
  connection.reconnect_at_us = now + retry_delay_us;
  // A server that closes keep-alive connections gets a new one at once, not at the next
  // housekeeping tick; failures wait for it so a refusing server is not hammered in a loop.
  if (pending_error == ErrorKind::closed && !draining_) connect(index, now);
}

void Worker::watch_writable(Connection& connection, bool enable) {
  if (connection.watching_writable == enable) return;
  connection.watching_writable = enable;
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | (enable ? std::uint32_t{EPOLLOUT} : 0u);
  event.data.u64 = static_cast<std::uint64_t>(&connection - connections_.data());
  ::epoll_ctl(epoll_, EPOLL_CTL_MOD, connection.descriptor, &event);
}

void Worker::send(std::size_t index, std::int64_t intended, std::int64_t now, int copies) {
  Connection& connection = connections_[index];
  for (int copy = 0; copy < copies; ++copy) {
    std::size_t endpoint = 0;
    if (connection.session) {
      endpoint = connection.session->next_request(connection.unsent);
    } else {
      connection.unsent += options_.request;
    }
    connection.in_flight.push_back({intended, now, endpoint});
  }
  in_flight_total_ += static_cast<std::size_t>(copies);
  stats_.sent += static_cast<std::uint64_t>(copies);
  if (now - intended > options_.late_after.count()) stats_.late_sends += static_cast<std::uint64_t>(copies);
  if (!connection.connecting) flush(index, now);
}

void Worker::flush(std::size_t index, std::int64_t now) {
  Connection& connection = connections_[index];
  while (connection.unsent_offset < connection.unsent.size()) {
    ssize_t written = ::send(connection.descriptor, connection.unsent.data() + connection.unsent_offset,
                             connection.unsent.size() - connection.unsent_offset, MSG_NOSIGNAL);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        watch_writable(connection, true);
        return;
      }
      close_connection(index, ErrorKind::write, now, 0);
      return;
    }
    connection.unsent_offset += static_cast<std::size_t>(written);
  }
  connection.unsent.clear();
  connection.unsent_offset = 0;
  watch_writable(connection, false);
}

void Worker::mark_available(std::size_t index) {
  Connection& connection = connections_[index];
  if (connection.available || connection.descriptor < 0) return;
  if (connection.in_flight.size() >= static_cast<std::size_t>(options_.pipeline)) return;
  connection.available = true;
  available_.push_back(index);
}

void Worker::on_event(const epoll_event& event) {
  auto index = static_cast<std::size_t>(event.data.u64);
  Connection& connection = connections_[index];
  if (connection.descriptor < 0) return;
  std::int64_t now = now_us();
  if (connection.connecting && (event.events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(connection.descriptor, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      if (connection.in_flight.empty()) count_error(ErrorKind::connect);
      close_connection(index, ErrorKind::connect, now, connect_retry_us);
      return;
    }
    connection.connecting = false;
    flush(index, now);
    if (connection.descriptor < 0) return;
  } else if (event.events & EPOLLOUT) {
    flush(index, now);
    if (connection.descriptor < 0) return;
  }
  if (event.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(index, now);
}

void Worker::on_readable(std::size_t index, std::int64_t now) {
  Connection& connection = connections_[index];
  if (connection.input_end == connection.input.size()) {
    if (connection.input_begin > 0) {
      std::copy(connection.input.begin() + static_cast<std::ptrdiff_t>(connection.input_begin),
                connection.input.begin() + static_cast<std::ptrdiff_t>(connection.input_end), connection.input.begin());
      connection.input_end -= connection.input_begin;
      connection.input_begin = 0;
    } else {
      connection.input.resize(connection.input.size() * 2);
    }
  }
  // One read per readiness event: level-triggered epoll reports the socket again if bytes remain,
  // so the steady state costs one read and one write per request.
  ssize_t received = ::recv(connection.descriptor, connection.input.data() + connection.input_end,
                            connection.input.size() - connection.input_end, 0);
  if (received < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    close_connection(index, ErrorKind::read, now, 0);
    return;
  }
  now = now_us();  // the response arrived by the time recv returned
  if (received == 0) {
    if (!connection.in_flight.empty() && connection.parser.finish_on_close() == ResponseParser::Result::complete) {
      on_response(index, now);  // a close-delimited response: on_response closes (and reconnects) itself
      return;
    }
    close_connection(index, ErrorKind::closed, now, 0);
    return;
  }
  stats_.bytes_read += static_cast<std::uint64_t>(received);
  connection.input_end += static_cast<std::size_t>(received);
  while (connection.descriptor >= 0 && connection.input_begin < connection.input_end) {
    std::string_view data(connection.input.data() + connection.input_begin, connection.input_end - connection.input_begin);
    std::size_t consumed = 0;
    ResponseParser::Result result = connection.parser.parse(data, consumed);
    connection.input_begin += consumed;
    if (result == ResponseParser::Result::need_more) break;
    if (result == ResponseParser::Result::error || connection.in_flight.empty()) {
      if (connection.in_flight.empty()) count_error(ErrorKind::protocol);
      close_connection(index, ErrorKind::protocol, now, 0);
      return;
    }
    on_response(index, now);
  }
  if (connection.input_begin == connection.input_end) connection.input_begin = connection.input_end = 0;
}

void Worker::on_response(std::size_t index, std::int64_t now) {
  Connection& connection = connections_[index];
  InFlight request = connection.in_flight.front();
  connection.in_flight.pop_front();
  --in_flight_total_;
  stats_.latency.record(now - request.intended_us);
  stats_.service.record(now - request.sent_us);
  ++stats_.completed;
  int status = connection.parser.status();
  if (status >= 0 && status < static_cast<int>(stats_.status_counts.size())) ++stats_.status_counts[static_cast<std::size_t>(status)];
  if (connection.session) {
    EndpointStats& endpoint = stats_.endpoints[request.endpoint];
    endpoint.latency.record(now - request.intended_us);
    ++endpoint.completed;
    if (status >= 400) ++endpoint.errors;
    connection.session->on_response(request.endpoint, status, connection.parser.body());
  }
  bool keep_alive = connection.parser.keep_alive();
  reset_parser(connection);
  if (!keep_alive) {
    close_connection(index, ErrorKind::closed, now, 0);
    return;
  }
  if (draining_) return;
  if (open_model_) {
    mark_available(index);
    dispatch(now);
  } else {
    send(index, now, now);
  }
}

std::int64_t Worker::next_arrival(std::int64_t from) {
  double rate = options_.rate_at(std::chrono::microseconds(from)) * rate_share_;
  if (rate <= 0.0) return from + 1000;  // a stage at rate 0: look again in a millisecond
  double gap_us = 1e6 / rate;
  if (options_.poisson) {
    std::exponential_distribution<double> exponential(1.0 / gap_us);
    gap_us = exponential(random_);
  }
  return from + std::max<std::int64_t>(1, std::llround(gap_us));
}

void Worker::schedule_arrivals(std::int64_t now) {
  while (next_due_us_ <= now && next_due_us_ < end_us_) {
    if (pending_.size() < max_pending) {
      pending_.push_back(next_due_us_);
    } else {
      count_error(ErrorKind::dropped);
      stats_.latency.record(now - next_due_us_);
    }
    next_due_us_ = next_arrival(next_due_us_);
  }
}

void Worker::dispatch(std::int64_t now) {
  while (!pending_.empty() && !available_.empty()) {
    std::size_t index = available_.back();
    Connection& connection = connections_[index];
    if (connection.descriptor < 0 || connection.in_flight.size() >= static_cast<std::size_t>(options_.pipeline)) {
      connection.available = false;
      available_.pop_back();
      continue;
    }
    std::int64_t intended = pending_.front();
    pending_.pop_front();
    send(index, intended, now);
    if (connection.in_flight.size() >= static_cast<std::size_t>(options_.pipeline)) {
      connection.available = false;
      available_.pop_back();
    }
  }
}

void Worker::drop_stale(std::int64_t now, bool everything) {
  // A request that waited longer than the timeout for a free connection is dropped: counted as an
  // error and kept in the latency figures with the time it waited (never silently discarded).
  while (!pending_.empty() && (everything || now - pending_.front() > timeout_us_)) {
    stats_.latency.record(now - pending_.front());
    count_error(ErrorKind::dropped);
    pending_.pop_front();
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
  if (open_model_) drop_stale(now, false);
}

void Worker::publish() {
  completed_published.store(stats_.completed, std::memory_order_relaxed);
  errors_published.store(stats_.error_total() + stats_.status_errors(), std::memory_order_relaxed);
  p99_published.store(stats_.latency.value_at_percentile(99.0), std::memory_order_relaxed);
}

void Worker::run() {
  std::int64_t now = now_us();
  next_due_us_ = 0;
  for (std::size_t index = 0; index < connections_.size(); ++index) connect(index, now);
  std::int64_t drain_deadline = 0;
  std::vector<epoll_event> events(256);
  while (true) {
    now = now_us();
    if (!draining_ && now >= end_us_) {
      draining_ = true;
      drain_deadline = now + std::min(timeout_us_, max_drain_us);
      if (open_model_) drop_stale(now, true);
    }
    if (draining_ && (in_flight_total_ == 0 || now >= drain_deadline)) break;
    if (open_model_ && !draining_) {
      schedule_arrivals(now);
      dispatch(now);
    }
    if (now >= next_housekeeping_us_) {
      housekeeping(now);
      next_housekeeping_us_ = now + housekeeping_interval_us;
    }
    if (now >= next_publish_us_) {
      publish();
      next_publish_us_ = now + 1'000'000;
    }
    std::int64_t wake = std::min(next_housekeeping_us_, draining_ ? drain_deadline : end_us_);
    if (open_model_ && !draining_ && pending_.empty()) wake = std::min(wake, next_due_us_);
    std::int64_t wait_us = std::max<std::int64_t>(0, wake - now);
    timespec wait{static_cast<time_t>(wait_us / 1'000'000), static_cast<long>((wait_us % 1'000'000) * 1000)};
    // epoll_pwait2 (Linux 5.11) takes a nanosecond timeout: epoll_wait's milliseconds would delay
    // every open-model send by up to 1 ms.
    int ready = ::epoll_pwait2(epoll_, events.data(), static_cast<int>(events.size()), &wait, nullptr);
    for (int position = 0; position < ready; ++position) on_event(events[static_cast<std::size_t>(position)]);
  }
  now = now_us();
  // Still unanswered after the drain: timeouts, recorded with the time they waited.
  for (std::size_t index = 0; index < connections_.size(); ++index) {
    if (!connections_[index].in_flight.empty()) close_connection(index, ErrorKind::timeout, now, 0);
  }
  publish();
}

}  // namespace tachyon::loadgen
