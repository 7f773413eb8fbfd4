package dev.bulwark.crypto;

/** The key scope was crypto-shredded; its keys are gone and are never re-created. */
public final class ScopeShreddedException extends KeyUnavailableException {
  private static final long serialVersionUID = 1L;

  /** For the given scope. */
  public ScopeShreddedException(String scope) {
    super("key scope '" + scope + "' was shredded; its data can no longer be decrypted");
  }
}
