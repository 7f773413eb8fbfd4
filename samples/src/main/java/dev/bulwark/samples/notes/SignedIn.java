package dev.bulwark.samples.notes;

import dev.bulwark.authn.session.Session;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * A signed-in request: authn's session, the user, and the session's opaque token from the cookie
 * (needed to elevate or rotate the session).
 */
record SignedIn(Session session, AppStore.User user, String token) {

  static final String ATTRIBUTE = SignedIn.class.getName();

  @Override
  public String toString() {
    return "SignedIn[" + user + ", session " + session.id() + "]";
  }

  /** The signed-in request's session and user, loading the security context if it was not yet. */
  static Optional<SignedIn> of(HttpServletRequest request) {
    SecurityContextHolder.getContext().getAuthentication();
    return Optional.ofNullable((SignedIn) request.getAttribute(ATTRIBUTE));
  }
}
