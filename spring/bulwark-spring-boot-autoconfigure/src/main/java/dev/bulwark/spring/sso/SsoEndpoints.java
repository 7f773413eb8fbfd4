package dev.bulwark.spring.sso;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.SessionException;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.spring.security.BulwarkAuthentication;
import dev.bulwark.spring.sso.internal.SealedCookie;
import dev.bulwark.sso.Protocol;
import dev.bulwark.sso.SsoAssuranceLevel;
import dev.bulwark.sso.SsoRefusedException;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.sso.oidc.AuthorizationStart;
import dev.bulwark.sso.oidc.OidcRelyingParty;
import dev.bulwark.sso.oidc.OidcSignIn;
import dev.bulwark.sso.oidc.PendingAuthorization;
import dev.bulwark.sso.oidc.ProviderMetadata;
import dev.bulwark.sso.saml.IdpLogout;
import dev.bulwark.sso.saml.SamlRedirect;
import dev.bulwark.sso.saml.SamlServiceProvider;
import dev.bulwark.sso.saml.SentRequest;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.ResponseCookie;

/**
 * The single sign-on endpoints under {@code /sso/}, served by the filters {@link
 * BulwarkSsoConfigurer} adds to every Spring Security filter chain:
 *
 * <ul>
 *   <li>{@code GET /sso/<id>/login[?target=/path]}: a SAML {@code AuthnRequest} (HTTP-Redirect) or
 *       an OIDC authorization request (PKCE S256, {@code state}, {@code nonce}); what the answer
 *       must match is sealed into a short-lived, encrypted, HttpOnly cookie (no HTTP session);
 *   <li>{@code POST /sso/<id>/acs} (SAML response), {@code GET /sso/<id>/callback} (OIDC): the
 *       protocol checks of {@code bulwark-sso}, then the {@link SsoAccountMapper}, then a Bulwark
 *       session at the level the identity provider's authentication context maps to (at most
 *       AAL2: a federated login never proves AAL3 here, so AAL3 pages still ask for a local
 *       passkey), saved by the {@link SsoSessionBinder};
 *   <li>{@code GET /sso/<id>/metadata}: the SAML service provider's metadata;
 *   <li>{@code POST /sso/logout} (behind Spring Security's CSRF check): ends the Bulwark session
 *       and, when it came from single sign-on, the identity provider's (SAML {@code LogoutRequest},
 *       OIDC RP-initiated logout), which returns to {@code /sso/<id>/slo} or {@code
 *       /sso/<id>/logged-out}; {@code /sso/<id>/slo} also answers the identity provider's own
 *       {@code LogoutRequest}.
 * </ul>
 *
 * <p>Every sign-in is one security event ({@code authn_login_success} for the local account, or
 * {@code authn_login_fail} with the reason: a {@link dev.bulwark.sso.RefusalReason} or a {@link
 * SsoRefusal}); a refused logout answer is {@code authn_token_invalid}. Every refusal gets the same
 * generic answer: no reason, no stack trace. Thread-safe.
 */
public final class SsoEndpoints {

  static final String STATE_COOKIE = "bulwark_sso_state";
  static final String LOGIN_COOKIE = "bulwark_sso_login";
  private static final Pattern PATH = Pattern.compile("/sso/([a-z0-9][a-z0-9-]{0,31})/(login|acs|metadata|slo|callback|logged-out)");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final System.Logger LOG = System.getLogger("dev.bulwark.spring.sso");

  /**
   * @param stateTtl how long a started sign-in may take at the identity provider
   * @param successUrl where a sign-in without {@code target} ends (a local path)
   * @param logoutSuccessUrl where a logout ends (a local path)
   * @param failureUrl where a refused sign-in is redirected; empty: a generic page (HTTP 401)
   */
  public record Settings(Duration stateTtl, String successUrl, String logoutSuccessUrl, Optional<String> failureUrl) {
    public Settings {
      Objects.requireNonNull(stateTtl, "stateTtl");
      if (stateTtl.isNegative() || stateTtl.isZero() || stateTtl.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("state TTL must be positive and at most 1 hour");
      }
      if (!localPath(successUrl) || !localPath(logoutSuccessUrl) || failureUrl.map(u -> !localPath(u)).orElse(false)) {
        throw new IllegalArgumentException("success, logout-success and failure URLs must be local paths (/...)");
      }
    }
  }

