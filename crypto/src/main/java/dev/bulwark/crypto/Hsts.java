package dev.bulwark.crypto;

import java.time.Duration;

/**
 * A {@code Strict-Transport-Security} header value (RFC 6797).
 *
 * @param maxAge how long browsers remember to use HTTPS only
 * @param includeSubDomains whether the policy covers subdomains
 * @param preload whether to ask for the browsers' preload lists, which requires a max-age of at
 *     least one year and includeSubDomains
 */
public record Hsts(Duration maxAge, boolean includeSubDomains, boolean preload) {
  private static final Duration ONE_YEAR = Duration.ofSeconds(31_536_000);

  /** Validates. */
  public Hsts {
    if (maxAge == null || maxAge.isNegative()) {
      throw new IllegalArgumentException("maxAge must not be negative");
    }
    if (preload && (!includeSubDomains || maxAge.compareTo(ONE_YEAR) < 0)) {
      throw new IllegalArgumentException("preload requires includeSubDomains and a max-age of at least one year");
    }
  }

  /** Two years, subdomains included, no preload. */
  public static Hsts recommended() {
    return new Hsts(Duration.ofSeconds(63_072_000), true, false);
  }

  /** A builder starting at {@link #recommended()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The header value, such as {@code max-age=63072000; includeSubDomains; preload}. */
  public String headerValue() {
    StringBuilder sb = new StringBuilder("max-age=").append(maxAge.getSeconds());
    if (includeSubDomains) {
      sb.append("; includeSubDomains");
    }
    if (preload) {
      sb.append("; preload");
    }
    return sb.toString();
  }

  /** The header name. */
  public static String headerName() {
    return "Strict-Transport-Security";
  }

  /** Builds an {@link Hsts}. */
  public static final class Builder {
    private Duration maxAge = Duration.ofSeconds(63_072_000);
    private boolean includeSubDomains = true;
    private boolean preload;

    private Builder() {}

    /** Sets max-age. */
    public Builder maxAge(Duration value) {
      this.maxAge = value;
      return this;
    }

    /** Sets includeSubDomains. */
    public Builder includeSubDomains(boolean value) {
      this.includeSubDomains = value;
      return this;
    }

    /** Sets preload. */
    public Builder preload(boolean value) {
      this.preload = value;
      return this;
    }

    /** Validates and builds. */
    public Hsts build() {
      return new Hsts(maxAge, includeSubDomains, preload);
    }
  }
}
