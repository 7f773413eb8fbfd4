package dev.bulwark.audit.export;

/**
 * An export step failed: the sink did not take the batch, the store could not be read, or the
 * stored events do not match a stored checkpoint. The cursor did not move, so the next attempt
 * starts from the same event. The message never holds event contents.
 */
public class ExportException extends Exception {
  private static final long serialVersionUID = 1L;

  public ExportException(String message) {
    super(message);
  }

  public ExportException(String message, Throwable cause) {
    super(message, cause);
  }
}
