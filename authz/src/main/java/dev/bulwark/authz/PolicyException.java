package dev.bulwark.authz;

import java.util.Objects;

/**
 * A policy that cannot be evaluated safely (unknown permission or role, inheritance cycle, nested
 * group, too large) or a policy file that cannot be read. Thrown when the policy is loaded, so
 * that no request is ever decided by it; whatever was stored before stays as it was.
 */
public final class PolicyException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String path;
  private final int line;
  private final int column;

  /**
   * @param path where in the policy, for example {@code roles.editor.inherits[0]}
   * @param line 1-based line in the policy file, or 0 when not read from a file
   * @param column 1-based column, or 0
   */
  public PolicyException(String message, String path, int line, int column) {
    super(message + " at " + location(path, line, column));
    this.path = Objects.requireNonNull(path, "path");
    this.line = line;
    this.column = column;
  }

  private static String location(String path, int line, int column) {
    return line > 0 ? path + " (line " + line + ", column " + column + ")" : path;
  }

  /** Where in the policy structure, for example {@code bindings[3].role}. */
  public String path() {
    return path;
  }

  /** 1-based line in the file, or 0. */
  public int line() {
    return line;
  }

  /** 1-based column in the file, or 0. */
  public int column() {
    return column;
  }
}
