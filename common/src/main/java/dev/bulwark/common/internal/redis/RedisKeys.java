package dev.bulwark.common.internal.redis;

import java.util.Objects;

/**
 * The key layout of Bulwark's Redis stores: a fixed or configured prefix, then a hash tag
 * ({@code {...}}), so that every key a script touches hashes to one slot and the layout stays valid
 * on Redis Cluster.
 */
public final class RedisKeys {

  private RedisKeys() {}

  /**
   * {@code prefix + "{" + tag + "}" + suffix}. Redis Cluster hashes only the text between the
   * first <code>{</code> and the first <code>}</code> after it, so the prefix must hold no brace
   * ({@link #checkPrefix}); a brace inside the tag or the suffix can only shorten the tag, never
   * move a key of one tag to another store's keys.
   */
  public static String hashTagged(String prefix, String tag, String suffix) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(suffix, "suffix");
    return prefix + "{" + tag + "}" + suffix;
  }

  /**
   * A configured key prefix: 1 to 64 characters without braces (a brace would change which part
   * of the key Redis Cluster hashes).
   *
   * @throws IllegalArgumentException if empty, longer than 64 characters or containing braces
   */
  public static String checkPrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.isEmpty() || prefix.length() > 64 || prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
      throw new IllegalArgumentException("keyPrefix must be 1 to 64 characters without braces");
    }
    return prefix;
  }
}