  private final SsoRegistrations registrations;
  private final SsoAccountMapper mapper;
  private final Sessions sessions;
  private final SecurityEventListener events;
  private final SealedCookie cookies;
  private final Settings settings;
  private final Clock clock;

  public SsoEndpoints(SsoRegistrations registrations, SsoAccountMapper mapper, Sessions sessions,
      SecurityEventListener events, byte[] cookieKey, Settings settings, Clock clock) {
    this.registrations = Objects.requireNonNull(registrations, "registrations");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.events = Objects.requireNonNull(events, "events");
    this.cookies = new SealedCookie(cookieKey);
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public SsoRegistrations registrations() {
    return registrations;
  }

  static boolean localPath(String p) {
    return p != null && p.length() <= 1024 && p.startsWith("/") && !p.startsWith("//") && !p.startsWith("/\\")
        && p.chars().noneMatch(c -> c < 0x21 || c == 0x7f || c == '\\');
  }

  private static String path(HttpServletRequest req) {
    String uri = req.getRequestURI();
    String ctx = req.getContextPath();
    return uri.startsWith(ctx) ? uri.substring(ctx.length()) : uri;
  }

  /** True when the request is for one of the per-registration endpoints, which are then handled. */
  boolean handleFlow(HttpServletRequest req, HttpServletResponse resp, SsoSessionBinder binder) throws IOException {
    Matcher m = PATH.matcher(path(req));
    if (!m.matches()) {
      return false;
    }
    Optional<SsoRegistration> found = registrations.find(m.group(1));
    if (found.isEmpty()) {
      resp.sendError(HttpServletResponse.SC_NOT_FOUND);
      return true;
    }
    SsoRegistration reg = found.get();
    noStore(resp);
    switch (m.group(2)) {
      case "login" -> login(reg, req, resp);
      case "acs" -> acs(reg, req, resp, binder);
      case "callback" -> callback(reg, req, resp, binder);
      case "metadata" -> metadata(reg, req, resp);
      case "slo" -> slo(reg, req, resp, binder);
      default -> loggedOut(reg, req, resp);
    }
    return true;
  }

  /** True when the request is the logout endpoint, which is then handled. */
  boolean handleLogout(HttpServletRequest req, HttpServletResponse resp, SsoSessionBinder binder) throws IOException {
    if (!"/sso/logout".equals(path(req))) {
      return false;
    }
    noStore(resp);
    if (!"POST".equals(req.getMethod())) {
      resp.setHeader("Allow", "POST");
      resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
      return true;
    }
    logout(req, resp, binder);
    return true;
  }

  // ---- sign-in ------------------------------------------------------------------------------

  private void login(SsoRegistration reg, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (!"GET".equals(req.getMethod())) {
      refuse(reg, SsoRefusal.BAD_REQUEST.name(), req, resp);
      return;
    }
    String target = Optional.ofNullable(req.getParameter("target")).filter(SsoEndpoints::localPath)
        .orElse(settings.successUrl());
    String now = Long.toString(clock.instant().getEpochSecond());
    URI location;
    List<String> state;
    try {
      if (reg.protocol() == Protocol.SAML2) {
        SamlRedirect go = reg.samlProvider().authnRequestRedirect("");
        state = List.of("saml", reg.id(), now, go.request().id(), Long.toString(go.request().issuedAt().getEpochSecond()),
            target);
        location = go.location();
      } else {
        AuthorizationStart start = reg.relyingParty().begin();
        PendingAuthorization p = start.pending();
        state = List.of("oidc", reg.id(), now, p.state(), p.nonce(), p.revealCodeVerifier(), target);
        location = start.location();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "single sign-on {0} is unavailable: {1}", reg.id(), e.getClass().getName());
      refuse(reg, SsoRefusal.PROVIDER_UNAVAILABLE.name(), req, resp);
      return;
    }
    setCookie(resp, STATE_COOKIE, cookies.seal(STATE_COOKIE, state), settings.stateTtl());
    resp.sendRedirect(location.toString());
  }

  /** The sealed state of a sign-in or logout started by this browser for {@code reg}, if valid. */
  private Optional<List<String>> state(HttpServletRequest req, String kind, SsoRegistration reg, int fields) {
    return cookie(req, STATE_COOKIE).flatMap(v -> cookies.open(STATE_COOKIE, v))
        .filter(f -> f.size() == fields && f.get(0).equals(kind) && f.get(1).equals(reg.id()))
        .filter(f -> {
          try {
            Instant at = Instant.ofEpochSecond(Long.parseLong(f.get(2)));
            Instant now = clock.instant();
            return !at.isAfter(now.plusSeconds(60)) && now.isBefore(at.plus(settings.stateTtl()));
          } catch (RuntimeException e) {
            return false;
          }
        });
  }

  private void acs(SsoRegistration reg, HttpServletRequest req, HttpServletResponse resp, SsoSessionBinder binder)
      throws IOException {
    String samlResponse = req.getParameter("SAMLResponse");
    if (reg.protocol() != Protocol.SAML2 || !"POST".equals(req.getMethod()) || samlResponse == null) {
      refuse(reg, SsoRefusal.BAD_REQUEST.name(), req, resp);
      return;
    }
    Optional<List<String>> state = state(req, "saml", reg, 6);
    if (state.isEmpty()) {
      refuse(reg, SsoRefusal.STATE_INVALID.name(), req, resp);
      return;
    }
    List<String> s = state.get();
    SamlServiceProvider sp;
    try {
      sp = reg.samlProvider();
    } catch (RuntimeException e) {
      refuse(reg, SsoRefusal.PROVIDER_UNAVAILABLE.name(), req, resp);
      return;
    }
    VerifiedIdentity identity;
    try {
      identity = sp.validate(samlResponse, new SentRequest(s.get(3), Instant.ofEpochSecond(Long.parseLong(s.get(4)))));
    } catch (SsoRefusedException e) {
      refuse(reg, e.reason().name(), req, resp);
      return;
    }
    complete(reg, identity, "", s.get(5), req, resp, binder);
  }

  private void callback(SsoRegistration reg, HttpServletRequest req, HttpServletResponse resp,
      SsoSessionBinder binder) throws IOException {
    if (reg.protocol() != Protocol.OIDC || !"GET".equals(req.getMethod()) || req.getQueryString() == null) {
      refuse(reg, SsoRefusal.BAD_REQUEST.name(), req, resp);
      return;
    }
    Optional<List<String>> state = state(req, "oidc", reg, 7);
    if (state.isEmpty()) {
      refuse(reg, SsoRefusal.STATE_INVALID.name(), req, resp);
      return;
    }
    List<String> s = state.get();
    URI redirectUri = registrations.callback(reg.id());
    OidcSignIn in;
    try {
      OidcRelyingParty rp = reg.relyingParty();
      in = rp.complete(URI.create(redirectUri + "?" + req.getQueryString()),
          new PendingAuthorization(s.get(3), s.get(4), s.get(5), redirectUri));
    } catch (SsoRefusedException e) {
      refuse(reg, e.reason().name(), req, resp);
      return;
    } catch (RuntimeException e) {
      refuse(reg, SsoRefusal.PROVIDER_UNAVAILABLE.name(), req, resp);
      return;
    }
    complete(reg, in.identity(), in.revealIdToken(), s.get(6), req, resp, binder);
  }

  private void complete(SsoRegistration reg, VerifiedIdentity identity, String idToken, String target,
      HttpServletRequest req, HttpServletResponse resp, SsoSessionBinder binder) throws IOException {
    Optional<SsoAccount> account;
    try {
      account = Objects.requireNonNull(mapper.map(reg.id(), identity), "mapper answered null");
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "the SSO account mapper failed for {0}: {1}", reg.id(), e.getClass().getName());
      refuse(reg, SsoRefusal.ACCOUNT_ERROR.name(), req, resp);
      return;
    }
    if (account.isEmpty()) {
      refuse(reg, SsoRefusal.ACCOUNT_REFUSED.name(), req, resp);
      return;
    }
    String accountId = account.get().accountId();
    AssuranceLevel level = level(identity.assurance());
    Instant now = clock.instant();
    Instant at = identity.authenticatedAt().isAfter(now) ? now : identity.authenticatedAt();
    Map<Factor, Instant> factors = new EnumMap<>(Factor.class);
    factors.put(Factor.FEDERATED, at);
    java.util.Set<String> authorities = new java.util.TreeSet<>();
    account.get().roles().forEach(r -> authorities.add("ROLE_" + r));
    IssuedSession issued;
    try {
      // The roles go with the session, so a request restored from it needs no directory lookup.
      issued = sessions.create(accountId, level, factors, authorities);
    } catch (SessionException | RuntimeException e) {
      refuse(reg, SsoRefusal.SESSION_REFUSED.name(), req, resp);
      return;
    }
    BulwarkAuthentication auth = BulwarkAuthentication.issued(issued, now);
    auth.setDetails(new SsoSignInDetails(reg.id(), reg.protocol(), identity.issuer(), identity.subject()));
    binder.signIn(auth, issued, req, resp);
    String loginValue;
    try {
      loginValue = cookies.seal(LOGIN_COOKIE, List.of("login", reg.id(), issued.session().id(), identity.issuer(),
          identity.subject(), identity.sessionIndex(), idToken));
    } catch (IllegalArgumentException tooLarge) {
      // An ID token too large for a cookie: signed in, but logout cannot end the IdP session.
      loginValue = cookies.seal(LOGIN_COOKIE, List.of("login", reg.id(), issued.session().id(), identity.issuer(),
          identity.subject(), identity.sessionIndex(), ""));
    }
    clearCookie(resp, STATE_COOKIE);
    setCookie(resp, LOGIN_COOKIE, loginValue, null);
    Map<String, String> details = details(reg);
    details.put("aal", level.name());
    details.put("factor", Factor.FEDERATED.name());
    details.put("idp_subject", identity.subject());
    emit(SecurityEventType.LOGIN_SUCCESS, Optional.of(accountId), req, details);
    resp.sendRedirect(req.getContextPath() + target);
  }

