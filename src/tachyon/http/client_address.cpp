#include "tachyon/http/client_address.hpp"

#include <boost/asio/ip/address.hpp>
#include <string>

namespace tachyon::http {

bool is_loopback_address(std::string_view address) {
  boost::system::error_code error;
  auto parsed = boost::asio::ip::make_address(std::string(address), error);
  if (error) return false;
  if (parsed.is_v6() && parsed.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, parsed.to_v6()).is_loopback();
  }
  return parsed.is_loopback();
}

}  // namespace tachyon::http
