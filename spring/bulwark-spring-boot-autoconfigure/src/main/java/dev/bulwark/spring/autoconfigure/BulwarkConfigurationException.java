package dev.bulwark.spring.autoconfigure;

import java.util.Objects;

/**
 * Start-up refused because a {@code bulwark.*} property is missing or wrong. The message names
 * the property and says what is expected; it never contains the property's value (it may be a
 * secret). A {@code FailureAnalyzer} registered by this artifact turns it into Spring Boot's
 * "APPLICATION FAILED TO START" report.
 */
public final class BulwarkConfigurationException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** Why start-up was refused. */
  public enum Kind {
    /** A required secret (master key, pepper, checkpoint key, chain key) is not set. */
    MISSING_SECRET,
    /** A property is set but its value is not acceptable. */
    INVALID_VALUE
  }

  private final Kind kind;
  private final String property;
  private final String expected;

  public BulwarkConfigurationException(Kind kind, String property, String expected) {
    super(message(kind, property, expected));
    this.kind = Objects.requireNonNull(kind, "kind");
    this.property = Objects.requireNonNull(property, "property");
    this.expected = Objects.requireNonNull(expected, "expected");
  }

  private static String message(Kind kind, String property, String expected) {
    return kind == Kind.MISSING_SECRET
        ? "required secret '" + property + "' is not set: expected " + expected
        : "property '" + property + "' is invalid: expected " + expected;
  }

  public Kind kind() {
    return kind;
  }

  /** The full property name, for example {@code bulwark.crypto.master-key}. */
  public String property() {
    return property;
  }

  /** What the property must hold. */
  public String expected() {
    return expected;
  }
}
