package dev.bulwark.lifecycle;

/**
 * Base of every error the lifecycle module raises on bad input or a refused operation. Each
 * subclass names one cause; when one is thrown, nothing was deleted or changed.
 */
public class LifecycleException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public LifecycleException(String message) {
    super(message);
  }

  public LifecycleException(String message, Throwable cause) {
    super(message, cause);
  }
}
