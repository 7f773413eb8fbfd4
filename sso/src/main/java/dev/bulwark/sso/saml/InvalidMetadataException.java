package dev.bulwark.sso.saml;

/**
 * SAML metadata that cannot be used: not well-formed, not an entity descriptor of the expected
 * role, or (for an identity provider) without a signing key. Metadata without a key is an error,
 * never a reason to skip signature validation.
 */
public final class InvalidMetadataException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidMetadataException(String message) {
    super(message);
  }

  public InvalidMetadataException(String message, Throwable cause) {
    super(message, cause);
  }
}
