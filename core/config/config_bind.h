/* core/config/config_bind.h - writing a stage's validated options into the plugin's own config
 * struct (ABI 2.1: tp_option.field_offset / field_size, tp_plugin.config_size).
 *
 * The option table stays the one place an option is declared: its type, range and default
 * (as JSON) are validated by config_schema.h, and the bound value is written here once, so a
 * plugin neither re-reads the JSON nor writes its defaults a second time.
 */
#ifndef TP_CORE_CONFIG_BIND_H
#define TP_CORE_CONFIG_BIND_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "textpipe/plugin.h"

/* Checks every binding of `options` against `config_size`: the member fits the struct and its
 * size fits the option's type (plugin.h). Returns 0, or -1 with a reason (without file name)
 * in `reason`. */
int tp_config_check_bindings(const tp_option *options, uint32_t config_size, char *reason,
                             size_t reason_size);

/* Writes each bound option's value from `config` (validated, defaults filled) into `target`
 * (a zeroed struct the bindings were checked against); options absent from `config` leave
 * their member zero. Strings and cJSON pointers point into `config`, which must outlive
 * `target`'s use. Never fails. */
void tp_config_bind(const tp_option *options, const cJSON *config, void *target);

#endif /* TP_CORE_CONFIG_BIND_H */
