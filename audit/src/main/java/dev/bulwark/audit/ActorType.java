package dev.bulwark.audit;

/** Who acted: a person, a service account, the system itself, or nobody authenticated yet. */
public enum ActorType {
  USER(1), SERVICE(2), SYSTEM(3), ANONYMOUS(4);

  /** {@code values()} copies its array on every call; the verifier looks codes up once per event. */
  private static final ActorType[] VALUES = values();
  private final int code;

  ActorType(int code) {
    this.code = code;
  }

  /** The stable code used in the canonical encoding (never the ordinal). */
  public int code() {
    return code;
  }

  /** The constant for a canonical code. */
  public static ActorType ofCode(int code) {
    for (ActorType t : VALUES) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown actor type code " + code);
  }
}
