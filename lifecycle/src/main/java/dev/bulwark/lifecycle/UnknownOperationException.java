package dev.bulwark.lifecycle;

/** No soft-delete operation has this id. */
public final class UnknownOperationException extends LifecycleException {

  private static final long serialVersionUID = 1L;

  public UnknownOperationException(OperationId id) {
    super(Reason.UNKNOWN_OPERATION, "unknown operation " + id);
  }
}
