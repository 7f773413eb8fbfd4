package dev.bulwark.spring.security;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.SessionException;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.webauthn.WebAuthnLogin;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.security.authentication.AuthenticationTrustResolver;
import org.springframework.security.authentication.AuthenticationTrustResolverImpl;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.DeferredSecurityContext;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.authentication.logout.LogoutHandler;
import org.springframework.security.web.context.HttpRequestResponseHolder;
import org.springframework.security.web.context.SecurityContextRepository;

/**
 * Bulwark sessions as Spring Security's session mechanism, without any {@code HttpSession}: the
 * browser holds the session's opaque token in a cookie ({@link BulwarkSessionCookie}), and every
 * request validates it through {@link Sessions} (idle and absolute timeouts, revocation), once per
 * request, into a {@link BulwarkAuthentication} with the session's level, factors and their
 * times, id and authorities (stored with the session at login, so no request reads roles again).
 * A missing, malformed, forged, expired or revoked token, or two cookies of that name, leave the
 * request anonymous.
 *
 * <p>Plug it into the filter chain:
 *
 * <pre>{@code
 * import org.springframework.security.config.annotation.web.builders.HttpSecurity;
 * import org.springframework.security.config.http.SessionCreationPolicy;
 *
 * // Given: HttpSecurity http, BulwarkSecurityContextRepository repository
 * http.securityContext(c -> c.securityContextRepository(repository))
 *     .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
 *     .logout(l -> l.addLogoutHandler(repository));
 * }</pre>
 *
 * <p>Saving: a {@link BulwarkAuthentication} made by {@link BulwarkAuthenticationProvider} or
 * {@link BulwarkAuthentication#issued} carries a session issued during this request, and saving it
 * writes that new token to the cookie (the token the request came with is never kept: a login
 * revokes the browser's previous session, so a planted token cannot be fixed on the victim).
 * Saving an empty or anonymous context, and {@link #logout}, revoke the browser's session on the
 * server and clear the cookie. Any other {@code Authentication} is not kept (only Bulwark logins
 * become Bulwark sessions). {@link #elevate} and {@link #rotate} issue a new token for the current
 * session and kill the old one. Thread-safe.
 */
public final class BulwarkSecurityContextRepository implements SecurityContextRepository, LogoutHandler {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.spring");
  private static final String STATE = BulwarkSecurityContextRepository.class.getName() + ".STATE";
  private static final State NONE = new State(null, null);
  /** Signed out in this request: later saves and logout handlers have nothing more to do. */
  private static final State FORGOTTEN = new State(null, null);

  private final Sessions sessions;
  private final BulwarkSessionCookie cookie;
  private final InstantSource clock;
  private final AuthenticationTrustResolver trust = new AuthenticationTrustResolverImpl();
  private final AtomicBoolean warnedForeign = new AtomicBoolean();
  private volatile SecurityContextHolderStrategy strategy = SecurityContextHolder.getContextHolderStrategy();

