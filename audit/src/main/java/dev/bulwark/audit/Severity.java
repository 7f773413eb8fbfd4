package dev.bulwark.audit;

/** How urgent the event is (OWASP logging vocabulary levels). */
public enum Severity {
  INFO(1), WARN(2), CRITICAL(3);

  /** {@code values()} copies its array on every call; the verifier looks codes up once per event. */
  private static final Severity[] VALUES = values();
  private final int code;

  Severity(int code) {
    this.code = code;
  }

  /** The stable code used in the canonical encoding (never the ordinal). */
  public int code() {
    return code;
  }

  /** The constant for a canonical code. */
  public static Severity ofCode(int code) {
    for (Severity v : VALUES) {
      if (v.code == code) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown severity code " + code);
  }
}