  /** A federated login proves at most AAL2 in Bulwark (only a local device-bound passkey proves AAL3). */
  static AssuranceLevel level(SsoAssuranceLevel idp) {
    return idp == SsoAssuranceLevel.AAL1 ? AssuranceLevel.AAL1 : AssuranceLevel.AAL2;
  }

  private void metadata(SsoRegistration reg, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (reg.protocol() != Protocol.SAML2 || !"GET".equals(req.getMethod())) {
      resp.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    String xml;
    try {
      xml = reg.samlProvider().metadata();
    } catch (RuntimeException e) {
      resp.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
      return;
    }
    resp.setContentType("application/samlmetadata+xml;charset=UTF-8");
    resp.getOutputStream().write(xml.getBytes(StandardCharsets.UTF_8));
  }

  // ---- logout -------------------------------------------------------------------------------

  private void logout(HttpServletRequest req, HttpServletResponse resp, SsoSessionBinder binder) throws IOException {
    Optional<BulwarkAuthentication> current = binder.current(req, resp)
        .filter(BulwarkAuthentication.class::isInstance).map(BulwarkAuthentication.class::cast);
    Optional<List<String>> login = cookie(req, LOGIN_COOKIE).flatMap(v -> cookies.open(LOGIN_COOKIE, v))
        .filter(f -> f.size() == 7 && f.get(0).equals("login"))
        .filter(f -> current.map(a -> a.sessionId().equals(f.get(2))).orElse(false));
    current.ifPresent(a -> sessions.revoke(a.getName(), a.sessionId()));
    binder.signOut(req, resp);
    clearCookie(resp, LOGIN_COOKIE);
    String done = req.getContextPath() + settings.logoutSuccessUrl();
    if (login.isEmpty()) {
      resp.sendRedirect(done);
      return;
    }
    List<String> l = login.get();
    Optional<SsoRegistration> reg = registrations.find(l.get(1));
    if (reg.isEmpty()) {
      resp.sendRedirect(done);
      return;
    }
    String now = Long.toString(clock.instant().getEpochSecond());
    try {
      if (reg.get().protocol() == Protocol.SAML2) {
        SamlServiceProvider sp = reg.get().samlProvider();
        if (sp.identityProvider().singleLogoutRedirect().isEmpty()) {
          resp.sendRedirect(done);
          return;
        }
        VerifiedIdentity who = new VerifiedIdentity(Protocol.SAML2, l.get(3), l.get(4), Map.of(), "",
            SsoAssuranceLevel.AAL1, clock.instant(), l.get(5));
        SamlRedirect out = sp.logoutRequest(who, "");
        setCookie(resp, STATE_COOKIE, cookies.seal(STATE_COOKIE, List.of("saml-logout", reg.get().id(), now,
            out.request().id(), Long.toString(out.request().issuedAt().getEpochSecond()))), settings.stateTtl());
        resp.sendRedirect(out.location().toString());
      } else {
        ProviderMetadata md = reg.get().providerMetadata();
        if (md.endSessionEndpoint().isEmpty() || l.get(6).isEmpty()) {
          resp.sendRedirect(done);
          return;
        }
        String state = random();
        setCookie(resp, STATE_COOKIE, cookies.seal(STATE_COOKIE, List.of("oidc-logout", reg.get().id(), now, state)),
            settings.stateTtl());
        String end = md.endSessionEndpoint().get().toString();
        resp.sendRedirect(end + (end.contains("?") ? "&" : "?") + "id_token_hint=" + enc(l.get(6))
            + "&post_logout_redirect_uri=" + enc(registrations.loggedOut(reg.get().id()).toString())
            + "&state=" + enc(state));
      }
    } catch (RuntimeException e) {
      // The local session has ended; the identity provider's could not be reached.
      LOG.log(System.Logger.Level.WARNING, "single logout at {0} is unavailable: {1}", reg.get().id(),
          e.getClass().getName());
      resp.sendRedirect(done);
    }
  }

  private void slo(SsoRegistration reg, HttpServletRequest req, HttpServletResponse resp, SsoSessionBinder binder)
      throws IOException {
    boolean post = "POST".equals(req.getMethod());
    if (reg.protocol() != Protocol.SAML2 || !(post || "GET".equals(req.getMethod()))) {
      refuse(reg, SsoRefusal.BAD_REQUEST.name(), req, resp);
      return;
    }
    SamlServiceProvider sp;
    try {
      sp = reg.samlProvider();
    } catch (RuntimeException e) {
      refuse(reg, SsoRefusal.PROVIDER_UNAVAILABLE.name(), req, resp);
      return;
    }
    String samlRequest = req.getParameter("SAMLRequest");
    if (samlRequest != null) {
      idpLogout(reg, sp, post, samlRequest, req, resp, binder);
      return;
    }
    String samlResponse = req.getParameter("SAMLResponse");
    Optional<List<String>> state = state(req, "saml-logout", reg, 5);
    clearCookie(resp, STATE_COOKIE);
    if (samlResponse == null || state.isEmpty()) {
      logoutRefused(reg, samlResponse == null ? SsoRefusal.BAD_REQUEST.name() : SsoRefusal.STATE_INVALID.name(), req,
          resp);
      return;
    }
    SentRequest sent = new SentRequest(state.get().get(3), Instant.ofEpochSecond(Long.parseLong(state.get().get(4))));
    try {
      if (post) {
        sp.validateLogoutResponsePost(samlResponse, sent);
      } else {
        sp.validateLogoutResponse(req.getQueryString(), sent);
      }
    } catch (SsoRefusedException e) {
      logoutRefused(reg, e.reason().name(), req, resp);
      return;
    }
    resp.sendRedirect(req.getContextPath() + settings.logoutSuccessUrl());
  }

  private void idpLogout(SsoRegistration reg, SamlServiceProvider sp, boolean post, String samlRequest,
      HttpServletRequest req, HttpServletResponse resp, SsoSessionBinder binder) throws IOException {
    String issuer = sp.identityProvider().entityId();
    List<String> ended = new ArrayList<>();
    IdpLogout out;
    try {
      dev.bulwark.sso.saml.SessionTerminator terminator = (subject, indexes) -> {
        Optional<String> account = mapper.linkedAccount(reg.id(), issuer, subject);
        account.ifPresent(ended::add);
        return account.map(sessions::revokeAll).orElse(0);
      };
      out = post
          ? sp.handleLogoutRequestPost(samlRequest, Optional.ofNullable(req.getParameter("RelayState")).orElse(""),
              terminator)
          : sp.handleLogoutRequest(req.getQueryString(), terminator);
    } catch (SsoRefusedException e) {
      logoutRefused(reg, e.reason().name(), req, resp);
      return;
    } catch (IllegalStateException e) {
      // No signing key or logout endpoint configured: this service provider cannot answer.
      logoutRefused(reg, SsoRefusal.BAD_REQUEST.name(), req, resp);
      return;
    }
    Optional<BulwarkAuthentication> current = binder.current(req, resp)
        .filter(BulwarkAuthentication.class::isInstance).map(BulwarkAuthentication.class::cast);
    if (current.isPresent() && ended.contains(current.get().getName())) {
      binder.signOut(req, resp);
      clearCookie(resp, LOGIN_COOKIE);
    }
    resp.sendRedirect(out.responseLocation().toString());
  }

  private void loggedOut(SsoRegistration reg, HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Optional<List<String>> state = state(req, "oidc-logout", reg, 4);
    clearCookie(resp, STATE_COOKIE);
    String returned = req.getParameter("state");
    if (reg.protocol() != Protocol.OIDC || state.isEmpty() || returned == null
        || !java.security.MessageDigest.isEqual(returned.getBytes(StandardCharsets.UTF_8),
            state.get().get(3).getBytes(StandardCharsets.UTF_8))) {
      logoutRefused(reg, SsoRefusal.STATE_INVALID.name(), req, resp);
      return;
    }
    resp.sendRedirect(req.getContextPath() + settings.logoutSuccessUrl());
  }

  // ---- answers ------------------------------------------------------------------------------

  private Map<String, String> details(SsoRegistration reg) {
    Map<String, String> d = new HashMap<>();
    d.put("method", "sso");
    d.put("protocol", reg.protocol() == Protocol.SAML2 ? "saml2" : "oidc");
    d.put("registration", reg.id());
    return d;
  }

  private void refuse(SsoRegistration reg, String reason, HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    Map<String, String> d = details(reg);
    d.put("reason", reason);
    emit(SecurityEventType.LOGIN_FAIL, Optional.empty(), req, d);
    clearCookie(resp, STATE_COOKIE);
    failurePage(req, resp);
  }

  private void logoutRefused(SsoRegistration reg, String reason, HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    Map<String, String> d = details(reg);
    d.put("kind", "sso_logout");
    d.put("reason", reason);
    emit(SecurityEventType.TOKEN_INVALID, Optional.empty(), req, d);
    failurePage(req, resp);
  }

  /** The one answer every refusal gets, whatever the reason. */
  private void failurePage(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (settings.failureUrl().isPresent()) {
      resp.sendRedirect(req.getContextPath() + settings.failureUrl().get());
      return;
    }
    resp.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
    resp.setContentType("text/html;charset=UTF-8");
    resp.getOutputStream().write(("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Sign-in failed</title>"
        + "</head><body><h1>Sign-in failed</h1><p>The sign-in could not be completed. Please try again.</p>"
        + "<p><a href=\"" + req.getContextPath() + settings.successUrl().replace("\"", "%22")
        + "\">Continue</a></p></body></html>").getBytes(StandardCharsets.UTF_8));
  }

  private void emit(String type, Optional<String> subject, HttpServletRequest req, Map<String, String> details) {
    try {
      events.onEvent(new SecurityEvent(type, subject, clock.instant(), Optional.ofNullable(req.getRemoteAddr()),
          details));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "an SSO security event could not be recorded: {0}", e.getClass().getName());
      if (SecurityEventType.LOGIN_SUCCESS.equals(type)) {
        throw e;
      }
    }
  }

