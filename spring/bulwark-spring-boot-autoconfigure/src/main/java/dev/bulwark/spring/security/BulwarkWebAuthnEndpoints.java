package dev.bulwark.spring.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.MfaPolicy;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.SessionException;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.stepup.StepUp;
import dev.bulwark.authn.stepup.StepUpDecision;
import dev.bulwark.authn.stepup.StepUpRequirement;
import dev.bulwark.authn.webauthn.Ceremony;
import dev.bulwark.authn.webauthn.StoredCredential;
import dev.bulwark.authn.webauthn.WebAuthn;
import dev.bulwark.authn.webauthn.WebAuthnException;
import dev.bulwark.authn.webauthn.WebAuthnLogin;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;

/**
 * WebAuthn registration and sign-in as four JSON endpoints (all {@code POST},
 * {@code Content-Type: application/json}) under a base path, default {@value #DEFAULT_BASE_PATH}:
 *
 * <ul>
 *   <li>{@code /register/options} ({@code {}} or {@code {"displayName": "..."}}) and
 *       {@code /register/finish} ({@code {"ceremonyId": "...", "credential": <credential.toJSON()>}}):
 *       a new passkey for the signed-in user, only while a second factor verified within
 *       {@code registrationMaxAge} backs the session (authn's {@link StepUp} check at AAL2), so a
 *       stolen session cookie alone cannot add the thief's passkey; otherwise {@code 403
 *       {"error":"step_up_required", "reason", "level", "maxAgeSeconds", "factors"}}.
 *   <li>{@code /authenticate/options} ({@code {}}) and {@code /authenticate/finish}: a passkey
 *       sign-in that ends in a new Bulwark session at the level the credential proves (saved by
 *       {@link BulwarkSecurityContextRepository}); for a signed-in user the same ceremony is a
 *       step-up ({@link Sessions#elevate(String, WebAuthnLogin)}: new token, old one dead).
 *       Anonymous options never depend on a username, and every failed sign-in answers the same
 *       {@code 401 {"error":"authentication_failed"}}, so nothing tells whether an account exists.
 * </ul>
 *
 * <p>Options answer {@code {"ceremonyId": "...", "options": {"publicKey": {...}}}}; pass
 * {@code options.publicKey} to {@code PublicKeyCredential.parseCreationOptionsFromJSON} /
 * {@code parseRequestOptionsFromJSON}. The body is limited ({@code 413 request_too_large}) before
 * it is parsed; malformed JSON, a missing or unknown field is {@code 400 malformed_request}; no
 * answer carries a stack trace; responses are {@code Cache-Control: no-store}. These endpoints run
 * inside the host's Spring Security filter chain after its {@code CsrfFilter}, so state-changing
 * requests need the CSRF token (header {@code X-CSRF-TOKEN} by default, {@code X-XSRF-TOKEN} with
 * {@code CookieCsrfTokenRepository}). Events (registration, sign-in, failures, sessions, step-up)
 * are recorded by authn's services through their listener. Apply with
 * {@link BulwarkWebAuthnConfigurer}. Thread-safe.
 */
public final class BulwarkWebAuthnEndpoints {

  /** The default base path of the four endpoints. */
  public static final String DEFAULT_BASE_PATH = "/bulwark/webauthn";

  private static final System.Logger LOG = System.getLogger("dev.bulwark.spring");
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private static final int MAX_DISPLAY_NAME = 64;

  private final WebAuthn webauthn;
  private final BulwarkSecurityContextRepository repository;
  private final StepUp stepUp;
  private final AccountLookup accounts;
  private final MfaPolicy mfaPolicy;
  private final Clock clock;
  private final String basePath;
  private final Duration registrationMaxAge;
  private final int maxRequestBytes;

  private BulwarkWebAuthnEndpoints(Builder b) {
    this.webauthn = b.webauthn;
    this.repository = b.repository;
    this.stepUp = b.stepUp;
    this.accounts = b.accounts;
    this.mfaPolicy = b.mfaPolicy;
    this.clock = b.clock;
    this.basePath = b.basePath;
    this.registrationMaxAge = b.registrationMaxAge;
    this.maxRequestBytes = b.maxRequestBytes;
  }

  /**
   * A builder over authn's {@code webauthn} and {@code stepUp} services, the session repository
   * and a way to find accounts by id.
   */
  public static Builder builder(WebAuthn webauthn, BulwarkSecurityContextRepository repository, StepUp stepUp,
      AccountLookup accounts) {
    return new Builder(webauthn, repository, stepUp, accounts);
  }

