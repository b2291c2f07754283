// Internal: copies a hiredis reply tree into a Reply (hiredis frees its own after the callback).
#pragma once

#include <hiredis/hiredis.h>

#include "tachyon/redis/client.hpp"

namespace tachyon::redis {

Reply copy_reply(const redisReply& reply);

}  // namespace tachyon::redis
