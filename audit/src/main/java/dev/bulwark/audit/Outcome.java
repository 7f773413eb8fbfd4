package dev.bulwark.audit;

/** How the action ended. */
public enum Outcome {
  SUCCESS(1), FAILURE(2), DENIED(3), ERROR(4);

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
    for (Outcome v : values()) {
      if (v.code == code) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown outcome code " + code);
  }
}
