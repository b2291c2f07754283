// Reply: the copy out of hiredis, and the optional throw on an error reply.
#include "tachyon/redis/reply.hpp"

namespace tachyon::redis {

void Reply::throw_if_error() const {
  if (is_error()) throw RedisError("redis error reply: " + text);
}

Reply copy_reply(const redisReply& reply) {
  Reply copy;
  switch (reply.type) {
    case REDIS_REPLY_INTEGER:
      copy.type = Reply::Type::integer;
      copy.integer = reply.integer;
      break;
    case REDIS_REPLY_STRING:
      copy.type = Reply::Type::string;
      copy.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      copy.type = Reply::Type::status;
      copy.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      copy.type = Reply::Type::error;
      copy.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ARRAY:
      copy.type = Reply::Type::array;
      copy.elements.reserve(reply.elements);
      for (std::size_t index = 0; index < reply.elements; ++index)
        copy.elements.push_back(copy_reply(*reply.element[index]));
      break;
    default:  // REDIS_REPLY_NIL
      break;
  }
  return copy;
}

}  // namespace tachyon::redis
