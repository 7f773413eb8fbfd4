package dev.bulwark.common.internal.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A Lua script and the SHA-1 Redis caches it under, for {@link RedisCalls#eval}. Immutable.
 */
public final class RedisScript {

  private final String text;
  private final String sha;

  private RedisScript(String text) {
    this.text = text;
    this.sha = sha1Hex(text);
  }

  /** The script whose source is {@code text}. */
  public static RedisScript of(String text) {
    return new RedisScript(Objects.requireNonNull(text, "text"));
  }

  /** The Lua source, sent with {@code EVAL} when Redis does not have the script cached. */
  public String text() {
    return text;
  }

  /** The lower-case hex SHA-1 of the source, sent with {@code EVALSHA}. */
  public String sha() {
    return sha;
  }

  private static String sha1Hex(String script) {
    try {
      // SHA-1 here is Redis's script cache identifier (EVALSHA), not a security function.
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "RedisScript[" + sha + "]";
  }
}
