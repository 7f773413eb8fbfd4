package dev.bulwark.lifecycle;

/** A record the caller named does not exist (or is not live where a live record is needed). */
public final class UnknownRecordException extends LifecycleException {

  private static final long serialVersionUID = 1L;

  public UnknownRecordException(String message) {
    super(Reason.UNKNOWN_RECORD, message);
  }
}
