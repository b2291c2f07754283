#include "tachyon/loadgen/worker.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "tachyon/loadgen/socket_calls.hpp"

namespace tachyon::loadgen {
namespace {

constexpr std::int64_t connect_retry_us = 10'000;

}  // namespace

Worker::Worker(const LoadOptions& options, const std::vector<WorkerGroup>& groups, std::size_t group_count,
               std::size_t endpoint_count, std::chrono::steady_clock::time_point start, std::uint64_t seed)
    : options_(options), start_(start), arrival_clock_(start), random_(seed) {
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) throw std::runtime_error("epoll_create1 failed");
  if (options.target.tls) tls_ = std::make_unique<TlsContext>();
  timeout_us_ = options.timeout.count();
  kernel_timestamps_ = options.uses_kernel_timestamps();
  track_groups_ = !options.groups.empty();
  stats_.groups.resize(group_count);
  stats_.endpoints.resize(endpoint_count);
  endpoint_think_times_.resize(endpoint_count);
  std::size_t connection_count = 0;
  for (const WorkerGroup& share : groups) connection_count += static_cast<std::size_t>(share.connections);
  connections_.resize(connection_count);
  std::size_t next = 0;
  for (const WorkerGroup& share : groups) {
    const LoadGroup& group = *share.group;
    Schedule schedule;
    schedule.share = share;
    schedule.open_model = group.open_model();
    schedule.end_us = group.length(options.duration).count();
    any_open_model_ = any_open_model_ || schedule.open_model;
    end_us_ = std::max(end_us_, schedule.end_us);
    if (group.scenario != nullptr) {
      capture_bodies_ = capture_bodies_ || group.scenario->captures_bodies();
      for (std::size_t step = 0; step < group.scenario->endpoints.size(); ++step) {
        const auto& think = group.scenario->endpoints[step].think_time;
        endpoint_think_times_[share.first_endpoint + step] = think ? *think : group.scenario->think_time;
      }
    }
    for (int user = 0; user < share.connections; ++user, ++next) {
      Connection& connection = connections_[next];
      connection.schedule = schedules_.size();
      connection.first_endpoint = share.first_endpoint;
      if (group.scenario != nullptr) {
        connection.session = std::make_unique<Session>(
            *group.scenario, share.first_user + static_cast<std::size_t>(user),
            static_cast<std::size_t>(group.connections), seed * 7919 + next + share.group_index * 104729);
      }
    }
    schedules_.push_back(std::move(schedule));
  }
}

