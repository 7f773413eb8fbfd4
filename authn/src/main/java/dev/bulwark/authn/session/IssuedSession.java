package dev.bulwark.authn.session;

import java.util.List;
import java.util.Objects;

/**
 * A session just created or rotated, with the one copy of its token that will ever exist.
 *
 * @param token hand it to the client; it is not stored
 * @param session the stored session
 * @param evicted sessions of the same user that were revoked to respect the concurrent limit
 */
public record IssuedSession(SessionToken token, Session session, List<Session> evicted) {
  public IssuedSession {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(session, "session");
    evicted = List.copyOf(evicted);
  }
}
