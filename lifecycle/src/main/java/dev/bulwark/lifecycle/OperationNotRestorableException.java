package dev.bulwark.lifecycle;

/** The operation can no longer be restored: some of its records were purged, or it was restored already. */
public final class OperationNotRestorableException extends LifecycleException {

  private static final long serialVersionUID = 1L;

  public OperationNotRestorableException(String message) {
    super(Reason.NOT_RESTORABLE, message);
  }
}
