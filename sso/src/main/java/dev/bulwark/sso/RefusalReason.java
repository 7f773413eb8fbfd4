package dev.bulwark.sso;

/**
 * Why a single sign-on message was refused. Stable codes for logs, metrics and security events;
 * the user sees only that sign-in failed.
 */
public enum RefusalReason {
  /** The message is larger than the configured limit; it was not parsed. */
  TOO_LARGE,
  /** Not well-formed, not the expected message type, or not valid base64/deflate. */
  MALFORMED,
  /** A document type declaration (DTD, entities): never processed. */
  DTD_FORBIDDEN,
  /** A comment or processing instruction inside the signed message (NameID comment injection). */
  UNEXPECTED_CONTENT,
  /** Two elements carry the same ID. */
  DUPLICATE_ID,
  /** Not exactly one assertion, or an assertion somewhere other than directly in the response. */
  ASSERTION_COUNT,
  /** The assertion carries no signature (and the host did not allow a covering response signature). */
  UNSIGNED,
  /** A signature that is in the wrong place, or more signatures than the message may carry. */
  UNEXPECTED_SIGNATURE,
  /** The signature does not reference exactly the signed element by its ID, or uses other transforms. */
  SIGNATURE_REFERENCE,
  /** A signature, digest, canonicalization or encryption algorithm outside the allow-list. */
  ALGORITHM_FORBIDDEN,
  /** The signature value or a digest does not verify with the identity provider's pinned key. */
  SIGNATURE_INVALID,
  /** An encrypted assertion that could not be decrypted with the service provider's key. */
  DECRYPTION_FAILED,
  /** The issuer is not the configured identity provider. */
  ISSUER_MISMATCH,
  /** The response's {@code Destination} is not our assertion consumer service. */
  DESTINATION_MISMATCH,
  /** The audience restriction does not name this service provider. */
  AUDIENCE_MISMATCH,
  /** The bearer subject confirmation's {@code Recipient} is not our assertion consumer service. */
  RECIPIENT_MISMATCH,
  /** {@code InResponseTo} (or OIDC {@code state}) does not match the request we sent. */
  REQUEST_MISMATCH,
  /** The message is not yet valid (beyond the allowed clock skew). */
  NOT_YET_VALID,
  /** The message is no longer valid (beyond the allowed clock skew). */
  EXPIRED,
  /** This assertion or token was already used. */
  REPLAYED,
  /** The identity provider reported a non-success status. */
  STATUS_NOT_SUCCESS,
  /** A required element (subject, bearer confirmation, authentication statement) is missing. */
  MISSING_ELEMENT,
  /** The OIDC nonce does not match the one we sent. */
  NONCE_MISMATCH,
  /** The OIDC provider returned an error or the token exchange failed. */
  PROVIDER_ERROR,
  /** The identity provider could not be reached or answered with something unusable. */
  PROVIDER_UNAVAILABLE,
  /** The replay cache could not be consulted; the sign-in is refused (fail closed). */
  STORE_UNAVAILABLE
}
