// LD_PRELOAD shim for bench/loadgen_callgrind.sh: valgrind 3.19 does not implement the epoll_pwait2
// system call (it fails with ENOSYS), so `tachyon bench` builds that call it unconditionally could
// not run under callgrind. This maps it to epoll_pwait with the timeout rounded up to milliseconds,
// so every generator binary compared runs the same system calls.
#include <sys/epoll.h>

#include <ctime>

extern "C" int epoll_pwait2(int descriptor, epoll_event* events, int max_events, const timespec* timeout,
                            const sigset_t* mask) {
  int milliseconds = -1;
  if (timeout != nullptr)
    milliseconds = static_cast<int>(timeout->tv_sec * 1000 + (timeout->tv_nsec + 999'999) / 1'000'000);
  return epoll_pwait(descriptor, events, max_events, milliseconds, mask);
}