Worker::~Worker() {
  for (auto& connection : connections_) {
    if (connection.tls != nullptr) tls_free(connection.tls);
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

void Worker::count_request_error(const InFlight& request) {
  if (request.endpoint < stats_.endpoints.size()) ++stats_.endpoints[request.endpoint].errors;
}

void Worker::reset_parser(Connection& connection) {
  connection.parser.reset(options_.head_request, capture_bodies_);
}

void Worker::connect(std::size_t index, std::int64_t now) {
  Connection& connection = connections_[index];
  bool in_progress = false;
  int descriptor = open_socket(options_.target, in_progress);
  if (descriptor >= 0 && tls_) {
    connection.tls = tls_->open(descriptor, options_.target.server_name);
    if (connection.tls == nullptr) {
      ::close(descriptor);
      descriptor = -1;
    }
  }
  if (descriptor < 0) {
    count_error(ErrorKind::connect);
    connection.reconnect_at_us = now + connect_retry_us;
    return;
  }
  if (kernel_timestamps_) enable_receive_timestamps(descriptor);
  connection.descriptor = descriptor;
  connection.connecting = in_progress;
  connection.handshaking = connection.tls != nullptr;
  connection.watching_writable = in_progress;
  connection.input_begin = connection.input_end = 0;
  reset_parser(connection);
  // Level-triggered read readiness stays armed for the connection's whole life; writability is
  // watched only while a connect or a write is pending (wrk instead re-arms on every request).
  epoll_event event{};
  event.events = read_events() | (in_progress ? std::uint32_t{EPOLLOUT} : 0u);
  event.data.u64 = index;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, descriptor, &event);
  if (connection.handshaking && !connection.connecting) handshake(index, now);
  if (connection.descriptor >= 0) start_requests(index, now);
}

void Worker::start_requests(std::size_t index, std::int64_t now) {
  // Requests queue in `unsent` while the connect or handshake completes.
  if (schedules_[connections_[index].schedule].open_model) {
    mark_available(index);
  } else {
    send(index, now, now, options_.pipeline);
  }
}

void Worker::close_connection(std::size_t index, ErrorKind pending_error, std::int64_t now,
                              std::int64_t retry_delay_us) {
  Connection& connection = connections_[index];
  if (connection.tls != nullptr) {
    tls_free(connection.tls);
    connection.tls = nullptr;
  }
  if (connection.descriptor >= 0) {
    ::close(connection.descriptor);  // also removes it from the epoll set
    connection.descriptor = -1;
  }
  if (!connection.in_flight.empty()) {
    count_error(pending_error, connection.in_flight.size());
    EndpointStats& group = stats_.groups[schedules_[connection.schedule].share.group_index];
    group.errors += connection.in_flight.size();
    for (const InFlight& request : connection.in_flight) count_request_error(request);
    if (pending_error == ErrorKind::timeout) {
      // Timed-out requests stay in the latency figures with the time they had waited so far.
      for (const InFlight& request : connection.in_flight) {
        stats_.latency.record(now - request.intended_us);
        if (any_open_model_) stats_.service.record(now - request.sent_us);
        if (track_groups_) group.latency.record(now - request.intended_us);
      }
    }
    in_flight_total_ -= connection.in_flight.size();
    connection.in_flight.clear();
  }
  connection.unsent.clear();
  connection.unsent_offset = 0;
  connection.connecting = false;
  connection.handshaking = false;
  connection.thinking = false;
  ++connection.generation;
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
  event.events = read_events() | (enable ? std::uint32_t{EPOLLOUT} : 0u);
  event.data.u64 = static_cast<std::uint64_t>(&connection - connections_.data());
  ::epoll_ctl(epoll_, EPOLL_CTL_MOD, connection.descriptor, &event);
}

void Worker::send(std::size_t index, std::int64_t intended, std::int64_t now, int copies) {
  Connection& connection = connections_[index];
  for (int copy = 0; copy < copies; ++copy) {
    std::size_t endpoint = 0;
    if (connection.session) {
      endpoint = connection.first_endpoint + connection.session->next_request(connection.unsent);
    } else {
      connection.unsent += options_.request;
    }
    connection.in_flight.push_back({intended, now, endpoint});
  }
  in_flight_total_ += static_cast<std::size_t>(copies);
  stats_.sent += static_cast<std::uint64_t>(copies);
  if (now - intended > options_.late_after.count()) stats_.late_sends += static_cast<std::uint64_t>(copies);
  if (!connection.connecting && !connection.handshaking) flush(index, now);
}

void Worker::flush(std::size_t index, std::int64_t now) {
  Connection& connection = connections_[index];
  while (connection.unsent_offset < connection.unsent.size()) {
    const char* data = connection.unsent.data() + connection.unsent_offset;
    std::size_t size = connection.unsent.size() - connection.unsent_offset;
    if (connection.tls != nullptr) {
      TlsStatus status = TlsStatus::done;
      std::size_t written = tls_write(connection.tls, data, size, status);
      if (written == 0) {
        // want_read: a TLS 1.3 post-handshake message must be read first; read readiness is armed.
        if (status == TlsStatus::want_write || status == TlsStatus::want_read) {
          watch_writable(connection, status == TlsStatus::want_write);
          return;
        }
        close_connection(index, ErrorKind::write, now, 0);
        return;
      }
      connection.unsent_offset += written;
      continue;
    }
    ssize_t written = send_now(connection.descriptor, data, size, MSG_NOSIGNAL);
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

void Worker::handshake(std::size_t index, std::int64_t now) {
  Connection& connection = connections_[index];
  switch (tls_handshake(connection.tls)) {
    case TlsStatus::done:
      connection.handshaking = false;
      flush(index, now);  // also stops watching writability once nothing is left to send
      return;
    case TlsStatus::want_read:
      watch_writable(connection, false);
      return;
    case TlsStatus::want_write:
      watch_writable(connection, true);
      return;
    case TlsStatus::closed:
    case TlsStatus::error:
      if (connection.in_flight.empty()) count_error(ErrorKind::connect);
      close_connection(index, ErrorKind::connect, now, connect_retry_us);
      return;
  }
}

void Worker::mark_available(std::size_t index) {
  Connection& connection = connections_[index];
  if (connection.available || connection.descriptor < 0 || connection.thinking) return;
  if (connection.in_flight.size() >= static_cast<std::size_t>(options_.pipeline)) return;
  connection.available = true;
  schedules_[connection.schedule].available.push_back(index);
}

void Worker::on_event(const epoll_event& event) {
  auto index = static_cast<std::size_t>(event.data.u64);
  Connection& connection = connections_[index];
  if (connection.descriptor < 0) return;
  bool readable = (event.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
  // The steady state: a response to read. on_readable reads the clock once the bytes are in.
  if (!connection.connecting && !connection.handshaking && !(event.events & EPOLLOUT)) {
    if (readable) on_readable(index);
    return;
  }
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
    if (connection.handshaking) {
      handshake(index, now);
      return;
    }
    flush(index, now);
    // Edge-triggered: a server that answered or closed at once reported it in this same event.
    if (connection.descriptor >= 0 && readable) on_readable(index);
    return;
  }
  if (connection.handshaking) {
    handshake(index, now);
    return;
  }
  if (event.events & EPOLLOUT) {
    flush(index, now);
    if (connection.descriptor < 0) return;
  }
  if (readable) on_readable(index);
}

// on_readable's steps are forced inline: as calls they cost 34 instructions a request (callgrind,
// bench/loadgen_callgrind.sh), 2 % of the generator's loop.
// Makes room at the end of the input buffer: moves unread bytes to the front, or doubles a full buffer.
[[gnu::always_inline]] inline void Worker::make_room(Connection& connection) {
  if (connection.input_end != connection.input.size()) return;
  if (connection.input_begin > 0) {
    std::copy(connection.input.begin() + static_cast<std::ptrdiff_t>(connection.input_begin),
              connection.input.begin() + static_cast<std::ptrdiff_t>(connection.input_end), connection.input.begin());
    connection.input_end -= connection.input_begin;
    connection.input_begin = 0;
  } else {
    connection.input.resize(connection.input.size() * 2);
  }
}

// One read (TLS or plain, with a kernel receive stamp when asked); -1 when there is nothing to parse now
// (would block, TLS wants to write, or the connection was closed on an error).
[[gnu::always_inline]] inline ssize_t Worker::read_some(std::size_t index, char* space, std::size_t room,
                                                        std::int64_t& stamp_ns) {
  Connection& connection = connections_[index];
  if (connection.tls == nullptr) {
    ssize_t received = kernel_timestamps_ ? receive_stamped(connection.descriptor, space, room, stamp_ns)
                                          : receive_now(connection.descriptor, space, room);
    if (received < 0 && errno != EAGAIN && errno != EINTR) close_connection(index, ErrorKind::read, now_us(), 0);
    return received;
  }
  TlsStatus status = TlsStatus::done;
  auto received = static_cast<ssize_t>(tls_read(connection.tls, space, room, status));
  if (received > 0 || status == TlsStatus::done || status == TlsStatus::closed) return received;  // 0: closed
  if (status == TlsStatus::want_write) watch_writable(connection, true);
  if (status == TlsStatus::error) close_connection(index, ErrorKind::read, now_us(), 0);
  return -1;
}

// Parses every whole response in the buffer; false when the connection was closed on the way.
[[gnu::always_inline]] inline bool Worker::parse_responses(std::size_t index, std::int64_t arrival, std::int64_t now) {
  Connection& connection = connections_[index];
  while (connection.descriptor >= 0 && connection.input_begin < connection.input_end) {
    std::string_view data(connection.input.data() + connection.input_begin,
                          connection.input_end - connection.input_begin);
    std::size_t consumed = 0;
    http::ResponseParser::Result result = connection.parser.parse(data, consumed);
    connection.input_begin += consumed;
    if (result == http::ResponseParser::Result::need_more) break;
    if (result == http::ResponseParser::Result::error || connection.in_flight.empty()) {
      if (connection.in_flight.empty()) count_error(ErrorKind::protocol);
      close_connection(index, ErrorKind::protocol, now, 0);
      return false;
    }
    on_response(index, arrival, now);
  }
  if (connection.input_begin == connection.input_end) connection.input_begin = connection.input_end = 0;
  return connection.descriptor >= 0;
}

void Worker::on_readable(std::size_t index) {
  Connection& connection = connections_[index];
  bool more = false;
  do {
    make_room(connection);
    char* space = connection.input.data() + connection.input_end;
    std::size_t room = connection.input.size() - connection.input_end;
    // One read per readiness event, so the steady state costs one read and one write per request:
    // a read that did not fill the buffer emptied the socket, and bytes arriving later raise a new
    // edge; a full buffer is read again. TLS reads ahead into its own buffer, which epoll cannot
    // see: the loop drains it (tls_has_pending) without another read().
    std::int64_t stamp_ns = 0;
    ssize_t received = read_some(index, space, room, stamp_ns);
    if (received < 0) return;
    std::int64_t now = now_us();  // the response arrived by the time recv returned, if not at its kernel stamp
    std::int64_t arrival = now;
    if (stamp_ns != 0 && !connection.in_flight.empty()) {
      arrival = arrival_clock_.to_steady_us(stamp_ns, connection.in_flight.front().sent_us, now);
    }
    if (received == 0) {
      if (!connection.in_flight.empty() &&
          connection.parser.finish_on_close() == http::ResponseParser::Result::complete) {
        on_response(index, arrival, now);  // a close-delimited response: on_response closes (and reconnects) itself
        return;
      }
      close_connection(index, ErrorKind::closed, now, 0);
      return;
    }
    stats_.bytes_read += static_cast<std::uint64_t>(received);
    connection.input_end += static_cast<std::size_t>(received);
    if (!parse_responses(index, arrival, now)) return;
    more = connection.tls != nullptr ? tls_has_pending(connection.tls) : static_cast<std::size_t>(received) == room;
  } while (more);
}

void Worker::record_status(int status, std::int64_t latency_us) {
  if (status < 0 || status >= static_cast<int>(status_slot_.size())) return;
  auto code = static_cast<std::size_t>(status);
  ++stats_.status_counts[code];
  std::uint8_t slot = status_slot_[code];
  if (slot == 0) {
    if (status_histograms_.size() >= 255) return;  // more distinct statuses than HTTP defines
    status_histograms_.emplace_back(status, Histogram());
    slot = static_cast<std::uint8_t>(status_histograms_.size());
    status_slot_[code] = slot;
  }
  status_histograms_[slot - 1u].second.record(latency_us);
}

void Worker::on_response(std::size_t index, std::int64_t arrival, std::int64_t now) {
  Connection& connection = connections_[index];
  InFlight request = connection.in_flight.front();
  connection.in_flight.pop_front();
  --in_flight_total_;
  std::int64_t latency = std::max<std::int64_t>(0, arrival - request.intended_us);
  stats_.latency.record(latency);
  // Closed-model-only runs send when intended: `service` is a copy of `latency`, made at the end.
  if (any_open_model_) stats_.service.record(std::max<std::int64_t>(0, arrival - request.sent_us));
  ++stats_.completed;
  int status = connection.parser.status();
  record_status(status, latency);
  Schedule& schedule = schedules_[connection.schedule];
  if (track_groups_) {
    EndpointStats& group = stats_.groups[schedule.share.group_index];
    ++group.completed;
    group.latency.record(latency);
    if (status >= 400) ++group.errors;
  }
  std::int64_t think_us = 0;
  if (connection.session) {
    EndpointStats& endpoint = stats_.endpoints[request.endpoint];
    endpoint.latency.record(latency);
    ++endpoint.completed;
    endpoint.count_status(status);
    if (status >= 400) ++endpoint.errors;
    connection.session->on_response(request.endpoint - connection.first_endpoint, status, connection.parser.body());
    think_us = think_time_us(connection, request.endpoint);
  } else if (!schedule.share.group->think_time.empty()) {
    think_us = think_time_us(connection, 0);
  }
  bool keep_alive = connection.parser.keep_alive();
  reset_parser(connection);
  if (!keep_alive) {
    close_connection(index, ErrorKind::closed, now, 0);
    return;
  }
  if (draining_) return;
  if (think_us > 0) {
    connection.thinking = true;
    thinking_.push({now + think_us, index, connection.generation});
    return;
  }
  after_think(index, now);
}

void Worker::after_think(std::size_t index, std::int64_t now) {
  Schedule& schedule = schedules_[connections_[index].schedule];
  if (schedule.open_model) {
    mark_available(index);
    dispatch(schedule, now);
  } else if (now < schedule.end_us) {
    send(index, now, now);
  }
}

}  // namespace tachyon::loadgen
