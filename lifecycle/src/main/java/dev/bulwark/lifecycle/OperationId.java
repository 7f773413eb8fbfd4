package dev.bulwark.lifecycle;

import java.util.Objects;
import java.util.UUID;

/** Identifies one soft-delete operation; restore takes it back as a whole. */
public record OperationId(UUID value) {

  public OperationId {
    Objects.requireNonNull(value, "value");
  }

  /** A new random (version 4) operation id. */
  public static OperationId random() {
    return new OperationId(UUID.randomUUID());
  }

  /** Parses the textual form; throws {@link IllegalArgumentException} when it is not a UUID. */
  public static OperationId parse(String text) {
    try {
      return new OperationId(UUID.fromString(Objects.requireNonNull(text, "text")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("operation id is not a UUID", e);
    }
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