  /** Builder; defaults: {@value #DEFAULT_BASE_PATH}, 5 minutes, 64 KiB, {@code MfaPolicy.adminsOnly()}. */
  public static final class Builder {
    private final WebAuthn webauthn;
    private final BulwarkSecurityContextRepository repository;
    private final StepUp stepUp;
    private final AccountLookup accounts;
    private MfaPolicy mfaPolicy = MfaPolicy.adminsOnly();
    private Clock clock = Clock.systemUTC();
    private String basePath = DEFAULT_BASE_PATH;
    private Duration registrationMaxAge = Duration.ofMinutes(5);
    private int maxRequestBytes = 64 * 1024;

    private Builder(WebAuthn webauthn, BulwarkSecurityContextRepository repository, StepUp stepUp,
        AccountLookup accounts) {
      this.webauthn = Objects.requireNonNull(webauthn, "webauthn");
      this.repository = Objects.requireNonNull(repository, "repository");
      this.stepUp = Objects.requireNonNull(stepUp, "stepUp");
      this.accounts = Objects.requireNonNull(accounts, "accounts");
    }

    /**
     * The second-factor policy of password logins: a passkey sign-in without user verification
     * (one factor, AAL1) is refused for an account it requires a second factor of.
     */
    public Builder mfaPolicy(MfaPolicy policy) {
      this.mfaPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where the endpoints live: {@code /} followed by path segments, no trailing slash. */
    public Builder basePath(String path) {
      Objects.requireNonNull(path, "path");
      if (!path.matches("(/[A-Za-z0-9._~-]+)+")) {
        throw new IllegalArgumentException("base path must be /segment[/segment...] of [A-Za-z0-9._~-]");
      }
      this.basePath = path;
      return this;
    }

    /** How recently a second factor must have been verified for a passkey to be registered (1s to 1h). */
    public Builder registrationMaxAge(Duration maxAge) {
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxAge.compareTo(Duration.ofSeconds(1)) < 0 || maxAge.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("registration max age must be between 1 second and 1 hour");
      }
      this.registrationMaxAge = maxAge;
      return this;
    }

