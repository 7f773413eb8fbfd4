package dev.bulwark.detect;

import java.time.Instant;
import java.util.Objects;

/**
 * One security event as the detectors see it. The host maps its own events onto this type (for
 * Bulwark's authn events, a few lines in the host; {@code bulwark-detect} depends on no other
 * Bulwark module). Only {@code at} and {@code kind} are required; a detector that needs a missing
 * field skips the event instead of failing.
 *
 * @param at when it happened (the host's clock; replays pass the recorded time)
 * @param kind what happened
 * @param account the account identifier the request named (also for unknown accounts); may be null
 * @param source client address as text; may be null
 * @param userAgent client user agent; may be null
 * @param deviceId a stable device identifier (cookie, passkey credential id); may be null
 * @param sessionId an identifier of the session (never the token itself; a hash or id); may be null
 */
public record ActivityEvent(Instant at, EventKind kind, String account, String source, String userAgent,
    String deviceId, String sessionId) {

  public ActivityEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(kind, "kind");
  }

  /** A login attempt outcome. */
  public static ActivityEvent login(Instant at, boolean success, String account, String source, String userAgent,
      String deviceId, String sessionId) {
    return new ActivityEvent(at, success ? EventKind.LOGIN_SUCCESS : EventKind.LOGIN_FAILURE, account, source,
        userAgent, deviceId, sessionId);
  }

  /** An event of {@code kind} with only an account and a source. */
  public static ActivityEvent of(Instant at, EventKind kind, String account, String source) {
    return new ActivityEvent(at, kind, account, source, null, null, null);
  }
}
