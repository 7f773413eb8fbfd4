package dev.bulwark.samples.notes;

import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.Session;
import dev.bulwark.spring.security.BulwarkAuthentication;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.util.Optional;
import org.springframework.http.ResponseCookie;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.DeferredSecurityContext;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.context.HttpRequestResponseHolder;

/**
 * Bulwark sessions as Spring Security's security context: the cookie {@code bulwark_session}
 * holds authn's opaque session token ({@code HttpOnly; SameSite=Strict; Path=/}, plus
 * {@code Secure} on TLS); there is no HttpSession. Each request validates the token with
 * {@code Sessions} (idle and absolute deadlines, revocation) and becomes a
 * {@link BulwarkAuthentication} with the account's roles as authorities.
 */
final class SessionCookies implements SecurityContextRepository {

  static final String COOKIE = "bulwark_session";

  private final NotesService service;
  private final Clock clock;

  SessionCookies(NotesService service, Clock clock) {
    this.service = service;
    this.clock = clock;
  }

  static Optional<String> token(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return Optional.empty();
    }
    for (Cookie c : cookies) {
      if (COOKIE.equals(c.getName()) && !c.getValue().isEmpty()) {
        return Optional.of(c.getValue());
      }
    }
    return Optional.empty();
  }

  @Override
  public DeferredSecurityContext loadDeferredContext(HttpServletRequest request) {
    return new DeferredSecurityContext() {
      private SecurityContext loaded;

      @Override
      public SecurityContext get() {
        if (loaded == null) {
          loaded = load(request);
        }
        return loaded;
      }

      @Override
      public boolean isGenerated() {
        return get().getAuthentication() == null;
      }
    };
  }

  private SecurityContext load(HttpServletRequest request) {
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    Optional<String> token = token(request);
    if (token.isEmpty()) {
      return context;
    }
    Optional<Session> session = service.session(token.get());
    Optional<AppStore.User> user = session.flatMap(s -> service.user(s.userId()));
    if (session.isEmpty() || user.isEmpty()) {
      return context;
    }
    Session s = session.get();
    request.setAttribute(SignedIn.ATTRIBUTE, new SignedIn(s, user.get(), token.get()));
    context.setAuthentication(new BulwarkAuthentication(s.userId(), s.levelAt(clock.instant()), s.factors(), s.id(),
        user.get().roles().stream().sorted().map(r -> new SimpleGrantedAuthority("ROLE_" + r)).toList()));
    return context;
  }

  @Override
  @Deprecated
  public SecurityContext loadContext(HttpRequestResponseHolder holder) {
    return load(holder.getRequest());
  }

  /** Nothing to save: the cookie is written when a session is issued ({@link #write}). */
  @Override
  public void saveContext(SecurityContext context, HttpServletRequest request, HttpServletResponse response) {
    // Stateless: the session lives in authn's store, its token in the cookie.
  }

  @Override
  public boolean containsContext(HttpServletRequest request) {
    return token(request).isPresent();
  }

  /** Sets the cookie to a newly issued (or elevated, rotated) session's token. */
  static void write(HttpServletRequest request, HttpServletResponse response, IssuedSession issued) {
    response.addHeader("Set-Cookie", cookie(request, issued.token().reveal(), -1).toString());
  }

  /** Clears the cookie. */
  static void clear(HttpServletRequest request, HttpServletResponse response) {
    response.addHeader("Set-Cookie", cookie(request, "", 0).toString());
  }

  private static ResponseCookie cookie(HttpServletRequest request, String value, long maxAge) {
    return ResponseCookie.from(COOKIE, value).path("/").httpOnly(true).sameSite("Strict").secure(request.isSecure())
        .maxAge(maxAge).build();
  }
}
