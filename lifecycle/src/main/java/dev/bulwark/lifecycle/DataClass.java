package dev.bulwark.lifecycle;

import java.util.regex.Pattern;

/**
 * The name of a class of data that shares one retention policy, such as {@code audit-log} or
 * {@code session}: 1-64 characters of lower-case letters, digits, {@code -}, {@code _} and
 * {@code .}, starting with a letter.
 */
public record DataClass(String name) {

  // Declared before the constants below, which use it during class initialisation.
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{0,63}");

  /** Audit log entries; kept 90 days by default. */
  public static final DataClass AUDIT_LOG = new DataClass("audit-log");

  /** Session records; kept 30 days by default. */
  public static final DataClass SESSION = new DataClass("session");

  public DataClass {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "data class name must be 1-64 chars of [a-z0-9._-] starting with a letter");
    }
  }

  /** Same as {@code new DataClass(name)}. */
  public static DataClass of(String name) {
    return new DataClass(name);
  }

  @Override
  public String toString() {
    return name;
  }
}
