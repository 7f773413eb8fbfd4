package dev.bulwark.detect.internal;

/**
 * The state items the detectors keep, by number, with the name each has in a
 * {@code DetectState} and the kind of key it hangs off (its "space": accounts, sources,
 * sessions, the global failure counter, the global baseline). An in-memory state keeps every
 * item of one key together, so the steps of one event on one account touch one entry.
 */
public final class Items {
  private Items() {}

  // Accounts.
  public static final int FAILURES = 0;
  public static final int SUCCESSES = 1;
  public static final int MFA = 2;
  public static final int DEVICES = 3;
  public static final int NETWORKS = 4;
  public static final int COUNTRIES = 5;
  public static final int PROFILES = 6;
  // Sources.
  public static final int SPRAY = 7;
  public static final int SIGNUPS = 8;
  // Sessions.
  public static final int SESSIONS = 9;
  // The fleet's failures, counted per second.
  public static final int GLOBAL_FAILURES = 10;
  // The fleet's failure baseline, one record per minute.
  public static final int GLOBAL_BASELINE = 11;

  /** Spaces (kinds of key). */
  public static final int SPACES = 5;

  private static final String[] NAMES = {"fail", "succ", "mfa", "device", "network", "country", "profile", "spray",
      "signup", "session", "gfail", "gbase"};
  private static final int[] SPACE = {0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
  private static final int[] SLOT = {0, 1, 2, 3, 4, 5, 6, 0, 1, 0, 0, 0};
  private static final int[] SLOTS = {7, 2, 1, 1, 1};

  /** The item's name in a {@code DetectState}. */
  public static String name(int item) {
    return NAMES[item];
  }

  /** The item named {@code name}, or -1 for a name the detectors do not use. */
  public static int of(String name) {
    for (int i = 0; i < NAMES.length; i++) {
      if (NAMES[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The kind of key the item hangs off. */
  public static int space(int item) {
    return SPACE[item];
  }

  /** The item's index among the items of its space. */
  public static int slot(int item) {
    return SLOT[item];
  }

  /** How many items a space holds. */
  public static int slots(int space) {
    return SLOTS[space];
  }
}
