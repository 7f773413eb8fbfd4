package dev.bulwark.audit;

/** How the action ended. */
public enum Outcome {
  SUCCESS(1), FAILURE(2), DENIED(3), ERROR(4);

  /** {@code values()} copies its array on every call; the verifier looks codes up once per event. */
  private static final Outcome[] VALUES = values();
  private final int code;

  Outcome(int code) {
    this.code = code;
  }

  /** The stable code used in the canonical encoding (never the ordinal). */
  public int code() {
    return code;
  }

  /** The constant for a canonical code. */
  public static Outcome ofCode(int code) {
    for (Outcome v : VALUES) {
      if (v.code == code) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown outcome code " + code);
  }
}
