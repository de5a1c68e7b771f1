/* core/broker/redis_reply.h - hiredis replies built in one arena each, for every Redis link.
 *
 * hiredis' default reader allocates every object of a reply on its own (an entry of an
 * XREADGROUP reply is nine allocations: five objects, three strings, two element vectors) and
 * frees them one by one; a consumer reading a stream spends more time there than in parsing.
 * With these functions installed, a reply and everything in it live in a few large blocks
 * owned by its top object, and freeing the reply is freeing those blocks.
 *
 * Ownership: a reply read on a context set up with tp_redis_reply_use_arena() is freed with
 * tp_redis_reply_free() and never with hiredis' freeReplyObject(); its objects and strings
 * stay valid until then, exactly as with hiredis' own objects.
 */
#ifndef TP_CORE_REDIS_REPLY_H
#define TP_CORE_REDIS_REPLY_H

#include <hiredis/hiredis.h>

/* Makes `reader` (a context's: context->reader) build its replies in arenas; call it before
 * the reader has read anything (right after connecting). */
void tp_redis_reply_use_arena(redisReader *reader);

/* Frees a reply read on such a context, and everything in it. NULL: nothing. */
void tp_redis_reply_free(redisReply *reply);

#endif /* TP_CORE_REDIS_REPLY_H */
