package dev.bulwark.ratelimit;

import java.util.Objects;

/**
 * What a limit counts against: a key composed from a tenant, a principal, a source address and a
 * route, any of which may be left out (at least one must be given), or a single free-form value.
 * Parts are encoded unambiguously ({@code t:acme|p:alice|s:203.0.113.9|r:POST /login}, with
 * {@code \} and {@code |} escaped), so two different sets of parts never share a count.
 *
 * <p>Security considerations: the encoded key is at most {@link #MAX_LENGTH} characters, so a
 * client cannot make the limiter store arbitrarily large keys; longer input is refused with
 * {@link InvalidKeyException} rather than truncated (truncation would merge keys). Use the
 * authenticated principal and the address the host trusts (not a client-supplied header), and
 * normalise addresses before building the key (for IPv6, consider a /64 prefix).
 *
 * <p>Immutable and thread-safe.
 */
public final class RateLimitKey {

  /** The longest encoded key accepted. */
  public static final int MAX_LENGTH = 512;

  private final String value;
  /** The last limiter-qualified form asked for; a benign race (immutable holder, recomputed if lost). */
  private Qualified qualified;

  private RateLimitKey(String value) {
    this.value = value;
  }

  private static final class Qualified {
    final String prefix;
    final String key;

    Qualified(String prefix, String key) {
      this.prefix = prefix;
      this.key = key;
    }
  }

  /** {@code prefix + value()}, remembered for the last prefix so a reused key is not rebuilt per decision. */
  String qualifiedBy(String prefix) {
    Qualified q = qualified;
    if (q != null && q.prefix == prefix) {
      return q.key;
    }
    String key = prefix + value;
    qualified = new Qualified(prefix, key);
    return key;
  }

  /** A key of one free-form value (e.g. an e-mail address being signed up). */
  public static RateLimitKey of(String value) {
    return builder().part('k', "value", value).build();
  }

  /** A builder for a key composed of named parts. */
  public static Builder builder() {
    return new Builder();
  }

  /** The encoded key, as stored. */
  public String value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RateLimitKey && ((RateLimitKey) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "RateLimitKey[" + value + "]";
  }

  /** Collects the parts of a key; each at most once. Not thread-safe. */
  public static final class Builder {
    private final StringBuilder encoded = new StringBuilder();
    private int seen;

    private Builder() {}

    /** The tenant (organization) the request is made in. */
    public Builder tenant(String tenant) {
      return part('t', "tenant", tenant);
    }

    /** The authenticated principal (user or client id). */
    public Builder principal(String principal) {
      return part('p', "principal", principal);
    }

    /** The source address, as the host trusts it. */
    public Builder source(String source) {
      return part('s', "source", source);
    }

    /** The route or operation, e.g. {@code POST /signup}. */
    public Builder route(String route) {
      return part('r', "route", route);
    }

    Builder part(char tag, String what, String text) {
      Objects.requireNonNull(text, what);
      int bit = 1 << (tag - 'a');
      if ((seen & bit) != 0) {
        throw new InvalidKeyException("key part " + what + " given twice");
      }
      if (text.isEmpty()) {
        throw new InvalidKeyException("key part " + what + " is empty");
      }
      seen |= bit;
      if (encoded.length() > 0) {
        encoded.append('|');
      }
      encoded.append(tag).append(':');
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '\\' || c == '|') {
          encoded.append('\\');
        }
        encoded.append(c);
        if (encoded.length() > MAX_LENGTH) {
          throw new InvalidKeyException("key longer than " + MAX_LENGTH + " characters (at part " + what + ")");
        }
      }
      if (encoded.length() > MAX_LENGTH) {
        throw new InvalidKeyException("key longer than " + MAX_LENGTH + " characters (at part " + what + ")");
      }
      return this;
    }

    /**
     * The key.
     *
     * @throws InvalidKeyException if no part was given
     */
    public RateLimitKey build() {
      if (encoded.length() == 0) {
        throw new InvalidKeyException("a key needs at least one part");
      }
      return new RateLimitKey(encoded.toString());
    }
  }
}
