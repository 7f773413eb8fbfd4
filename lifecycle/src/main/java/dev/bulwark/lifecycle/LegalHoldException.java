package dev.bulwark.lifecycle;

/** An active legal hold forbids the operation (purge, erasure or key destruction). */
public final class LegalHoldException extends LifecycleException {

  private static final long serialVersionUID = 1L;

  public LegalHoldException(String message) {
    super(Reason.LEGAL_HOLD, message);
  }
}
