/* textpipe/blocks.h - building the "blocks" of a report section (docs/report-format.md).
 *
 * A stage's finish() may add, beside its own data members, an array "blocks" to its section:
 * the things the HTML report draws for it, in order (tiles, histogram, timeline, quotes, bars,
 * table). The renderer knows these block types, never plugin names, so a plugin written
 * outside textpipe gets the same charts as the built-in ones.
 *
 * These helpers are header-only (static inline, no symbol of the host is needed) and build
 * plain cJSON: a plugin may as well build the same JSON by hand. Every function returns NULL
 * on a NULL argument or when memory runs out; what it creates is already attached to its
 * parent, so the core's deletion of the section frees it whatever fails later.
 */
#ifndef TEXTPIPE_BLOCKS_H
#define TEXTPIPE_BLOCKS_H

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Appends a new empty object to parent[key] (an array, created when missing) and returns it. */
static inline cJSON *tp_block_append_object(cJSON *parent, const char *key) {
  if (parent == NULL || key == NULL)
    return NULL;
  cJSON *array = cJSON_GetObjectItemCaseSensitive(parent, key);
  if (array == NULL)
    array = cJSON_AddArrayToObject(parent, key);
  if (!cJSON_IsArray(array))
    return NULL;
  cJSON *object = cJSON_CreateObject();
  if (object == NULL)
    return NULL;
  if (!cJSON_AddItemToArray(array, object)) {
    cJSON_Delete(object);
    return NULL;
  }
  return object;
}

/* Appends a block {"type": type, "title": title} to section["blocks"] (created when missing)
 * and returns it. `title` may be NULL (no title). */
static inline cJSON *tp_block_add(cJSON *section, const char *type, const char *title) {
  cJSON *block = type != NULL ? tp_block_append_object(section, "blocks") : NULL;
  if (block == NULL || cJSON_AddStringToObject(block, "type", type) == NULL ||
      (title != NULL && cJSON_AddStringToObject(block, "title", title) == NULL))
    return NULL;
  return block;
}

/* Appends a new empty object to block[key] (an array, created when missing) and returns it:
 * one tile, bin, point, quote or bar. */
static inline cJSON *tp_block_item(cJSON *block, const char *key) {
  return tp_block_append_object(block, key);
}

#ifdef __cplusplus
}
#endif

#endif /* TEXTPIPE_BLOCKS_H */