  private static void noStore(HttpServletResponse resp) {
    resp.setHeader("Cache-Control", "no-store");
    resp.setHeader("Pragma", "no-cache");
  }

  private static Optional<String> cookie(HttpServletRequest req, String name) {
    Cookie[] all = req.getCookies();
    if (all == null) {
      return Optional.empty();
    }
    for (Cookie c : all) {
      if (name.equals(c.getName())) {
        return Optional.of(c.getValue());
      }
    }
    return Optional.empty();
  }

  private void setCookie(HttpServletResponse resp, String name, String value, Duration maxAge) {
    ResponseCookie.ResponseCookieBuilder b = ResponseCookie.from(name, value).path(cookiePath()).httpOnly(true)
        .secure(registrations.secure()).sameSite(registrations.secure() ? "None" : "Lax");
    if (maxAge != null) {
      b.maxAge(maxAge);
    }
    resp.addHeader("Set-Cookie", b.build().toString());
  }

  private void clearCookie(HttpServletResponse resp, String name) {
    setCookie(resp, name, "", Duration.ZERO);
  }

  private String cookiePath() {
    String p = registrations.baseUrl().getRawPath();
    return (p == null ? "" : p) + "/sso";
  }

  private static String random() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "SsoEndpoints" + registrations.all();
  }
}
