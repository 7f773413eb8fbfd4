package dev.bulwark.common;

/**
 * The base of every Bulwark store failure: the infrastructure behind a store (a database, a file
 * system, Redis, an HSM) did not answer or answered something unusable. Each module throws its own
 * final subclass ({@code AuthnStoreException}, {@code CryptoStoreException}, …), always with the
 * underlying cause attached.
 *
 * <p>Bulwark's exception story, followed by every module:
 * <ul>
 *   <li><b>infrastructure failure</b> → an unchecked {@code <Module>StoreException}; retrying later
 *       may succeed, and nothing was decided;</li>
 *   <li><b>expected refusal of a flow</b> (a wrong code, an expired token, a held record) → a
 *       checked exception carrying a {@code Reason} enum, or a result value;</li>
 *   <li><b>cryptographic verdict</b> (a tag or signature that does not verify) →
 *       {@link java.security.GeneralSecurityException} and nothing else.</li>
 * </ul>
 * So an outage never looks like tampering, and tampering never looks like an outage. Messages name
 * the operation and the store, never a secret or a user's input.
 */
public abstract class StoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param message what failed, naming the operation; never a secret */
  protected StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  protected StoreException(String message) {
    super(message);
  }
}
