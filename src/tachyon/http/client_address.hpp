// Facts about a client's address that access rules use: whether it is a loopback address (127.0.0.0/8,
// ::1, or an IPv4-mapped loopback address).
#pragma once

#include <string_view>

namespace tachyon::http {

bool is_loopback_address(std::string_view address);

}  // namespace tachyon::http
