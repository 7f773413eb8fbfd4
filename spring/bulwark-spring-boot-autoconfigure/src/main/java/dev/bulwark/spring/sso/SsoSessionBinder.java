package dev.bulwark.spring.sso;

import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.spring.security.BulwarkAuthentication;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;
import org.springframework.security.core.Authentication;

/**
 * Where a completed single sign-on leaves the signed-in user: by default Spring Security's {@code
 * SecurityContextRepository} of the filter chain (the HTTP session unless the application
 * configured another repository); define a bean to put the Bulwark session elsewhere.
 */
public interface SsoSessionBinder {

  /**
   * Records {@code authentication} for the following requests. {@code issued} holds the only copy
   * of the new Bulwark session's token; a binder that does not keep it must not log it.
   */
  void signIn(BulwarkAuthentication authentication, IssuedSession issued, HttpServletRequest request,
      HttpServletResponse response);

  /** The current request's authentication, if any. */
  Optional<Authentication> current(HttpServletRequest request, HttpServletResponse response);

  /** Forgets the current authentication (the Bulwark session was revoked already). */
  void signOut(HttpServletRequest request, HttpServletResponse response);
}