    /** The largest request body read (1 KiB to 1 MiB); a larger one is refused unread. */
    public Builder maxRequestBytes(int bytes) {
      if (bytes < 1024 || bytes > 1024 * 1024) {
        throw new IllegalArgumentException("max request size must be between 1 KiB and 1 MiB");
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    public BulwarkWebAuthnEndpoints build() {
      return new BulwarkWebAuthnEndpoints(this);
    }
  }

  public String basePath() {
    return basePath;
  }

  public Duration registrationMaxAge() {
    return registrationMaxAge;
  }

  /** A servlet filter that answers the endpoints and passes every other request on. */
  public Filter filter(SecurityContextHolderStrategy strategy) {
    Objects.requireNonNull(strategy, "strategy");
    return new EndpointFilter(strategy);
  }

  /** A refusal with a status and a typed code. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final transient ObjectNode body;

    Refusal(int status, String code) {
      super(code, null, false, false);
      this.status = status;
      this.body = JSON.createObjectNode().put("error", code);
    }
  }

  private final class EndpointFilter implements Filter {
    private final SecurityContextHolderStrategy strategy;

    EndpointFilter(SecurityContextHolderStrategy strategy) {
      this.strategy = strategy;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
      if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
        chain.doFilter(req, res);
        return;
      }
      String path = (request.getServletPath() == null ? "" : request.getServletPath())
          + (request.getPathInfo() == null ? "" : request.getPathInfo());
      if (!path.startsWith(basePath + "/")) {
        chain.doFilter(request, response);
        return;
      }
      String endpoint = path.substring(basePath.length());
      if (!Set.of("/register/options", "/register/finish", "/authenticate/options", "/authenticate/finish")
          .contains(endpoint)) {
        chain.doFilter(request, response);
        return;
      }
      response.setHeader("Cache-Control", "no-store");
      try {
        if (!"POST".equals(request.getMethod())) {
          response.setHeader("Allow", "POST");
          throw new Refusal(405, "method_not_allowed");
        }
        JsonNode body = read(request);
        ObjectNode answer;
        switch (endpoint) {
          case "/register/options":
            answer = registerOptions(request, body);
            break;
          case "/register/finish":
            answer = registerFinish(request, body);
            break;
          case "/authenticate/options":
            answer = authenticateOptions(request, body);
            break;
          default:
            answer = authenticateFinish(request, response, body);
            break;
        }
        send(response, 200, answer);
      } catch (Refusal r) {
        send(response, r.status, r.body);
      } catch (RuntimeException e) {
        // A store outage or a bug: logged here, never shown to the client.
        LOG.log(System.Logger.Level.ERROR, "WebAuthn endpoint " + endpoint + " failed", e);
        send(response, 500, JSON.createObjectNode().put("error", "internal_error"));
      }
    }

    private Optional<Session> session(HttpServletRequest request) {
      SecurityContext context = strategy.getContext();
      if (context == null || !(context.getAuthentication() instanceof BulwarkAuthentication)) {
        return Optional.empty();
      }
      return repository.session(request);
    }

    private ObjectNode registerOptions(HttpServletRequest request, JsonNode body) throws Refusal {
      String displayName = displayName(fields(body, "displayName"));
      Session s = freshSecondFactor(request);
      Ceremony c = webauthn.startRegistration(s.userId(), displayName == null ? s.userId() : displayName,
          source(request));
      return ceremony(c);
    }

    private ObjectNode registerFinish(HttpServletRequest request, JsonNode body) throws Refusal {
      Map<String, JsonNode> f = fields(body, "ceremonyId", "credential");
      String ceremonyId = text(f.get("ceremonyId"));
      String credential = object(f.get("credential"));
      Session s = freshSecondFactor(request);
      StoredCredential stored;
      try {
        stored = webauthn.finishRegistration(ceremonyId, credential);
      } catch (WebAuthnException e) {
        Refusal r = new Refusal(400, "registration_failed");
        r.body.put("reason", e.reason().name());
        throw r;
      }
      if (!stored.username().equals(s.userId())) {
        // A ceremony started by another session: its passkey must not land on that account.
        webauthn.removeCredential(stored.username(), stored.credentialId());
        Refusal r = new Refusal(400, "registration_failed");
        r.body.put("reason", "CEREMONY_OF_ANOTHER_SESSION");
        throw r;
      }
      return JSON.createObjectNode().put("registered", true)
          .put("credentialId", stored.credentialId().base64Url());
    }

    /** The live session of a signed-in user whose second factor is recent enough, or a typed refusal. */
    private Session freshSecondFactor(HttpServletRequest request) throws Refusal {
      Session s = session(request).orElseThrow(() -> new Refusal(401, "authentication_required"));
      StepUpDecision d = stepUp.check(s, StepUpRequirement.of(AssuranceLevel.AAL2, registrationMaxAge));
      if (d instanceof StepUpDecision.Required required) {
        Refusal r = new Refusal(403, "step_up_required");
        r.body.put("reason", required.reason().name()).put("level", required.targetLevel().name())
            .put("maxAgeSeconds", registrationMaxAge.toSeconds());
        required.factors().forEach(factor -> r.body.withArray("factors").add(factor.name()));
        throw r;
      }
      return s;
    }

    private ObjectNode authenticateOptions(HttpServletRequest request, JsonNode body) throws Refusal {
      fields(body);
      // A signed-in user steps up with one of their own credentials; anyone else gets options that
      // name no account (a discoverable passkey answers), the same whoever asks.
      Optional<String> user = session(request).map(Session::userId);
      return ceremony(webauthn.startAuthentication(user, source(request)));
    }

    private ObjectNode authenticateFinish(HttpServletRequest request, HttpServletResponse response, JsonNode body)
        throws Refusal {
      Map<String, JsonNode> f = fields(body, "ceremonyId", "credential");
      String ceremonyId = text(f.get("ceremonyId"));
      String credential = object(f.get("credential"));
      WebAuthnLogin login;
      try {
        login = webauthn.finishAuthentication(ceremonyId, credential);
      } catch (WebAuthnException e) {
        throw new Refusal(401, "authentication_failed");
      }
      Optional<Session> current = session(request);
      if (current.isPresent() && current.get().userId().equals(login.username())) {
        BulwarkAuthentication stepped;
        try {
          stepped = repository.elevate(request, response, login);
        } catch (SessionException e) {
          throw new Refusal(401, "authentication_failed");
        }
        return signedIn(stepped, true);
      }
      Optional<Account> account = accounts.byId(login.username());
      if (account.isEmpty()
          || (login.suggestedLevel() == AssuranceLevel.AAL1 && mfaPolicy.requiresSecondFactor(account.get()))) {
        throw new Refusal(401, "authentication_failed");
      }
      Set<String> authorities = new java.util.TreeSet<>();
      account.get().roles().forEach(r -> authorities.add("ROLE_" + r));
      Instant now = clock.instant();
      IssuedSession issued;
      try {
        issued = repository.sessions().create(login.username(), login.suggestedLevel(), Map.of(Factor.WEBAUTHN, now),
            authorities);
      } catch (SessionException e) {
        throw new Refusal(409, "session_limit_reached");
      }
      BulwarkAuthentication auth = BulwarkAuthentication.issued(issued, now);
      SecurityContext context = strategy.createEmptyContext();
      context.setAuthentication(auth);
      strategy.setContext(context);
      repository.saveContext(context, request, response);
      return signedIn(auth, false);
    }

    private ObjectNode signedIn(BulwarkAuthentication auth, boolean stepUp) {
      ObjectNode n = JSON.createObjectNode().put("authenticated", true).put("stepUp", stepUp)
          .put("level", auth.assuranceLevel().name());
      auth.factors().keySet().forEach(factor -> n.withArray("factors").add(factor.name()));
      return n;
    }

    private ObjectNode ceremony(Ceremony c) {
      ObjectNode n = JSON.createObjectNode().put("ceremonyId", c.id());
      try {
        n.set("options", JSON.readTree(c.optionsJson()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("WebAuthn options are not JSON", e);
      }
      return n;
    }

    private JsonNode read(HttpServletRequest request) throws Refusal, IOException {
      if (request.getContentLengthLong() > maxRequestBytes) {
        throw new Refusal(413, "request_too_large");
      }
      String type = request.getContentType();
      if (type == null || !type.toLowerCase(Locale.ROOT).strip().matches("application/json(\\s*;.*)?")) {
        throw new Refusal(415, "unsupported_media_type");
      }
      byte[] bytes;
      try (InputStream in = request.getInputStream()) {
        bytes = in.readNBytes(maxRequestBytes + 1);
      }
      if (bytes.length > maxRequestBytes) {
        throw new Refusal(413, "request_too_large");
      }
      if (bytes.length == 0) {
        return JSON.createObjectNode();
      }
      JsonNode node;
      try {
        node = JSON.readTree(bytes);
      } catch (IOException e) {
        throw new Refusal(400, "malformed_request");
      }
      if (node == null || !node.isObject()) {
        throw new Refusal(400, "malformed_request");
      }
      return node;
    }

    private void send(HttpServletResponse response, int status, ObjectNode body) throws IOException {
      byte[] bytes = JSON.writeValueAsBytes(body);
      response.setStatus(status);
      response.setContentType("application/json");
      response.setCharacterEncoding(StandardCharsets.UTF_8.name());
      response.setContentLength(bytes.length);
      response.getOutputStream().write(bytes);
    }
  }

  /** The fields of {@code body}, refusing any not in {@code allowed}. */
  private static Map<String, JsonNode> fields(JsonNode body, String... allowed) throws Refusal {
    Map<String, JsonNode> out = new java.util.HashMap<>();
    Set<String> ok = Set.of(allowed);
    for (Map.Entry<String, JsonNode> e : body.properties()) {
      if (!ok.contains(e.getKey())) {
        throw new Refusal(400, "malformed_request");
      }
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  private static String text(JsonNode node) throws Refusal {
    if (node == null || !node.isTextual() || node.asText().length() > 64) {
      throw new Refusal(400, "malformed_request");
    }
    return node.asText();
  }

  private static String object(JsonNode node) throws Refusal {
    if (node == null || !node.isObject()) {
      throw new Refusal(400, "malformed_request");
    }
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new Refusal(400, "malformed_request");
    }
  }

  private static String displayName(Map<String, JsonNode> f) throws Refusal {
    JsonNode n = f.get("displayName");
    if (n == null) {
      return null;
    }
    if (!n.isTextual() || n.asText().isBlank() || n.asText().length() > MAX_DISPLAY_NAME
        || n.asText().codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
      throw new Refusal(400, "malformed_request");
    }
    return n.asText().strip();
  }

  private static Optional<String> source(HttpServletRequest request) {
    return Optional.ofNullable(request.getRemoteAddr());
  }
}
