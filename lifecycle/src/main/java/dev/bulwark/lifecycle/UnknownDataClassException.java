package dev.bulwark.lifecycle;

/** A data class has no retention policy (or no store mapping). */
public final class UnknownDataClassException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public UnknownDataClassException(DataClass dataClass, String what) {
    super("unknown data class '" + dataClass.name() + "': " + what);
  }
}
