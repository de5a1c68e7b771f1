/* core/broker/checkpoints_redis.c - reading a consumer group's checkpoints back for
 * `textpipe merge redis://HOST:PORT/STREAM?group=G` (redis_link.h, checkpoint.h).
 *
 * Every run of every consumer left one field in STREAM:textpipe:G:checkpoints (its last
 * checkpoint, which covers exactly the entries it acknowledged); each holds one partial
 * document per worker. Merging all of them counts every acknowledged entry once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "json_literals.h"
#include "redis_link.h"

/* Appends `document` named `name` to the growing lists. Returns 0, or -1 on OOM. */
static int append(cJSON ***documents, char ***names, size_t *count, cJSON *document,
                  const char *name) {
  cJSON **grown_documents = realloc(*documents, (*count + 1) * sizeof **documents);
  if (grown_documents == NULL)
    return -1;
  *documents = grown_documents;
  char **grown_names = realloc(*names, (*count + 1) * sizeof **names);
  if (grown_names == NULL)
    return -1;
  *names = grown_names;
  char *copy = strdup(name);
  if (copy == NULL)
    return -1;
  (*documents)[*count] = document;
  (*names)[*count] = copy;
  (*count)++;
  return 0;
}

int tp_redis_checkpoints_read(const char *location, cJSON ***documents, char ***names,
                              size_t *count, char *err, size_t err_size) {
  static const char *const known[] = {"group", NULL};
  tp_redis_url url;
  char group[TP_REDIS_NAME_SIZE];
  if (tp_redis_url_parse(location, &url, err, err_size) != 0 ||
      tp_redis_url_check_keys(&url, known, err, err_size) != 0)
    return -1;
  if (!tp_redis_url_get(&url, "group", group, sizeof group) || group[0] == '\0') {
    snprintf(err, err_size, "%s: give the consumer group: ?group=NAME", url.display);
    return -1;
  }
  char key[TP_REDIS_NAME_SIZE * 2 + 32];
  snprintf(key, sizeof key, "%s:textpipe:%s:checkpoints", url.stream, group);
  tp_redis_link link;
  tp_redis_link_init(&link, &url, NULL);
  const char *argv[] = {"HGETALL", key};
  size_t lengths[] = {7, strlen(key)};
  redisReply *reply = tp_redis_command(&link, 2, argv, lengths, 10000, err, err_size);
  int status = -1;
  if (reply == NULL)
    goto done;
  if (reply->type != REDIS_REPLY_ARRAY) {
    snprintf(err, err_size, "%s: HGETALL %s: %s", url.display, key,
             reply->type == REDIS_REPLY_ERROR ? reply->str : "not a hash");
    goto done;
  }
  if (reply->elements == 0) {
    snprintf(err, err_size, "%s: no checkpoints of group %s (%s is empty)", url.display, group,
             key);
    goto done;
  }
  for (size_t i = 0; i + 1 < reply->elements; i += 2) {
    const redisReply *field = reply->element[i], *value = reply->element[i + 1];
    char name[TP_REDIS_NAME_SIZE * 3];
    snprintf(name, sizeof name, "%s checkpoint %s", url.display, field->str);
    cJSON *checkpoint = cJSON_ParseWithLength(value->str, value->len);
    const cJSON *list = tp_checkpoint_documents(checkpoint);
    if (list == NULL || tp_json_keep_number_literals(checkpoint, value->str, value->len) != 0) {
      snprintf(err, err_size, "%s: not a textpipe checkpoint", name);
      cJSON_Delete(checkpoint);
      goto done;
    }
    for (int d = cJSON_GetArraySize(list) - 1; d >= 0; d--) {
      cJSON *document = cJSON_DetachItemFromArray((cJSON *)list, 0);
      char document_name[sizeof name + 32];
      snprintf(document_name, sizeof document_name, "%s[%d]", name,
               cJSON_GetArraySize(list) - d - 1 + 0);
      if (append(documents, names, count, document, document_name) != 0) {
        cJSON_Delete(document);
        cJSON_Delete(checkpoint);
        snprintf(err, err_size, "out of memory");
        goto done;
      }
    }
    cJSON_Delete(checkpoint);
  }
  status = 0;
done:
  if (reply != NULL)
    tp_redis_reply_free(reply);
  tp_redis_link_close(&link);
  return status;
}
