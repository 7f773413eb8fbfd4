package dev.bulwark.crypto;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A change to a keyring that an audit trail must show: created, rotated (by hand or by the
 * rotation policy), a version disabled, enabled or destroyed, the minimum decryptable version
 * moved, the scope crypto-shredded. {@link Keyrings} hands each one to its
 * {@link KeyEventListener} after the change is stored.
 *
 * <p>{@code type} is one of the names below ({@link #TYPES}), in the vocabulary
 * {@code bulwark-audit} accepts as it is; detail keys match {@code [a-z][a-z0-9_.-]{0,63}} and
 * values are non-secret (version numbers, triggers, times), never key material.
 *
 * @param type the event name, one of {@link #TYPES}
 * @param keyring the keyring (shredding scope) the event is about
 * @param occurredAt when the change was stored, from the keyrings' clock
 * @param details non-secret key/value context, sorted by key
 */
public record KeyEvent(String type, String keyring, Instant occurredAt, Map<String, String> details) {

  public static final String KEYRING_CREATED = "crypto_keyring_created";
  public static final String KEY_ROTATED = "crypto_key_rotated";
  public static final String KEY_DISABLED = "crypto_key_disabled";
  public static final String KEY_ENABLED = "crypto_key_enabled";
  public static final String KEY_DESTROYED = "crypto_key_destroyed";
  public static final String MIN_VERSION_CHANGED = "crypto_min_version_changed";
  public static final String SCOPE_SHREDDED = "crypto_scope_shredded";

  /** Every type this module emits. */
  public static final List<String> TYPES = List.of(KEYRING_CREATED, KEY_ROTATED, KEY_DISABLED, KEY_ENABLED,
      KEY_DESTROYED, MIN_VERSION_CHANGED, SCOPE_SHREDDED);

  private static final Pattern DETAIL_KEY = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");

  /** Validates and copies. */
  public KeyEvent {
    Objects.requireNonNull(type, "type");
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("unknown key event type " + type);
    }
    Objects.requireNonNull(keyring, "keyring");
    Objects.requireNonNull(occurredAt, "occurredAt");
    TreeMap<String, String> sorted = new TreeMap<>(Objects.requireNonNull(details, "details"));
    for (String key : sorted.keySet()) {
      if (!DETAIL_KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("detail keys match [a-z][a-z0-9_.-]{0,63}");
      }
    }
    details = Collections.unmodifiableMap(sorted);
  }
}