  public BulwarkSecurityContextRepository(Sessions sessions, BulwarkSessionCookie cookie, InstantSource clock) {
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.cookie = Objects.requireNonNull(cookie, "cookie");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The holder strategy whose context {@link #elevate} and {@link #rotate} update (default: the global one). */
  public void setSecurityContextHolderStrategy(SecurityContextHolderStrategy strategy) {
    this.strategy = Objects.requireNonNull(strategy, "strategy");
  }

  Sessions sessions() {
    return sessions;
  }

  /** The cookie this repository reads and writes. */
  public BulwarkSessionCookie cookie() {
    return cookie;
  }

  /** The request's token and its live session; both null when the request has none. */
  private record State(String token, Session session) {}

  @Override
  public DeferredSecurityContext loadDeferredContext(HttpServletRequest request) {
    Objects.requireNonNull(request, "request");
    return new DeferredSecurityContext() {
      private SecurityContext context;

      @Override
      public SecurityContext get() {
        if (context == null) {
          context = load(request);
        }
        return context;
      }

      @Override
      public boolean isGenerated() {
        return state(request).session() == null;
      }
    };
  }

  /** {@inheritDoc} Prefer {@link #loadDeferredContext}, which validates only when the context is needed. */
  @Override
  @Deprecated
  @SuppressWarnings("deprecation")
  public SecurityContext loadContext(HttpRequestResponseHolder holder) {
    return load(holder.getRequest());
  }

  private SecurityContext load(HttpServletRequest request) {
    SecurityContext context = strategy.createEmptyContext();
    State st = state(request);
    if (st.session() != null) {
      context.setAuthentication(BulwarkAuthentication.of(st.session(), clock.instant()));
    }
    return context;
  }

  @Override
  public boolean containsContext(HttpServletRequest request) {
    return state(request).session() != null;
  }

  @Override
  public void saveContext(SecurityContext context, HttpServletRequest request, HttpServletResponse response) {
    Authentication auth = context == null ? null : context.getAuthentication();
    if (auth instanceof BulwarkAuthentication bulwark) {
      Optional<IssuedSession> issued = bulwark.takeIssued();
      if (issued.isEmpty()) {
        return; // the session the request came with, or one already handed out: nothing changes
      }
      State st = state(request);
      if (st.session() != null && !st.session().id().equals(issued.get().session().id())) {
        // A new login replaces the session this browser had; its token is never used again.
        sessions.revoke(st.token());
      }
      write(request, response, issued.get());
      return;
    }
    if (auth == null || trust.isAnonymous(auth) || !auth.isAuthenticated()) {
      forget(request, response);
      return;
    }
    if (warnedForeign.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, "an authentication of type {0} was not kept: only Bulwark logins "
          + "(BulwarkAuthenticationProvider, the WebAuthn endpoints, BulwarkAuthentication.issued) become Bulwark "
          + "sessions", auth.getClass().getName());
    }
  }

  /** Revokes the browser's Bulwark session on the server and clears its cookie. */
  @Override
  public void logout(HttpServletRequest request, HttpServletResponse response, Authentication authentication) {
    forget(request, response);
  }

  /**
   * The live Bulwark session of this request (validated once per request), or empty when the
   * request is anonymous.
   */
  public Optional<Session> session(HttpServletRequest request) {
    return Optional.ofNullable(state(request).session());
  }

  /**
   * Step-up with a passkey for the signed-in user ({@link Sessions#elevate(String, WebAuthnLogin)}):
   * records the factor at the level the credential proved, issues a new token (the old one dies),
   * writes it to the cookie and puts the new authentication in the current security context.
   *
   * @throws SessionException {@code UNKNOWN} when the request has no live session, or as
   *     {@code Sessions.elevate} throws
   * @throws IllegalArgumentException when the proof is for another user than the session's
   */
  public BulwarkAuthentication elevate(HttpServletRequest request, HttpServletResponse response, WebAuthnLogin proof)
      throws SessionException {
    Objects.requireNonNull(proof, "proof");
    State st = live(request);
    if (!st.session().userId().equals(proof.username())) {
      throw new IllegalArgumentException("the passkey belongs to another account than the session");
    }
    return replaced(request, response, sessions.elevate(st.token(), proof));
  }

  /**
   * Step-up with another factor the host verified itself (a TOTP code, say), as
   * {@link Sessions#elevate(String, Factor, Instant, AssuranceLevel)}: new token in the cookie, new
   * authentication in the current security context.
   */
  public BulwarkAuthentication elevate(HttpServletRequest request, HttpServletResponse response, Factor factor,
      Instant verifiedAt, AssuranceLevel level) throws SessionException {
    State st = live(request);
    return replaced(request, response, sessions.elevate(st.token(), factor, verifiedAt, level));
  }

  /** A new token for the current session (call it when the session's privileges change). */
  public BulwarkAuthentication rotate(HttpServletRequest request, HttpServletResponse response) throws SessionException {
    State st = live(request);
    return replaced(request, response, sessions.rotate(st.token()));
  }

  private State live(HttpServletRequest request) throws SessionException {
    State st = state(request);
    if (st.session() == null) {
      throw new SessionException(SessionException.Reason.UNKNOWN, "the request has no live Bulwark session");
    }
    return st;
  }

  private BulwarkAuthentication replaced(HttpServletRequest request, HttpServletResponse response, IssuedSession issued) {
    write(request, response, issued);
    BulwarkAuthentication auth = BulwarkAuthentication.of(issued.session(), clock.instant());
    SecurityContext context = strategy.createEmptyContext();
    context.setAuthentication(auth);
    strategy.setContext(context);
    return auth;
  }

  private void write(HttpServletRequest request, HttpServletResponse response, IssuedSession issued) {
    String token = issued.token().reveal();
    issued.token().destroy();
    response.addHeader("Set-Cookie", cookie.setHeader(token));
    request.setAttribute(STATE, new State(token, issued.session()));
  }

  private void forget(HttpServletRequest request, HttpServletResponse response) {
    State st = state(request);
    if (st == FORGOTTEN) {
      return;
    }
    String token = st.token() != null ? st.token() : presented(request);
    if (token != null) {
      sessions.revoke(token);
    }
    if (token != null || presentedCount(request) > 0) {
      response.addHeader("Set-Cookie", cookie.clearHeader());
    }
    request.setAttribute(STATE, FORGOTTEN);
  }

  private State state(HttpServletRequest request) {
    if (request.getAttribute(STATE) instanceof State st) {
      return st;
    }
    State st = read(request);
    request.setAttribute(STATE, st);
    return st;
  }

  private State read(HttpServletRequest request) {
    String token = presented(request);
    if (token == null) {
      return NONE;
    }
    try {
      return new State(token, sessions.validate(token));
    } catch (SessionException e) {
      return NONE; // malformed, unknown (forged, revoked, rotated away) or expired: anonymous
    }
  }

  /** The one session cookie of the request; null when there is none or more than one. */
  private String presented(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return null;
    }
    String value = null;
    for (Cookie c : cookies) {
      if (cookie.name().equals(c.getName())) {
        if (value != null) {
          return null; // a second cookie of this name was planted beside ours: trust neither
        }
        value = c.getValue();
      }
    }
    return value;
  }

  private int presentedCount(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    int n = 0;
    if (cookies != null) {
      for (Cookie c : cookies) {
        if (cookie.name().equals(c.getName())) {
          n++;
        }
      }
    }
    return n;
  }
}
