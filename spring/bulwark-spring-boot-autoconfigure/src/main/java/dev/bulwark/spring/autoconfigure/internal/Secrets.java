package dev.bulwark.spring.autoconfigure.internal;

import dev.bulwark.spring.autoconfigure.BulwarkConfigurationException;
import dev.bulwark.spring.autoconfigure.BulwarkConfigurationException.Kind;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;

/**
 * Reads secrets from properties. A missing secret fails start-up, except in a {@code dev} or
 * {@code development} profile, where a random one is generated for this run only and a warning
 * is logged (data protected by it is unreadable after a restart).
 */
public final class Secrets {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.spring");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Profiles DEVELOPMENT = Profiles.of("dev", "development");

  private Secrets() {}

  /** True when a secret property is unset. */
  public static boolean missing(String value) {
    return value == null || value.isBlank();
  }

  /** True when a development profile is active. */
  public static boolean development(Environment env) {
    return env.acceptsProfiles(DEVELOPMENT);
  }

  /**
   * The decoded secret of {@code property}, or empty when it is unset in a development profile
   * (the caller then generates a throw-away key).
   *
   * @throws BulwarkConfigurationException if it is unset outside development, not Base64, or not
   *     {@code minBytes}..{@code maxBytes} long
   */
  public static Optional<byte[]> base64(Environment env, String property, String value, int minBytes, int maxBytes) {
    String expected = minBytes == maxBytes
        ? "Base64 of exactly " + minBytes + " random bytes"
        : "Base64 of " + minBytes + " to " + maxBytes + " random bytes";
    if (value == null || value.isBlank()) {
      if (development(env)) {
        LOG.log(System.Logger.Level.WARNING, "{0} is not set: using a random key for this run only "
            + "(development profile); anything it protects is lost at restart", property);
        return Optional.empty();
      }
      throw new BulwarkConfigurationException(Kind.MISSING_SECRET, property,
          expected + " (set it from a secret store, e.g. an environment variable; only a 'dev' or "
              + "'development' profile runs without it, on a key generated for one run)");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(value.strip());
    } catch (IllegalArgumentException e) {
      throw new BulwarkConfigurationException(Kind.INVALID_VALUE, property, expected + "; the value is not Base64");
    }
    if (bytes.length < minBytes || bytes.length > maxBytes) {
      int n = bytes.length;
      java.util.Arrays.fill(bytes, (byte) 0);
      throw new BulwarkConfigurationException(Kind.INVALID_VALUE, property, expected + "; it decodes to " + n + " bytes");
    }
    return Optional.of(bytes);
  }

  /** {@code n} random bytes for a development key. */
  public static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** Turns a library's refusal of a configured value into a start-up failure naming the property. */
  public static BulwarkConfigurationException invalid(String property, String expected, RuntimeException cause) {
    BulwarkConfigurationException e = new BulwarkConfigurationException(Kind.INVALID_VALUE, property,
        expected + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")"));
    e.initCause(cause);
    return e;
  }
}
