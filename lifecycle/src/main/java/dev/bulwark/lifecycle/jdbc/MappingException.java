package dev.bulwark.lifecycle.jdbc;

import java.util.List;

/**
 * A {@link TableMapping} does not match the database: a missing table or column, a column of
 * the wrong type, or a feature the mapping lacks. Thrown when the store is built, or when a call
 * needs a column the mapping does not name. Nothing is changed.
 */
public final class MappingException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public MappingException(String message, List<String> problems) {
    super(message + ": " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** One entry per problem found, such as {@code "table users has no column purge_after"}. */
  public List<String> problems() {
    return problems;
  }
}
